/** `sightline embed-text TEXT...`: the token ids and embedding of each text. */
import { toSightlineError } from '../errors.ts';
import type { TextEmbedding } from '../extractor/extractor.ts';
import { FEATURE_NAMES } from '../extractor/features/index.ts';
import { EXIT, parseCommandArgs, printJsonLine, UsageError } from './cli-args.ts';
import { cliContext, modelFlag, openExtractor, toArray } from './cli-runtime.ts';

const USAGE = `usage: sightline embed-text [--model NAME] [--model-dir DIR] TEXT...
  --model: the feature to embed with, one of ${FEATURE_NAMES.join(', ')} (the first is the default).
  Prints one JSON line per text (input_ids, embedding), in order; exits 1 if any text was refused.`;

async function embedLine(text: string, embed: (text: string) => Promise<TextEmbedding>) {
  try {
    const r = await embed(text);
    return { text, input_ids: r.inputIds, embedding: toArray(r.embedding) };
  } catch (err) {
    return { text, error: toSightlineError(err).toJSON() };
  }
}

export async function embedTextCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { model: { type: 'string' }, 'model-dir': { type: 'string' } }, USAGE);
  if (positionals.length === 0) throw new UsageError(`no TEXT given\n${USAGE}`);
  const feature = modelFlag(values.model, USAGE);
  const extractor = await openExtractor(cliContext(), { feature, modelDir: values['model-dir'] });
  try {
    const lines = await Promise.all(positionals.map((text) => embedLine(text, (t) => extractor.embedText(t))));
    for (const line of lines) printJsonLine(line);
    return lines.some((line) => 'error' in line) ? EXIT.failed : EXIT.ok;
  } finally {
    await extractor.close();
  }
}
