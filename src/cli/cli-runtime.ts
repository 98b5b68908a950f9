/** What the CLI commands that embed share: config, logging, the extractor. */
import { loadConfig, type Config } from '../config.ts';
import { createInference } from '../app/adapters.ts';
import { createImageExtractor, type ImageExtractor } from '../extractor/extractor.ts';
import { extractorOptions } from '../extractor/extractor-options.ts';
import { DEFAULT_FEATURE, FEATURE_NAMES, featureByName, type FeatureDescriptor } from '../extractor/features/index.ts';
import { modelSettings } from '../extractor/model-set.ts';
import { createLogger, type Logger } from '../logger.ts';
import { UsageError } from './cli-args.ts';

export interface CliContext {
  config: Config;
  logger: Logger;
}

export function cliContext(): CliContext {
  const config = loadConfig();
  // CLI logs go to stderr and stay quiet unless asked: stdout carries results.
  return { config, logger: createLogger(config.logLevel ?? 'warn', { component: 'cli' }) };
}

/** `--model NAME`'s feature (the default without it); a usage error listing the offered names otherwise. */
export function modelFlag(name: string | undefined, usage: string): FeatureDescriptor {
  const feature = name === undefined ? DEFAULT_FEATURE : featureByName(name);
  if (!feature) throw new UsageError(`--model must be one of ${FEATURE_NAMES.join(', ')}\n${usage}`);
  return feature;
}

/** `feature`'s extractor from its model directory (MODEL_DIR or MODELS_DIR/<its folder>, unless --model-dir says). */
export function openExtractor(
  ctx: CliContext,
  overrides: { feature?: FeatureDescriptor; modelDir?: string; batchSize?: number },
): Promise<ImageExtractor> {
  const feature = overrides.feature ?? DEFAULT_FEATURE;
  const m = modelSettings(feature, ctx.config.model);
  const model = { ...m, dir: overrides.modelDir ?? m.dir, batchSize: overrides.batchSize ?? m.batchSize };
  const inference = createInference(ctx.config.inference, ctx.logger, { waitForServer: false });
  return createImageExtractor({ ...extractorOptions(model, inference, ctx.logger), feature });
}

export const toArray = (v: Float32Array) => Array.from(v);
