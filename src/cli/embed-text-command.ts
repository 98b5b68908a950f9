/** `sightline embed-text TEXT...`: the token ids and embedding of each text. */
import { EXIT, parseCommandArgs, printJsonLine, UsageError } from './cli-args.ts';
import { cliContext, openExtractor, toArray } from './cli-runtime.ts';

const USAGE = 'usage: sightline embed-text [--model-dir DIR] TEXT...';

export async function embedTextCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { 'model-dir': { type: 'string' } }, USAGE);
  if (positionals.length === 0) throw new UsageError(`no TEXT given\n${USAGE}`);
  const extractor = await openExtractor(cliContext(), { modelDir: values['model-dir'] });
  try {
    const results = await Promise.all(positionals.map((text) => extractor.embedText(text)));
    results.forEach((r, i) => printJsonLine({ text: positionals[i], input_ids: r.inputIds, embedding: toArray(r.embedding) }));
  } finally {
    await extractor.close();
  }
  return EXIT.ok;
}
