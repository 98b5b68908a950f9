/** `sightline embed INPUT...`: one JSON line per image or PDF page, in input order. */
import { lazyS3Client } from '../app/adapters.ts';
import { mapLimited } from '../scheduling/concurrency-limit.ts';
import { toSightlineError } from '../errors.ts';
import type { ImageExtractor } from '../extractor/extractor.ts';
import { createImageDecoder, createMedia, createPdfRenderer, embedItem, type Media } from '../media/index.ts';
import { createSourceFetcher, parseSourceRef, type SourceFetcher } from '../sources/index.ts';
import { FEATURE_NAMES } from '../extractor/features/index.ts';
import { EXIT, parseCommandArgs, positiveInt, printJsonLine, UsageError } from './cli-args.ts';
import { cliContext, modelFlag, openExtractor, toArray, type CliContext } from './cli-runtime.ts';

const USAGE = `usage: sightline embed [--model NAME] [--model-dir DIR] [--batch-size N] INPUT...
  --model: the feature to embed with, one of ${FEATURE_NAMES.join(', ')} (the first is the default).
  INPUT: a file path, an http(s) URL, s3://bucket/key, a data: URI or base64.
  Prints one JSON line per image or PDF page, in input order; exits 1 if any input failed.`;

type Line = Record<string, unknown>;

interface Tools {
  fetcher: SourceFetcher;
  media: Media;
  extractor: ImageExtractor;
}

async function embedInput(input: string, ctx: CliContext, { fetcher, media, extractor }: Tools): Promise<Line[]> {
  try {
    // A path is a file on this machine, the CLI's: the same parser as the server's, with local files allowed.
    const { bytes } = await fetcher.fetch(parseSourceRef(input, { localFilesFrom: process.cwd() }));
    // Pages are rendered as lanes free up, never all at once.
    return await media.withItems(bytes, (items) =>
      mapLimited(items, 2 * ctx.config.model.batchSize, async (item): Promise<Line> => {
        const page = item.pageNumber === undefined ? {} : { page_number: item.pageNumber, total_pages: item.totalPages };
        try {
          const r = await embedItem(item, extractor);
          return { input, ...page, embedding: toArray(r.embedding), processing_time_ms: r.processingTimeMs };
        } catch (err) {
          return { input, ...page, error: toSightlineError(err).toJSON() };
        }
      }),
    );
  } catch (err) {
    return [{ input, error: toSightlineError(err).toJSON() }];
  }
}

export async function embedCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    { model: { type: 'string' }, 'model-dir': { type: 'string' }, 'batch-size': { type: 'string' } },
    USAGE,
  );
  if (positionals.length === 0) throw new UsageError(`no INPUT given\n${USAGE}`);
  const batchSize = positiveInt(values['batch-size'], '--batch-size');
  const feature = modelFlag(values.model, USAGE);
  const ctx = cliContext();
  const extractor = await openExtractor(ctx, { feature, modelDir: values['model-dir'], batchSize });
  const fetcher = createSourceFetcher({
    fetch: ctx.config.fetch,
    maxBytes: ctx.config.limits.maxSourceBytes,
    allowedBuckets: ctx.config.s3.allowedBuckets,
    s3Client: lazyS3Client(ctx.config),
    logger: ctx.logger,
  });
  const pdf = createPdfRenderer({ ...ctx.config.pdf, maxPages: ctx.config.limits.pdfMaxPages });
  const media = createMedia({ pdf, decoder: createImageDecoder({ maxPixels: ctx.config.limits.maxImagePixels, fullSize: ctx.config.imageDecodeFullSize }) });
  const tools: Tools = { fetcher, media, extractor };
  let failed = false;
  // Results print in input order, each as soon as everything before it is done.
  const done = new Map<number, Line[]>();
  let next = 0;
  const flush = () => {
    while (done.has(next)) {
      for (const line of done.get(next) ?? []) {
        if ('error' in line) failed = true;
        printJsonLine(line);
      }
      done.delete(next++);
    }
  };
  try {
    await mapLimited(positionals, 2 * (batchSize ?? ctx.config.model.batchSize), async (input, i) => {
      done.set(i, await embedInput(input, ctx, tools));
      flush();
    });
  } finally {
    await Promise.all([extractor.close(), pdf.close()]);
  }
  return failed ? EXIT.failed : EXIT.ok;
}
