/**
 * `sightline triton-repo --out DIR`: a Triton model repository for features'
 * models, so a GPU host serves them with `tritonserver --model-repository=DIR`
 * and Sightline servers use it with INFERENCE_BACKEND=kserve.
 */
import path from 'node:path';
import { writeTritonRepo } from '../extractor/inference/triton-repo.ts';
import { loadModelFiles } from '../extractor/model-files.ts';
import { modelSettings } from '../extractor/model-set.ts';
import { parseCommandArgs, positiveInt, printJsonLine, UsageError } from './cli-args.ts';
import { cliContext, modelFlag } from './cli-runtime.ts';

const USAGE = `usage: sightline triton-repo --out DIR [--model NAME[,NAME...]] [--model-dir DIR] [--max-batch N] [--force]

Writes DIR/<name>_vision and DIR/<name>_text for each model (the default one unless --model names others): config.pbtxt
and 1/model.onnx (the MODEL_VARIANT file). --model-dir overrides where a single model is read from (MODEL_DIR, or
MODELS_DIR/<its folder>). --max-batch (16) is Triton's max_batch_size. Existing model folders are refused unless --force.`;

export async function tritonRepoCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      out: { type: 'string' },
      model: { type: 'string' },
      'model-dir': { type: 'string' },
      'max-batch': { type: 'string', default: '16' },
      force: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n${USAGE}`);
  if (values.out === undefined) throw new UsageError(`--out DIR is required\n${USAGE}`);
  const names = values.model === undefined ? [undefined] : values.model.split(',').map((n) => n.trim());
  const features = [...new Set(names.map((name) => modelFlag(name, USAGE)))];
  if (values['model-dir'] !== undefined && features.length > 1) throw new UsageError(`--model-dir reads one model; name one --model\n${USAGE}`);
  const { config } = cliContext();
  const models = await Promise.all(
    features.map((feature) => loadModelFiles(values['model-dir'] ?? modelSettings(feature, config.model).dir, config.model.variant, feature)),
  );
  const outDir = path.resolve(values.out);
  const written = await writeTritonRepo({
    outDir,
    models,
    maxBatch: positiveInt(values['max-batch'], '--max-batch') as number,
    force: values.force,
  });
  printJsonLine({ repository: outDir, models: written });
  return 0;
}
