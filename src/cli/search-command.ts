/** `sightline search NAME (--text T | --image SRC | --document ID) [--filter JSON] [--limit N] [--offset N]`. */
import { parseSourceRef } from '../sources/index.ts';
import { validateFilter, type Filter } from '../store/filter.ts';
import type { SearchQuery } from '../search/search-service.ts';
import { withApp } from './cli-app.ts';
import { EXIT, parseCommandArgs, printJsonLine, UsageError } from './cli-args.ts';

const USAGE = `usage: sightline search NAME (--text T | --image SOURCE | --document ID) [--filter JSON] [--limit N] [--offset N]
  SOURCE: what ingest takes: a file path, an http(s) URL, s3://bucket/key, a data: URI or base64.
  ID: a document id, from ingest's document_ids or a hit's id. No query lists the documents matching --filter.`;

export async function searchCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      text: { type: 'string' },
      image: { type: 'string' },
      document: { type: 'string' },
      filter: { type: 'string' },
      limit: { type: 'string' },
      offset: { type: 'string' },
    },
    USAGE,
  );
  const [name] = positionals;
  if (!name) throw new UsageError(USAGE);
  const given = [values.text, values.image, values.document].filter((v) => v !== undefined);
  if (given.length > 1) throw new UsageError(`give at most one of --text, --image, --document\n${USAGE}`);
  let filter: Filter | undefined;
  if (values.filter !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(values.filter);
    } catch (err) {
      throw new UsageError(`--filter is not JSON: ${(err as Error).message}`);
    }
    // The filter rules and their code (INVALID_FILTER) are the store's, as for the API.
    filter = validateFilter(parsed);
  }
  const query: SearchQuery | null =
    values.text !== undefined
      ? { kind: 'text', text: values.text }
      : values.image !== undefined
        ? { kind: 'image', source: parseSourceRef(values.image, { field: '--image', localFilesFrom: process.cwd() }) }
        : values.document !== undefined
          ? { kind: 'document', documentId: values.document }
          : null;
  // Bounds are the search service's to check (store-input.ts, checkPaging), as for the API.
  const limit = values.limit === undefined ? 10 : Number(values.limit);
  const offset = values.offset === undefined ? 0 : Number(values.offset);
  return withApp({ model: query !== null && query.kind !== 'document' }, async (app) => {
    const result = await app.search.search(name, { query, filter, limit, offset });
    for (const p of result.points) printJsonLine({ id: p.id, score: p.score, fields: p.payload });
    return EXIT.ok;
  });
}
