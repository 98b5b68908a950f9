import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, SightlineError } from '../../src/errors.ts';
import { loadModelFiles } from '../../src/extractor/model-files.ts';
import { writeOnnxModel } from '../../src/extractor/model-generate/generate-model-dir.ts';
import { DataType, type ValueInfoSpec } from '../../src/extractor/model-generate/onnx-encode.ts';
import { tinyModelDir } from '../fixtures/models.ts';

let root: string;
let counter = 0;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-model-files-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const VISION_IN: ValueInfoSpec = { name: 'pixel_values', elemType: DataType.FLOAT, dims: ['batch_size', 3, 224, 224] };
const TEXT_IN: ValueInfoSpec = { name: 'input_ids', elemType: DataType.INT64, dims: ['batch_size', 64] };
const POOLED: ValueInfoSpec = { name: 'pooler_output', elemType: DataType.FLOAT, dims: ['batch_size', 768] };

interface DirSpec {
  /** Replaces a JSON file: an object is written as JSON, a string as is, null leaves the file out. */
  json?: Record<string, object | string | null>;
  vision?: { inputs?: ValueInfoSpec[]; outputs?: ValueInfoSpec[] };
  text?: { inputs?: ValueInfoSpec[]; outputs?: ValueInfoSpec[] };
  /** Raw bytes instead of an ONNX graph for the vision file. */
  visionBytes?: string;
}

/**
 * A model directory with the tiny model's JSON files and signature-only ONNX
 * files: the loader reads declared inputs and outputs, never the weights.
 */
function makeModelDir(spec: DirSpec = {}): string {
  const dir = path.join(root, `model-${counter++}`);
  fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  for (const name of ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json']) {
    const override = spec.json?.[name];
    if (override === null) continue;
    const content = override === undefined ? fs.readFileSync(path.join(tinyModelDir(), name), 'utf8') : override;
    fs.writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  const graph = (name: string, io: DirSpec['vision'], input: ValueInfoSpec) => ({
    name,
    nodes: [],
    initializers: [],
    inputs: io?.inputs ?? [input],
    outputs: io?.outputs ?? [POOLED],
  });
  if (spec.visionBytes !== undefined) fs.writeFileSync(path.join(dir, 'onnx/vision_model.onnx'), spec.visionBytes);
  else writeOnnxModel(path.join(dir, 'onnx/vision_model.onnx'), graph('vision', spec.vision, VISION_IN));
  writeOnnxModel(path.join(dir, 'onnx/text_model.onnx'), graph('text', spec.text, TEXT_IN));
  return dir;
}

async function refusal(dir: string, variant: 'fp32' | 'fp16' | 'quantized' = 'fp32'): Promise<SightlineError> {
  const err = await loadModelFiles(dir, variant).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SightlineError);
  return err as SightlineError;
}

describe('loadModelFiles on a complete directory', () => {
  it('returns the paths, preprocessing and text settings of the generated tiny model', async () => {
    const dir = tinyModelDir();
    const model = await loadModelFiles(dir, 'fp32');
    expect(model).toMatchObject({
      dir,
      variant: 'fp32',
      visionModelPath: path.join(dir, 'onnx/vision_model.onnx'),
      textModelPath: path.join(dir, 'onnx/text_model.onnx'),
      image: { height: 224, width: 224, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], rescaleFactor: 1 / 255, resample: 3 },
      text: { maxLength: 64 },
      embeddingDim: 768,
    });
    expect(model.tokenizerJson).toMatchObject({ model: { type: 'Unigram' } });
    expect(model.tokenizerConfig).toMatchObject({ eos_token: '</s>' });
  });

  it('selects each variant by the published file names', async () => {
    const dir = tinyModelDir();
    expect((await loadModelFiles(dir, 'fp16')).visionModelPath).toBe(path.join(dir, 'onnx/vision_model_fp16.onnx'));
    expect((await loadModelFiles(dir, 'quantized')).textModelPath).toBe(path.join(dir, 'onnx/text_model_quantized.onnx'));
    expect((await loadModelFiles(dir, 'int8')).visionModelPath).toBe(path.join(dir, 'onnx/vision_model_int8.onnx'));
    expect((await loadModelFiles(dir, 'uint8')).textModelPath).toBe(path.join(dir, 'onnx/text_model_uint8.onnx'));
  });

  it('accepts symbolic image sizes and config.json files that leave SigLIP defaults out, as exports do', async () => {
    const dir = makeModelDir({
      json: { 'config.json': { model_type: 'siglip', text_config: {}, vision_config: {} } },
      vision: { inputs: [{ ...VISION_IN, dims: ['batch_size', 'num_channels', 'height', 'width'] }] },
    });
    expect((await loadModelFiles(dir, 'fp32')).image.height).toBe(224);
  });

  it('names a generated model as a random-weight test model, and a directory without its record as SigLIP', async () => {
    const generated = await loadModelFiles(makeModelDir(), 'fp32');
    expect(generated.generated).toEqual({ label: 'tiny', seed: 0 });
    expect(generated.description).toBe('generated test model (random weights, seed 0), "tiny" SigLIP-architecture shape');
    const { sightline_generated: _record, ...exported } = JSON.parse(fs.readFileSync(path.join(tinyModelDir(), 'config.json'), 'utf8'));
    const siglip = await loadModelFiles(makeModelDir({ json: { 'config.json': exported } }), 'fp32');
    expect(siglip.generated).toBeUndefined();
    expect(siglip.description).toBe('google/siglip-base-patch16-224');
  });

  it('reads mean, std and size from preprocessor_config.json', async () => {
    const dir = makeModelDir({
      json: { 'preprocessor_config.json': { image_mean: [0.4, 0.5, 0.6], image_std: 0.25, size: { height: 224, width: 224 } } },
    });
    const { image } = await loadModelFiles(dir, 'fp32');
    expect(image.mean).toEqual([0.4, 0.5, 0.6]);
    expect(image.std).toEqual([0.25, 0.25, 0.25]);
  });
});

