/** The one mapping from the model configuration to the extractor's options, shared by the server and the CLI. */
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { ExtractorOptions } from './extractor.ts';
import type { InferenceProvider } from './inference/inference-port.ts';

export function extractorOptions(model: Config['model'], inference: InferenceProvider, logger: Logger): ExtractorOptions {
  return {
    modelDir: model.dir,
    variant: model.variant,
    inference,
    batchSize: model.batchSize,
    batchWaitMs: model.batchWaitMs,
    textCacheEntries: model.textCacheEntries,
    logger,
  };
}
