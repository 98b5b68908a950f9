/**
 * Finds and checks a SigLIP model directory (the layout of
 * Xenova/siglip-base-patch16-224) before any session is opened, so a bad
 * directory is refused at start-up with the file and the problem named,
 * rather than failing on the first query. The ONNX files are checked by their
 * declared inputs and outputs, read without loading the weights.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ErrorCode, SightlineError } from '../errors.ts';
import { readModelLogits, type SiglipLogits } from './model-logits.ts';
import { DEFAULT_FEATURE, type FeatureDescriptor, type ModelVariant } from './features/index.ts';
import { readOnnxSummary, type OnnxSummary, type OnnxValueInfo } from './onnx-signature.ts';


export interface ModelFiles {
  /** The feature this directory serves: its dimension and image size were checked against the files. */
  feature: FeatureDescriptor;
  dir: string;
  variant: ModelVariant;
  visionModelPath: string;
  textModelPath: string;
  image: {
    height: number;
    width: number;
    mean: [number, number, number];
    std: [number, number, number];
    rescaleFactor: number;
    /** PIL resample filter; 3 is bicubic, SigLIP's. */
    resample: number;
  };
  /** SigLIP was trained on texts padded to exactly this many tokens (64). */
  text: { maxLength: number };
  tokenizerJson: unknown;
  tokenizerConfig: unknown;
  embeddingDim: number;
  /**
   * What the weights are, for logs, /readyz and the `extractors` query: the
   * SigLIP model, or a generated test model whose embeddings are random.
   */
  description: string;
  /** Set when `npm run model:generate` wrote the directory (config.json's `sightline_generated`). */
  generated?: { label: string; seed: number };
  /** SigLIP's calibration scalars (model-logits.ts); null for a directory made before they were recorded. */
  logits: SiglipLogits | null;
}

const ONNX_FLOAT = 1;
const ONNX_INT64 = 7;
/** The JSON files every model directory holds beside its two ONNX towers. */
export const MODEL_JSON_FILES = ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;

const VARIANT_SUFFIX: Record<ModelVariant, string> = {
  fp32: '',
  fp16: '_fp16',
  quantized: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
};

/** Where a tower's file of a variant lives in a model directory, as Xenova's exports name them. */
export function onnxModelPath(tower: 'vision' | 'text', variant: ModelVariant): string {
  return `onnx/${tower}_model${VARIANT_SUFFIX[variant]}.onnx`;
}

const howToGetModel = (dir: string, feature: FeatureDescriptor) => {
  const setting = feature === DEFAULT_FEATURE ? 'set MODEL_DIR to' : `set MODELS_DIR to a folder whose ${feature.dirName}/ is`;
  return (
    `no SigLIP model in ${dir}: run \`npm run model:download -- --model ${feature.outputName}\` to fetch ${feature.model} there, ` +
    `or ${setting} a directory that holds one ` +
    `(\`npm run model:generate -- --model ${feature.outputName} --size full --out DIR\` makes a test model)`
  );
};

function invalid(file: string, problem: string): SightlineError {
  return new SightlineError(ErrorCode.MODEL_INVALID, `${file}: ${problem}`, { file });
}

const positiveInt = z.number().int().positive();
const triple = (item: z.ZodNumber) =>
  z.union([item, z.array(item).length(3)]).transform((v) => (typeof v === 'number' ? [v, v, v] : v) as [number, number, number]);

/** SiglipImageProcessor's fields; absent ones take its defaults, as Hugging Face does. */
const preprocessorSchema = z.object({
  size: z.object({ height: positiveInt, width: positiveInt }).prefault({ height: 224, width: 224 }),
  image_mean: triple(z.number()).prefault([0.5, 0.5, 0.5]),
  image_std: triple(z.number().positive()).prefault([0.5, 0.5, 0.5]),
  rescale_factor: z.number().positive().default(1 / 255),
  resample: z.number().int().min(0).max(5).default(3),
  do_rescale: z.boolean().default(true),
  do_normalize: z.boolean().default(true),
});

/**
 * Only what the loader cross-checks. Google's own config.json leaves out what
 * equals SiglipConfig's defaults, so absent fields take those (Hugging Face's
 * class defaults, which happen to be SigLIP base's shape).
 */
