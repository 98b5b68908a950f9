/** What the CLI commands that embed share: config, logging, the extractor. */
import { loadConfig, type Config } from '../config.ts';
import { createImageExtractor, type ImageExtractor } from '../extractor/extractor.ts';
import { extractorOptions } from '../extractor/extractor-options.ts';
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
  const model = { ...m, dir: overrides.modelDir ?? m.dir, batchSize: overrides.batchSize ?? m.batchSize };
  return createImageExtractor(extractorOptions(model, ctx.logger));
}

export const toArray = (v: Float32Array) => Array.from(v);
