/** `sightline collection create|list|delete`. */
import { serialiseExtractorConfig } from '../collections/extractor-config.ts';
import type { Collection } from '../collections/collection-service.ts';
import { withApp } from './cli-app.ts';
import { EXIT, parseCommandArgs, printJsonLine, UsageError } from './cli-args.ts';

const USAGE = `usage: sightline collection create NAME --extractor JSON
       sightline collection list
       sightline collection delete NAME`;

const view = (c: Collection) => ({
  name: c.name,
  feature_uri: c.feature.featureUri,
  document_count: c.documentCount,
  created_at: c.createdAt,
  feature_extractor: serialiseExtractorConfig(c.extractor),
});

function parseJson(text: string, flag: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${flag} is not valid JSON: ${(err as Error).message}`);
  }
}

export async function collectionCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { extractor: { type: 'string' } }, USAGE);
  const [action, name] = positionals;
  switch (action) {
    case 'create': {
      if (!name || values.extractor === undefined) throw new UsageError(USAGE);
      const extractor = parseJson(values.extractor, '--extractor');
      return withApp({ model: false }, async (app) => {
        printJsonLine(view(await app.collections.create(name, extractor)));
        return EXIT.ok;
      });
    }
    case 'list':
      return withApp({ model: false }, async (app) => {
        for (const c of await app.collections.list()) printJsonLine(view(c));
        return EXIT.ok;
      });
    case 'delete': {
      if (!name) throw new UsageError(USAGE);
      return withApp({ model: false }, async (app) => {
        const deleted = await app.removal.collection(name);
        printJsonLine({ name, deleted });
        return deleted ? EXIT.ok : EXIT.failed;
      });
    }
    default:
      throw new UsageError(USAGE);
  }
}
