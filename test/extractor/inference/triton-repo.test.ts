import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTritonRepo } from '../../../src/extractor/inference/triton-repo.ts';
import { loadModelFiles, type ModelFiles } from '../../../src/extractor/model-files.ts';
import { readOnnxSummary, type OnnxValueInfo } from '../../../src/extractor/onnx-signature.ts';
import { tinyModelDir } from '../../fixtures/models.ts';
import { parsePbtxt, type PbMessage, type PbValue } from '../../fixtures/pbtxt.ts';

/** ONNX TensorProto.DataType numbers and Triton's names for them (model_config.proto). */
const ONNX_TO_TRITON: Record<number, string> = { 1: 'TYPE_FP32', 7: 'TYPE_INT64' };

const sha256 = async (file: string) => createHash('sha256').update(await fs.readFile(file)).digest('hex');

const one = (m: PbMessage, field: string): PbValue => {
  expect(m[field], field).toHaveLength(1);
  return (m[field] as PbValue[])[0] as PbValue;
};
const enumOf = (v: PbValue) => (v as { enum: string }).enum;

/** A config tensor must be the ONNX tensor: same name and type, its dims after the batch (symbolic ones as -1). */
function expectTensor(config: PbMessage, onnx: OnnxValueInfo): void {
  expect(one(config, 'name')).toBe(onnx.name);
  expect(enumOf(one(config, 'data_type'))).toBe(ONNX_TO_TRITON[onnx.elemType]);
  expect(config.dims).toEqual((onnx.dims ?? []).slice(1).map((d) => (typeof d === 'number' ? d : -1)));
}

describe('sightline triton-repo', () => {
  let out: string;
  let model: ModelFiles;
  let written: string[];
  beforeAll(async () => {
    out = await fs.mkdtemp(path.join(os.tmpdir(), 'sightline-triton-'));
    model = await loadModelFiles(tinyModelDir(), 'fp32');
    written = await writeTritonRepo({ outDir: out, models: [model] });
  });
  afterAll(() => fs.rm(out, { recursive: true, force: true }));

  it('lays out one model per tower: <name>/config.pbtxt and <name>/1/model.onnx, the ONNX file unchanged', async () => {
    expect(written).toEqual(['google_siglip_base_v1_vision', 'google_siglip_base_v1_text']);
    expect((await fs.readdir(out)).sort()).toEqual([...written].sort());
    for (const [name, source] of [
      [written[0], model.visionModelPath],
      [written[1], model.textModelPath],
    ] as const) {
      expect((await fs.readdir(path.join(out, name as string))).sort()).toEqual(['1', 'config.pbtxt']);
      expect(await sha256(path.join(out, name as string, '1', 'model.onnx'))).toBe(await sha256(source));
    }
  });

  it.each(['google_siglip_base_v1_vision', 'google_siglip_base_v1_text'])(
    'writes a config.pbtxt for %s that matches its ONNX signature, with dynamic batching up to 16',
    async (name) => {
      const config = parsePbtxt(await fs.readFile(path.join(out, name, 'config.pbtxt'), 'utf8'));
      const onnx = await readOnnxSummary(path.join(out, name, '1', 'model.onnx'));
      // The name must equal the folder's (model_configuration.md, "Name, Platform and Backend").
      expect(one(config, 'name')).toBe(name);
      expect(one(config, 'platform')).toBe('onnxruntime_onnx');
      expect(one(config, 'max_batch_size')).toBe(16);
      expect(config.dynamic_batching).toHaveLength(1);
      const [input] = config.input as PbMessage[];
      expect(config.input).toHaveLength(1);
      expect(onnx.inputs).toHaveLength(1);
      expectTensor(input as PbMessage, onnx.inputs[0] as OnnxValueInfo);
      const [output] = config.output as PbMessage[];
      expect(config.output).toHaveLength(1);
      expectTensor(output as PbMessage, onnx.outputs.find((o) => o.name === 'pooler_output') as OnnxValueInfo);
    },
  );

  it('declares the shapes Sightline sends: pixel_values [3,224,224], input_ids [64], pooler_output [768]', async () => {
    const read = async (name: string) => parsePbtxt(await fs.readFile(path.join(out, name, 'config.pbtxt'), 'utf8'));
    const [vision, text] = await Promise.all(written.map(read));
    expect((vision?.input?.[0] as PbMessage).dims).toEqual([3, 224, 224]);
    expect((text?.input?.[0] as PbMessage).dims).toEqual([64]);
    expect((text?.output?.[0] as PbMessage).dims).toEqual([768]);
  });

  it('refuses to overwrite an existing model folder unless forced', async () => {
    await expect(writeTritonRepo({ outDir: out, models: [model] })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('--force'),
    });
    await expect(writeTritonRepo({ outDir: out, models: [model], force: true, maxBatch: 4 })).resolves.toHaveLength(2);
    const config = parsePbtxt(await fs.readFile(path.join(out, 'google_siglip_base_v1_text', 'config.pbtxt'), 'utf8'));
    expect(one(config, 'max_batch_size')).toBe(4);
  });
});
