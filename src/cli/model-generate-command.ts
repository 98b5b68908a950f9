/**
 * `npm run model:generate -- --size tiny|base --out DIR [--seed N] [--variants fp16,quantized,int8,uint8]`:
 * writes a SigLIP-architecture model directory with deterministic random
 * weights, for tests and benchmarks where the real weights cannot be fetched.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { toSightlineError } from '../errors.ts';
import { generateModelDir } from '../extractor/model-generate/generate-model-dir.ts';
import { isModelSize, MODEL_SIZES } from '../extractor/model-generate/model-dims.ts';
import { MODEL_VARIANTS, type ModelVariant } from '../extractor/model-files.ts';
import { createLogger } from '../logger.ts';
import { EXIT, HelpRequested, parseCommandArgs, reportCommandLine, UsageError } from './cli-args.ts';

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
  const { values, positionals } = parseCommandArgs(
    args,
    {
      size: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string', default: '0' },
      variants: { type: 'string', default: '' },
    },
    USAGE,
  );
  const usage = (problem: string) => new UsageError(`${problem}\n${USAGE}`);
  if (positionals.length > 0) throw usage(`unexpected argument "${positionals[0]}"`);
  if (typeof values.size !== 'string' || !isModelSize(values.size)) throw usage('--size must be tiny or base');
  if (typeof values.out !== 'string') throw usage('--out DIR is required');
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) throw usage('--seed must be a non-negative integer');
  const variants = String(values.variants).split(',').map((v) => v.trim()).filter((v) => v !== '');
  const unknown = variants.filter((v) => !(EXTRA_VARIANTS as readonly string[]).includes(v));
  if (unknown.length > 0) throw usage(`--variants takes ${EXTRA_VARIANTS.join(',')}; not ${unknown.join(',')}`);
  return { size: values.size, outDir: path.resolve(values.out), seed, variants: [...new Set(variants)] as ExtraVariant[] };
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
    dims: MODEL_SIZES[request.size],
    outDir: request.outDir,
    seed: request.seed,
    variants: request.variants,
    label: request.size,
    onFile: (file) => logger.info('wrote', { file, elapsedMs: Math.round(performance.now() - started) }),
  });
  process.stderr.write(
    `A SigLIP-architecture test model with random weights (${request.size}, seed ${request.seed}) is ready in ${request.outDir}.\n` +
      `MODEL_DIR=${request.outDir} npm start (or npx sightline) tries the plumbing with it; its search results mean nothing.\n`,
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