const configSchema = z.object({
  model_type: z.literal('siglip').optional(),
  text_config: z.object({ max_position_embeddings: positiveInt.default(64) }).prefault({}),
  vision_config: z.object({ hidden_size: positiveInt.default(768), image_size: positiveInt.default(224) }).prefault({}),
  // The generator's record (model-generate/model-json.ts): a directory that has it holds random weights.
  sightline_generated: z.object({ label: z.string(), seed: z.number() }).optional(),
});

/** The name users see for the model in `dir`: never SigLIP's for random weights. */
export function describeModel(generated: ModelFiles['generated'], feature: FeatureDescriptor): string {
  if (generated === undefined) return feature.model;
  const shape = generated.label === 'base' || generated.label === 'full' ? `${feature.model}'s shape` : `"${generated.label}" SigLIP-architecture shape`;
  return `generated test model (random weights, seed ${generated.seed}), ${shape}`;
}

async function readJson(dir: string, name: string): Promise<unknown> {
  const raw = await fs.readFile(path.join(dir, name), 'utf8');
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw invalid(name, `not valid JSON (${(err as Error).message})`);
  }
}

function parseWith<T extends z.ZodType>(schema: T, value: unknown, name: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
  throw invalid(name, problems.join('; '));
}

function jsonObject(value: unknown, name: string): object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(name, 'expected a JSON object');
  return value;
}

/** The directory must exist and hold something; an empty one is "no model yet", not a broken one. */
async function assertModelPresent(dir: string, feature: FeatureDescriptor): Promise<void> {
  const entries = await fs.readdir(dir).catch(() => null);
  if (entries === null || entries.length === 0) {
    throw new SightlineError(ErrorCode.MODEL_NOT_FOUND, howToGetModel(dir, feature), { dir });
  }
}

async function assertFilesPresent(dir: string, names: string[], variant: ModelVariant): Promise<void> {
  const missing: string[] = [];
  for (const name of names) {
    const stat = await fs.stat(path.join(dir, name)).catch(() => null);
    if (!stat?.isFile()) missing.push(name);
  }
  if (missing.length > 0) {
    const hint = variant === 'fp32' ? '' : ` (MODEL_VARIANT=${variant} needs the *${VARIANT_SUFFIX[variant]}.onnx files)`;
    throw new SightlineError(ErrorCode.MODEL_INVALID, `${dir}: missing ${missing.join(', ')}${hint}`, {
      dir,
      missing: missing.join(','),
    });
  }
}

function describe(info: OnnxValueInfo): string {
  return `[${(info.dims ?? []).map((d) => d ?? '?').join(',')}]`;
}

function only(summary: OnnxSummary, name: string, file: string): { input: OnnxValueInfo; output: OnnxValueInfo } {
  const [input, ...extra] = summary.inputs;
  if (!input || extra.length > 0) {
    throw invalid(file, `expected one input, found ${summary.inputs.map((i) => i.name).join(', ') || 'none'}`);
  }
  if (input.name !== name) throw invalid(file, `expected input ${name}, found ${input.name}`);
  const output = summary.outputs.find((o) => o.name === 'pooler_output');
  if (!output) throw invalid(file, `no pooler_output among its outputs (${summary.outputs.map((o) => o.name).join(', ')})`);
  if (output.elemType !== ONNX_FLOAT) throw invalid(file, 'pooler_output must be float32');
  return { input, output };
}

/** A fixed dimension must equal `expected`; a symbolic one is accepted. */
function checkDim(actual: unknown, expected: number, file: string, what: string): void {
  if (typeof actual === 'number' && actual !== expected) throw invalid(file, `${what} is ${actual}, expected ${expected}`);
}

function checkEmbeddingWidth(output: OnnxValueInfo, expected: number, file: string): void {
  if (output.dims?.length !== 2) throw invalid(file, `pooler_output must be [batch, ${expected}], found ${describe(output)}`);
  checkDim(output.dims[1], expected, file, 'pooler_output width');
}

