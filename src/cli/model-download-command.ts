/**
 * `npm run model:download -- [--model NAME] [--dir DIR] [--variant fp32|fp16|quantized] [--base-url URL] [--force]`:
 * fetches a feature's SigLIP model (the default's unless --model names another) into its model directory, resumably.
 * Kept apart from the main CLI so that downloading never loads onnxruntime.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import cliProgress from 'cli-progress';
import { loadConfig } from '../config.ts';
import { toSightlineError } from '../errors.ts';
import { DEFAULT_FEATURE, FEATURE_NAMES, featureByName } from '../extractor/features/index.ts';
import { MODEL_VARIANTS, type ModelVariant } from '../extractor/features/index.ts';
import { modelSettings } from '../extractor/model-set.ts';
import { downloadModel, type DownloadProgress } from '../extractor/model-download.ts';
import { createLogger } from '../logger.ts';
import { EXIT, HelpRequested, parseCommandArgs, reportCommandLine, UsageError } from './cli-args.ts';

const USAGE =
  `usage: npm run model:download -- [--model ${FEATURE_NAMES.join('|')}] [--dir DIR] ` +
  `[--variant ${MODEL_VARIANTS.join('|')}] [--base-url URL] [--force]`;
const VARIANTS: readonly ModelVariant[] = MODEL_VARIANTS;
/** Non-interactive runs log a line each time the overall download crosses another step of this many percent. */
const LOG_STEP_PERCENT = 5;


interface Request {
  /** The checkpoint, for the closing message. */
  model: string;
  dir: string;
  variant: ModelVariant;
  baseUrl: string;
  /** MODEL_LOGITS_URL. */
  logitsUrl: string | undefined;
  force: boolean;
}


/** Flags override MODEL_DIR, MODEL_VARIANT and MODEL_DOWNLOAD_URL. */
function parseRequest(args: string[]): Request {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      model: { type: 'string', default: DEFAULT_FEATURE.outputName },
      dir: { type: 'string' },
      variant: { type: 'string' },
      'base-url': { type: 'string' },
      force: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n${USAGE}`);
  const feature = featureByName(String(values.model));
  if (!feature) throw new UsageError(`--model must be one of ${FEATURE_NAMES.join(', ')}\n${USAGE}`);
  const model = modelSettings(feature, loadConfig().model);
  const variant = values.variant ?? model.variant;
  if (!VARIANTS.includes(variant as ModelVariant)) {
    throw new UsageError(`--variant must be one of ${VARIANTS.join(', ')}\n${USAGE}`);
  }
  return {
    model: feature.model,
    dir: path.resolve(values.dir ?? model.dir),
    variant: variant as ModelVariant,
    baseUrl: values['base-url'] ?? model.downloadUrl,
    logitsUrl: model.logitsUrl,
    force: values.force === true,
  };
}

/** A progress bar on a terminal; JSON-line logs when stderr is a file or a pipe. */
function progressReporter(tty: boolean): { update(p: DownloadProgress): void; stop(): void } {
  if (tty) {
    const bar = new cliProgress.SingleBar(
      { format: '{bar} {percentage}% | {mb} MB | {file}', hideCursor: true, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    bar.start(1, 0, { mb: '0.0', file: '' });
    return {
      update: (p) => {
        const [value, total] = p.overallTotal ? [p.overallReceived, p.overallTotal] : [p.received, p.total ?? p.received];
        bar.setTotal(Math.max(total, 1));
        bar.update(value, { mb: (p.overallReceived / 1e6).toFixed(1), file: p.file });
      },
      stop: () => bar.stop(),
    };
  }
  const logger = createLogger('info', { component: 'model-download' });
  let lastFile = '';
  let lastStep = -1;
  return {
    update: (p) => {
      const step = p.overallTotal ? Math.floor((100 * p.overallReceived) / p.overallTotal / LOG_STEP_PERCENT) : lastStep;
      if (p.file === lastFile && step === lastStep) return;
      lastFile = p.file;
      lastStep = step;
      logger.info('model download progress', { file: p.file, receivedBytes: p.overallReceived, totalBytes: p.overallTotal });
    },
    stop: () => {},
  };
}

export async function modelDownloadCommand(args: string[]): Promise<number> {
  let request: Request;
  try {
    request = parseRequest(args);
  } catch (err) {
    if (!(err instanceof UsageError || err instanceof HelpRequested)) throw err;
    return reportCommandLine(err);
  }
  if (fs.existsSync(request.dir) && !request.force) {
    process.stderr.write(`A model is already in ${request.dir}; pass --force to download it again.\n`);
    return EXIT.ok;
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  const progress = progressReporter(process.stderr.isTTY === true);
  try {
    const { model, ...download } = request;
    await downloadModel({ ...download, signal: controller.signal, onProgress: (p) => progress.update(p) });
    progress.stop();
    process.stderr.write(`${model} (${request.variant}) is ready in ${request.dir}\n`);
    return EXIT.ok;
  } catch (err) {
    progress.stop();
    process.stderr.write(`model download failed: ${toSightlineError(err).message}\n`);
    return EXIT.failed;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  modelDownloadCommand(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`model download failed: ${toSightlineError(err).message}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}
