/** What the CLI commands that embed share: config, logging, the extractor. */
import { loadConfig, type Config } from '../config.ts';
import { createImageExtractor, type ImageExtractor } from '../extractor/extractor.ts';
import { createLogger, type Logger } from '../logger.ts';

export interface CliContext {
  config: Config;
  logger: Logger;
}

export function cliContext(): CliContext {
  const config = loadConfig();
  // CLI logs go to stderr and stay quiet unless asked: stdout carries results.
  return { config, logger: createLogger(config.logLevel ?? 'warn', { component: 'cli' }) };
}

export function openExtractor(
  ctx: CliContext,
  overrides: { modelDir?: string; batchSize?: number },
): Promise<ImageExtractor> {
  const m = ctx.config.model;
  return createImageExtractor({
    modelDir: overrides.modelDir ?? m.dir,
    variant: m.variant,
    session: { executionProvider: m.executionProvider, cudaDeviceId: m.cudaDeviceId, threads: m.threads },
    batchSize: overrides.batchSize ?? m.batchSize,
    batchWaitMs: m.batchWaitMs,
    textCacheEntries: m.textCacheEntries,
    maxPixels: ctx.config.limits.maxImagePixels,
    logger: ctx.logger,
  });
}

export const toArray = (v: Float32Array) => Array.from(v);