describe('loadModelFiles refuses what it cannot use', () => {
  it('MODEL_NOT_FOUND for a directory that does not exist, saying how to get a model', async () => {
    const err = await refusal(path.join(root, 'nowhere'));
    expect(err.code).toBe(ErrorCode.MODEL_NOT_FOUND);
    expect(err.message).toContain('npm run model:download');
    expect(err.message).toContain('MODEL_DIR');
  });

  it('MODEL_NOT_FOUND for an empty directory', async () => {
    const dir = fs.mkdtempSync(path.join(root, 'empty-'));
    expect((await refusal(dir)).code).toBe(ErrorCode.MODEL_NOT_FOUND);
  });

  it('names every missing file', async () => {
    const err = await refusal(makeModelDir({ json: { 'tokenizer.json': null, 'preprocessor_config.json': null } }));
    expect(err.code).toBe(ErrorCode.MODEL_INVALID);
    expect(err.message).toContain('tokenizer.json');
    expect(err.message).toContain('preprocessor_config.json');
  });

  it('names the variant files a missing variant needs', async () => {
    const err = await refusal(makeModelDir(), 'fp16');
    expect(err.code).toBe(ErrorCode.MODEL_INVALID);
    expect(err.message).toContain('onnx/vision_model_fp16.onnx');
  });

  it('names a JSON file that does not parse', async () => {
    const err = await refusal(makeModelDir({ json: { 'config.json': '{"model_type": "siglip",' } }));
    expect(err.code).toBe(ErrorCode.MODEL_INVALID);
    expect(err.message).toMatch(/^config\.json: not valid JSON/);
  });

  it('names the field of preprocessor_config.json that is wrong', async () => {
    const err = await refusal(makeModelDir({ json: { 'preprocessor_config.json': { image_mean: 'gray' } } }));
    expect(err.message).toMatch(/^preprocessor_config\.json: image_mean/);
  });

  it('refuses a config.json of another model family', async () => {
    const err = await refusal(makeModelDir({ json: { 'config.json': { model_type: 'clip' } } }));
    expect(err.message).toMatch(/^config\.json: model_type/);
  });

  it('refuses an image size the vision model was not exported for', async () => {
    const dir = makeModelDir({
      json: { 'preprocessor_config.json': { size: { height: 256, width: 256 } }, 'config.json': { model_type: 'siglip', vision_config: { image_size: 256 } } },
    });
    const err = await refusal(dir);
    expect(err.message).toContain('onnx/vision_model.onnx: pixel_values height');
  });

  it('refuses a vision model whose pooler_output is 512 wide', async () => {
    const err = await refusal(makeModelDir({ vision: { outputs: [{ ...POOLED, dims: ['batch_size', 512] }] } }));
    expect(err.code).toBe(ErrorCode.MODEL_INVALID);
    expect(err.message).toBe('onnx/vision_model.onnx: pooler_output width is 512, expected 768');
    expect(err.details.file).toBe('onnx/vision_model.onnx');
  });

  it('refuses a text model whose input is not 64 tokens long', async () => {
    const err = await refusal(makeModelDir({ text: { inputs: [{ ...TEXT_IN, dims: ['batch_size', 77] }] } }));
    expect(err.message).toBe('onnx/text_model.onnx: input_ids length is 77, expected 64');
  });

  it('refuses a text model that needs an attention mask Sightline does not feed', async () => {
    const mask: ValueInfoSpec = { name: 'attention_mask', elemType: DataType.INT64, dims: ['batch_size', 64] };
    const err = await refusal(makeModelDir({ text: { inputs: [TEXT_IN, mask] } }));
    expect(err.message).toBe('onnx/text_model.onnx: expected one input, found input_ids, attention_mask');
  });

  it('refuses models with wrong input or output names', async () => {
    const renamed = await refusal(makeModelDir({ vision: { inputs: [{ ...VISION_IN, name: 'pixels' }] } }));
    expect(renamed.message).toBe('onnx/vision_model.onnx: expected input pixel_values, found pixels');
    const noPooler = await refusal(makeModelDir({ text: { outputs: [{ ...POOLED, name: 'text_embeds' }] } }));
    expect(noPooler.message).toContain('onnx/text_model.onnx: no pooler_output');
  });

  it('refuses a file that is not an ONNX model, naming it', async () => {
    const err = await refusal(makeModelDir({ visionBytes: 'version https://git-lfs.github.com/spec/v1\n' }));
    expect(err.code).toBe(ErrorCode.MODEL_INVALID);
    expect(err.message).toMatch(/^vision_model\.onnx: not a readable ONNX model/);
  });
});
