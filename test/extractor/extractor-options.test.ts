import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { extractorOptions } from '../../src/extractor/extractor-options.ts';
import { inProcessInference } from '../../src/extractor/inference/in-process.ts';
import { silentLogger } from '../../src/logger.ts';

it('gives the extractor every model setting from the environment, for the server and the CLI alike', () => {
  const env = {
    MODEL_DIR: '/models/siglip',
    MODEL_VARIANT: 'fp16',
    EXECUTION_PROVIDER: 'cuda',
    CUDA_DEVICE_ID: '1',
    INFERENCE_THREADS: '3',
    INFERENCE_BATCH_SIZE: '4',
    INFERENCE_BATCH_WAIT_MS: '7',
    TEXT_EMBEDDING_CACHE_ENTRIES: '9',
  };
  const config = loadConfig(env);
  // Where the towers run is config.inference's (the composition root builds the provider from it).
  expect(config.inference).toEqual({ kind: 'in-process', executionProvider: 'cuda', cudaDeviceId: 1, threads: 3 });
  const inference = inProcessInference({ session: { executionProvider: 'cuda', cudaDeviceId: 1, threads: 3 } });
  expect(extractorOptions(config.model, inference, silentLogger)).toEqual({
    modelDir: '/models/siglip',
    variant: 'fp16',
    inference,
    batchSize: 4,
    batchWaitMs: 7,
    textCacheEntries: 9,
    logger: silentLogger,
  });
});
