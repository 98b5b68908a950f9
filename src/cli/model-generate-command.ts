/**
 * `npm run model:generate -- [--model NAME] --size tiny|full --out DIR [--seed N] [--variants fp16,quantized,int8,uint8]`:
 * writes a SigLIP-architecture model directory of a feature's shape (the
 * registry's architecture) with deterministic random weights, for tests and
 * benchmarks where the real weights cannot be fetched.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { toSightlineError } from '../errors.ts';
import { generateModelDir } from '../extractor/model-generate/generate-model-dir.ts';
import { DEFAULT_FEATURE, FEATURE_NAMES, featureByName, type FeatureDescriptor } from '../extractor/features/index.ts';
import { isModelSize, modelDims, type ModelSize } from '../extractor/model-generate/model-dims.ts';
import { MODEL_VARIANTS, type ModelVariant } from '../extractor/features/index.ts';
import { createLogger } from '../logger.ts';
import { EXIT, HelpRequested, parseCommandArgs, reportCommandLine, UsageError } from './cli-args.ts';

const USAGE =
  `usage: npm run model:generate -- [--model ${FEATURE_NAMES.join('|')}] --size tiny|full --out DIR [--seed N] ` +
  '[--variants fp16,quantized,int8,uint8]';
const EXTRA_VARIANTS = MODEL_VARIANTS.filter((v) => v !== 'fp32');
type ExtraVariant = Exclude<ModelVariant, 'fp32'>;

interface Request {
  feature: FeatureDescriptor;
  size: ModelSize;
  outDir: string;
  seed: number;
  variants: ExtraVariant[];
}

function parseRequest(args: string[]): Request {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      model: { type: 'string', default: DEFAULT_FEATURE.outputName },
      size: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string', default: '0' },
      variants: { type: 'string', default: '' },
    },
    USAGE,
  );
  const usage = (problem: string) => new UsageError(`${problem}\n${USAGE}`);
  if (positionals.length > 0) throw usage(`unexpected argument "${positionals[0]}"`);
  const feature = featureByName(String(values.model));
  if (!feature) throw usage(`--model must be one of ${FEATURE_NAMES.join(', ')}`);
  if (typeof values.size !== 'string' || !isModelSize(values.size)) throw usage('--size must be tiny or full (base: the same as full)');
  if (typeof values.out !== 'string') throw usage('--out DIR is required');
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) throw usage('--seed must be a non-negative integer');
  const variants = String(values.variants).split(',').map((v) => v.trim()).filter((v) => v !== '');
  const unknown = variants.filter((v) => !(EXTRA_VARIANTS as readonly string[]).includes(v));
  if (unknown.length > 0) throw usage(`--variants takes ${EXTRA_VARIANTS.join(',')}; not ${unknown.join(',')}`);
  return { feature, size: values.size, outDir: path.resolve(values.out), seed, variants: [...new Set(variants)] as ExtraVariant[] };
}

function howToUse(request: Request): string {
  if (request.feature === DEFAULT_FEATURE) return `MODEL_DIR=${request.outDir} npm start (or npx sightline) tries the plumbing with it`;
  return `Collections with parameters.model "${request.feature.outputName}" use it when it is MODELS_DIR/${request.feature.dirName}`;
}

export function modelGenerateCommand(args: string[]): number {
  let request: Request;
  try {
    request = parseRequest(args);
  } catch (err) {
    if (!(err instanceof UsageError || err instanceof HelpRequested)) throw err;
    return reportCommandLine(err);
  }
  const logger = createLogger('info', { component: 'model-generate' });
  const started = performance.now();
  generateModelDir({
    dims: modelDims(request.feature, request.size),
    outDir: request.outDir,
    seed: request.seed,
    variants: request.variants,
    label: request.size,
    onFile: (file) => logger.info('wrote', { file, elapsedMs: Math.round(performance.now() - started) }),
  });
  process.stderr.write(
    `A test model of ${request.feature.model}'s architecture with random weights (${request.size}, seed ${request.seed}) ` +
      `is ready in ${request.outDir}.\n${howToUse(request)}; its search results mean nothing.\n`,
  );
  return EXIT.ok;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.exitCode = modelGenerateCommand(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`model generation failed: ${toSightlineError(err).message}\n`);
    process.exitCode = EXIT.failed;
  }
}
