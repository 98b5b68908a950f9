/**
 * `npm run model:generate -- --size tiny|base --out DIR [--seed N] [--variants fp16,quantized,int8,uint8]`:
 * writes a SigLIP-architecture model directory with deterministic random
 * weights, for tests and benchmarks where the real weights cannot be fetched.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { toSightlineError } from '../errors.ts';
import { generateModelDir } from '../extractor/model-generate/generate-model-dir.ts';
import { isModelSize, MODEL_SIZES } from '../extractor/model-generate/model-dims.ts';
import { MODEL_VARIANTS, type ModelVariant } from '../extractor/model-files.ts';
import { createLogger } from '../logger.ts';
import { EXIT, UsageError } from './cli-args.ts';

const USAGE = 'usage: npm run model:generate -- --size tiny|base --out DIR [--seed N] [--variants fp16,quantized,int8,uint8]';
const EXTRA_VARIANTS = MODEL_VARIANTS.filter((v) => v !== 'fp32');
type ExtraVariant = Exclude<ModelVariant, 'fp32'>;

interface Request {
  size: keyof typeof MODEL_SIZES;
  outDir: string;
  seed: number;
  variants: ExtraVariant[];
}

function parseRequest(args: string[]): Request {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        size: { type: 'string' },
        out: { type: 'string' },
        seed: { type: 'string', default: '0' },
        variants: { type: 'string', default: '' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (!values.size || !isModelSize(values.size)) throw new UsageError('--size must be tiny or base');
  if (!values.out) throw new UsageError('--out DIR is required');
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError('--seed must be a non-negative integer');
  const variants = values.variants.split(',').map((v) => v.trim()).filter((v) => v !== '');
  const unknown = variants.filter((v) => !(EXTRA_VARIANTS as readonly string[]).includes(v));
  if (unknown.length > 0) throw new UsageError(`--variants takes ${EXTRA_VARIANTS.join(',')}; not ${unknown.join(',')}`);
  return { size: values.size, outDir: path.resolve(values.out), seed, variants: [...new Set(variants)] as ExtraVariant[] };
}

export function modelGenerateCommand(args: string[]): number {
  let request: Request;
  try {
    request = parseRequest(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    return EXIT.usage;
  }
  const logger = createLogger('info', { component: 'model-generate' });
  const started = performance.now();
  generateModelDir({
    dims: MODEL_SIZES[request.size],
    outDir: request.outDir,
    seed: request.seed,
    variants: request.variants,
    label: request.size,
    onFile: (file) => logger.info('wrote', { file, elapsedMs: Math.round(performance.now() - started) }),
  });
  process.stderr.write(`SigLIP-architecture model (${request.size}, seed ${request.seed}) is ready in ${request.outDir}\n`);
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
