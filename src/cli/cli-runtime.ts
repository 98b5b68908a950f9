/** What every CLI command shares: usage errors, config, the extractor, output. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, type Config } from '../config.ts';
import { createImageExtractor, type ImageExtractor } from '../extractor/extractor.ts';
import { createLogger, type Logger } from '../logger.ts';

/** Exit codes: 0 all succeeded, 1 some item failed, 2 the command line was wrong. */
export const EXIT = { ok: 0, itemFailed: 1, usage: 2 } as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseCommandArgs<T extends ParseArgsConfig['options']>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${usage}`);
  }
}

export function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

export interface CliContext {
  config: Config;
  logger: Logger;
}

export function cliContext(): CliContext {
  const config = loadConfig();
  // CLI logs go to stderr and stay quiet unless asked: stdout carries results.
  const level = process.env.LOG_LEVEL ? config.logLevel : 'warn';
  return { config, logger: createLogger(level, { component: 'cli' }) };
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
    maxPixels: ctx.config.limits.maxImagePixels,
    logger: ctx.logger,
  });
}

export function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export const toArray = (v: Float32Array) => Array.from(v);