function checkVision(summary: OnnxSummary, file: string, height: number, width: number, dim: number): void {
  const { input, output } = only(summary, 'pixel_values', file);
  if (input.elemType !== ONNX_FLOAT) throw invalid(file, 'pixel_values must be float32');
  if (input.dims?.length !== 4) throw invalid(file, `pixel_values must be [batch,3,${height},${width}], found ${describe(input)}`);
  checkDim(input.dims[1], 3, file, 'pixel_values channels');
  checkDim(input.dims[2], height, file, 'pixel_values height (preprocessor_config.json size)');
  checkDim(input.dims[3], width, file, 'pixel_values width (preprocessor_config.json size)');
  checkEmbeddingWidth(output, dim, file);
}

function checkText(summary: OnnxSummary, file: string, length: number, dim: number): void {
  const { input, output } = only(summary, 'input_ids', file);
  if (input.elemType !== ONNX_INT64) throw invalid(file, 'input_ids must be int64');
  if (input.dims?.length !== 2) throw invalid(file, `input_ids must be [batch,${length}], found ${describe(input)}`);
  checkDim(input.dims[1], length, file, 'input_ids length');
  checkEmbeddingWidth(output, dim, file);
}

/**
 * Validates `dir` for `variant` as a model of `feature` and returns what the
 * extractor needs.
 * MODEL_NOT_FOUND when there is no model there at all (with how to get one);
 * MODEL_INVALID naming the file and the problem when it is incomplete or
 * inconsistent. With `weights: false` (inference on a remote server, which
 * holds the ONNX files) only the tokenizer and preprocessor files are needed;
 * the remote backend checks the towers' signatures against the server instead.
 */
export async function loadModelFiles(
  dir: string,
  variant: ModelVariant,
  feature: FeatureDescriptor = DEFAULT_FEATURE,
  opts: { weights?: boolean } = {},
): Promise<ModelFiles> {
  const weights = opts.weights ?? true;
  const root = path.resolve(dir);
  await assertModelPresent(root, feature);
  const vision = onnxModelPath('vision', variant);
  const text = onnxModelPath('text', variant);
  const jsonNames = MODEL_JSON_FILES;
  await assertFilesPresent(root, [...jsonNames, ...(weights ? [vision, text] : [])], variant);
  const [configRaw, preRaw, tokenizerJson, tokenizerConfig] = await Promise.all(jsonNames.map((n) => readJson(root, n)));
  const config = parseWith(configSchema, configRaw, 'config.json');
  const pre = parseWith(preprocessorSchema, preRaw, 'preprocessor_config.json');
  jsonObject(tokenizerJson, 'tokenizer.json');
  jsonObject(tokenizerConfig, 'tokenizer_config.json');

  const { height, width } = pre.size;
  const dim = feature.dimensions;
  const textLength = feature.textLength;
  checkDim(config.vision_config.hidden_size, dim, 'config.json', 'vision_config.hidden_size');
  checkDim(config.vision_config.image_size, height, 'config.json', 'vision_config.image_size (preprocessor_config.json size.height)');
  checkDim(width, height, 'preprocessor_config.json', 'size.width (SigLIP images are square)');
  checkDim(config.text_config.max_position_embeddings, textLength, 'config.json', 'text_config.max_position_embeddings');

  if (weights) {
    const [visionSummary, textSummary] = await Promise.all([
      readOnnxSummary(path.join(root, vision)),
      readOnnxSummary(path.join(root, text)),
    ]);
    checkVision(visionSummary, vision, height, width, dim);
    checkText(textSummary, text, textLength, dim);
  }
  // A directory of another model (another image size) must not serve this feature's collections.
  checkDim(height, feature.imageSize, 'preprocessor_config.json', `size.height (${feature.model} takes ${feature.imageSize} px)`);
  return {
    feature,
    dir: root,
    variant,
    visionModelPath: path.join(root, vision),
    textModelPath: path.join(root, text),
    image: {
      height,
      width,
      mean: pre.do_normalize ? pre.image_mean : [0, 0, 0],
      std: pre.do_normalize ? pre.image_std : [1, 1, 1],
      rescaleFactor: pre.do_rescale ? pre.rescale_factor : 1,
      resample: pre.resample,
    },
    text: { maxLength: textLength },
    tokenizerJson,
    tokenizerConfig,
    embeddingDim: dim,
    description: describeModel(config.sightline_generated, feature),
    ...(config.sightline_generated ? { generated: config.sightline_generated } : {}),
    logits: await readModelLogits(root),
  };
}
