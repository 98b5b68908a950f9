/**
 * The model's life in the server: absent → downloading → loading → ready, or
 * failed. The server answers /healthz throughout and reports ready only once
 * the model is loaded and warmed, so no first query meets a cold model.
 */
import fs from 'node:fs';
import type { Config } from '../config.ts';
import { ErrorCode, SightlineError, toSightlineError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { createImageExtractor, type ImageExtractor } from './extractor.ts';
import { DEFAULT_FEATURE, type FeatureDescriptor } from './features/index.ts';
import { extractorOptions } from './extractor-options.ts';
import type { InferenceProvider } from './inference/inference-port.ts';
import { downloadModel } from './model-download.ts';

export type ModelState =
  | { phase: 'absent' }
  | { phase: 'downloading'; receivedBytes: number; totalBytes: number | undefined }
  | { phase: 'loading' }
  | { phase: 'ready'; extractor: ImageExtractor }
  | { phase: 'failed'; error: SightlineError };

export interface ModelLifecycle {
  state(): ModelState;
  /** Downloads when allowed and needed, then loads; resolves when ready. */
  start(): Promise<ImageExtractor>;
  /** The loaded extractor; MODEL_NOT_READY before that. */
  extractor(): ImageExtractor;
  /** The loaded model's description (a generated test model says so); SigLIP's name until one is loaded. */
  description(): string;
  /** Stops a download or load in progress (start() then rejects with CANCELLED) and releases the model. */
  close(): Promise<void>;
}

export function howToProvideModel(dir: string, feature: FeatureDescriptor = DEFAULT_FEATURE): string {
  if (feature !== DEFAULT_FEATURE) {
    const flag = `--model ${feature.outputName}`;
    return (
      `No ${feature.model} model in ${dir}. To provide it: run \`npm run model:download -- ${flag}\` on a machine that ` +
      `can reach huggingface.co (add --base-url URL for a mirror), or copy its model directory (laid out like ` +
      `Xenova/siglip-base-patch16-224) to ${dir}, the ${feature.dirName}/ folder of MODELS_DIR. To try the plumbing ` +
      `without it, \`npm run model:generate -- ${flag} --size tiny --out ${dir}\` builds a test model of its shape ` +
      'with random weights (its search results mean nothing).'
    );
  }
  return (
    `No SigLIP model in ${dir}. To provide it: run \`npm run model:download\` on a machine that can reach ` +
    'huggingface.co (or set MODEL_DOWNLOAD_URL to a mirror), or copy a model directory laid out like ' +
    'Xenova/siglip-base-patch16-224 (config.json, preprocessor_config.json, tokenizer.json, ' +
    `tokenizer_config.json, onnx/vision_model.onnx, onnx/text_model.onnx) to ${dir} or set MODEL_DIR to it. ` +
    'To try the plumbing without it, `npm run model:generate -- --size tiny --out /tmp/sightline-model` builds a ' +
    'test model with random weights in seconds (then MODEL_DIR=/tmp/sightline-model; its search results mean nothing).'
  );
}

export function createModelLifecycle(opts: {
  /** @default DEFAULT_FEATURE */
  feature?: FeatureDescriptor;
  model: Config['model'];
  inference: InferenceProvider;
  logger: Logger;
  metrics?: Metrics;
}): ModelLifecycle {
  const { model, logger } = opts;
  const feature = opts.feature ?? DEFAULT_FEATURE;
  let state: ModelState = { phase: 'absent' };
  let starting: Promise<ImageExtractor> | undefined;
  // A SIGTERM can come while the model downloads or loads: closing must stop
  // that work too, or its worker threads keep a stopped server's process alive.
  const closing = new AbortController();
  const assertOpen = () => {
    if (closing.signal.aborted) throw new SightlineError(ErrorCode.CANCELLED, 'the model was closed while it was starting');
  };

  const download = async () => {
    state = { phase: 'downloading', receivedBytes: 0, totalBytes: undefined };
    logger.info('downloading the model', { dir: model.dir, from: model.downloadUrl, variant: model.variant });
    let lastLogged = 0;
    await downloadModel({
      baseUrl: model.downloadUrl,
      logitsUrl: model.logitsUrl,
      dir: model.dir,
      variant: model.variant,
      // A remote inference server holds the towers: only the tokenizer and preprocessor files are needed here.
      weights: opts.inference.needsLocalWeights,
      signal: closing.signal,
      onProgress: (p) => {
        state = { phase: 'downloading', receivedBytes: p.overallReceived, totalBytes: p.overallTotal };
        if (Date.now() - lastLogged > 2000) {
          lastLogged = Date.now();
          logger.info('model download progress', { file: p.file, receivedBytes: p.overallReceived, totalBytes: p.overallTotal });
        }
      },
    });
  };

  const run = async (): Promise<ImageExtractor> => {
    try {
      if (!fs.existsSync(model.dir)) {
        if (!model.autoDownload) throw new SightlineError(ErrorCode.MODEL_NOT_FOUND, howToProvideModel(model.dir, feature));
        try {
          await download();
        } catch (err) {
          assertOpen();
          const e = toSightlineError(err, ErrorCode.MODEL_DOWNLOAD_FAILED);
          throw new SightlineError(ErrorCode.MODEL_DOWNLOAD_FAILED, `${e.message}\n${howToProvideModel(model.dir, feature)}`, e.details, {
            cause: err,
          });
        }
      }
      assertOpen();
      state = { phase: 'loading' };
      const extractor = await createImageExtractor({
        ...extractorOptions(model, opts.inference, logger),
        feature,
        signal: closing.signal,
        metrics: opts.metrics,
      });
      if (closing.signal.aborted) {
        await extractor.close();
        assertOpen();
      }
      state = { phase: 'ready', extractor };
      return extractor;
    } catch (err) {
      const error = toSightlineError(err, ErrorCode.MODEL_INVALID);
      state = { phase: 'failed', error };
      throw error;
    }
  };

  return {
    state: () => state,
    start: () => (starting ??= run()),
    extractor() {
      if (state.phase === 'ready') return state.extractor;
      const why = state.phase === 'failed' ? `failed: ${state.error.message}` : `${state.phase}`;
      throw new SightlineError(ErrorCode.MODEL_NOT_READY, `the model ${feature.model} is not ready (${why})`, {
        phase: state.phase,
        model: feature.outputName,
      });
    },
    description: () => (state.phase === 'ready' ? state.extractor.model.description : feature.model),
    async close() {
      closing.abort();
      await starting?.catch(() => undefined);
      if (state.phase === 'ready') await state.extractor.close();
    },
  };
}
