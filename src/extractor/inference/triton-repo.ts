/**
 * Writes a Triton Inference Server model repository for features' models:
 * per tower, `<model name>/config.pbtxt` and `<model name>/1/model.onnx`
 * (Triton's layout: docs/user_guide/model_repository.md, "ONNX Models"). The
 * configuration is read from the ONNX file's own signature, so what Triton is
 * told is what the file declares: `platform: "onnxruntime_onnx"`,
 * `max_batch_size` with the batch dimension left out of `dims`, a symbolic
 * dimension written as -1 (docs/user_guide/model_configuration.md), and
 * `dynamic_batching { }` so Triton batches requests from several Sightline
 * servers together. Only `pooler_output` is declared: it is all Sightline asks for.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, SightlineError } from '../../errors.ts';
import type { ModelFiles } from '../model-files.ts';
import { readOnnxSummary, type OnnxValueInfo } from '../onnx-signature.ts';
import { TOWERS, type Tower, type TowerSpec } from './inference-port.ts';
import { towerSpecs } from './tower-specs.ts';

/** ONNX TensorProto element types → Triton's model configuration types (only those SigLIP's towers use). */
const TRITON_TYPE: Record<number, string> = { 1: 'TYPE_FP32', 7: 'TYPE_INT64' };
/** The version folder: Triton serves the highest numbered one by default. */
const VERSION = '1';

export interface TritonRepoOptions {
  outDir: string;
  /** Each model directory to serve, loaded with its weights (loadModelFiles). */
  models: ModelFiles[];
  /** Triton's max_batch_size: the largest batch its dynamic batcher forms. @default 16 */
  maxBatch?: number;
  /** Replace model folders that exist already (otherwise refused). */
  force?: boolean;
}

function tensorConfig(info: OnnxValueInfo, file: string): string {
  const type = TRITON_TYPE[info.elemType];
  if (type === undefined || info.dims === null || info.dims.length < 2) {
    throw new SightlineError(ErrorCode.MODEL_INVALID, `${file}: ${info.name} has no batched shape of a type Triton is given here`, { file });
  }
  // The first dimension is the batch: with max_batch_size > 0 Triton adds it itself.
  const dims = info.dims.slice(1).map((d) => (typeof d === 'number' ? d : -1));
  return `  {\n    name: "${info.name}"\n    data_type: ${type}\n    dims: [ ${dims.join(', ')} ]\n  }`;
}

/** config.pbtxt for one tower, from its ONNX signature. */
async function towerConfig(spec: TowerSpec, file: string, maxBatch: number): Promise<string> {
  const summary = await readOnnxSummary(file);
  const input = summary.inputs.find((i) => i.name === spec.input.name);
  const output = summary.outputs.find((o) => o.name === spec.output.name);
  if (!input || !output) {
    throw new SightlineError(ErrorCode.MODEL_INVALID, `${file}: expected input ${spec.input.name} and output ${spec.output.name}`, { file });
  }
  return [
    `name: "${spec.modelName}"`,
    'platform: "onnxruntime_onnx"',
    `max_batch_size: ${maxBatch}`,
    `input [\n${tensorConfig(input, file)}\n]`,
    `output [\n${tensorConfig(output, file)}\n]`,
    'dynamic_batching { }',
    '',
  ].join('\n');
}

async function assertAbsent(dir: string, force: boolean): Promise<void> {
  const exists = await fs.stat(dir).then(
    () => true,
    () => false,
  );
  if (!exists) return;
  if (!force) {
    throw new SightlineError(ErrorCode.BAD_USER_INPUT, `${dir} exists already: pass --force to replace it, or choose another --out`, { dir });
  }
  await fs.rm(dir, { recursive: true });
}

/** Writes the repository; resolves to the model names written, two per model directory. */
export async function writeTritonRepo(opts: TritonRepoOptions): Promise<string[]> {
  const maxBatch = opts.maxBatch ?? 16;
  const written: string[] = [];
  for (const model of opts.models) {
    const files: Record<Tower, string> = { vision: model.visionModelPath, text: model.textModelPath };
    const specs = towerSpecs(model.feature, files);
    for (const tower of TOWERS) {
      const spec = specs[tower];
      const dir = path.join(opts.outDir, spec.modelName);
      // Read before anything is written, so a bad file leaves no half-made model folder.
      const config = await towerConfig(spec, files[tower], maxBatch);
      await assertAbsent(dir, opts.force ?? false);
      await fs.mkdir(path.join(dir, VERSION), { recursive: true });
      await fs.copyFile(files[tower], path.join(dir, VERSION, 'model.onnx'), fs.constants.COPYFILE_FICLONE);
      await fs.writeFile(path.join(dir, 'config.pbtxt'), config);
      written.push(spec.modelName);
    }
  }
  return written;
}
