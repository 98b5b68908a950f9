/**
 * A collection's feature extractor, in the form clients send it
 * (`feature_extractor_name`, `version`, `input_mappings`, `field_passthrough`,
 * `parameters`). Validated once, at the edge; trusted everywhere after.
 */
import { z } from 'zod';
import { ErrorCode, SightlineError } from '../errors.ts';
import { DEFAULT_FEATURE, FEATURE_NAMES, featureByName, type FeatureDescriptor } from '../extractor/features/index.ts';
import { fieldPathProblem } from '../store/payload-path.ts';
import { SYSTEM_FIELDS } from './document-fields.ts';
import { FIELD_TYPES, fitsFieldType, type FieldType } from './field-types.ts';

const path = z.string().superRefine((text, ctx) => {
  const problem = fieldPathProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});
const json: z.ZodType<unknown> = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.unknown()), z.record(z.string(), z.unknown())]);

const schema = z.strictObject({
  feature_extractor_name: z.string(),
  version: z.string(),
  input_mappings: z.strictObject({ image: path }),
  field_passthrough: z
    .array(
      z.strictObject({
        source_path: path,
        target_path: path.optional(),
        default: json.optional(),
        required: z.boolean().optional(),
        // Optional: collections made before types existed have none.
        type: z.enum(FIELD_TYPES).optional(),
      }),
    )
    .default([]),
  // `model` picks the collection's feature by its output name; none (every collection made before models were
  // data, and the seed's `parameters: {}`) is the seed's SigLIP base.
  parameters: z
    .strictObject({
      enable_thumbnails: z.boolean().default(false),
      model: z
        .string()
        .refine((name) => featureByName(name) !== undefined, { message: `model must be one of ${FEATURE_NAMES.join(', ')}` })
        .default(DEFAULT_FEATURE.outputName),
    })
    .prefault({}),
});

export interface Passthrough {
  sourcePath: string;
  targetPath: string;
  default?: unknown;
  required: boolean;
  /** Declared type; undefined for an undeclared field (see payload-indexes.ts). */
  type?: FieldType;
}

export interface ExtractorConfig {
  featureExtractorName: FeatureDescriptor['name'];
  version: FeatureDescriptor['version'];
  inputMappings: { image: string };
  fieldPassthrough: Passthrough[];
  /** `model`: the output name of the collection's feature (features/); the store records the binding it implies. */
  parameters: { enableThumbnails: boolean; model: string };
}

/** The feature a (validated) extractor configuration binds its collection to. */
export function configuredFeature(c: ExtractorConfig): FeatureDescriptor {
  return featureByName(c.parameters.model) ?? DEFAULT_FEATURE;
}

const invalid = (message: string) => new SightlineError(ErrorCode.INVALID_EXTRACTOR_CONFIG, message);

export function parseExtractorConfig(input: unknown): ExtractorConfig {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw invalid(`invalid feature extractor: ${problems.join('; ')}`);
  }
  const c = parsed.data;
  if (c.feature_extractor_name !== DEFAULT_FEATURE.name || c.version !== DEFAULT_FEATURE.version) {
    throw invalid(
      `unknown feature extractor ${c.feature_extractor_name}@${c.version}; this server provides ${DEFAULT_FEATURE.name}@${DEFAULT_FEATURE.version}`,
    );
  }
  const fieldPassthrough = c.field_passthrough.map((p) => ({
    sourcePath: p.source_path,
    targetPath: p.target_path ?? p.source_path,
    ...(p.default === undefined ? {} : { default: p.default }),
    required: p.required ?? false,
    ...(p.type === undefined ? {} : { type: p.type }),
  }));
  const targets = new Set<string>();
  for (const p of fieldPassthrough) {
    const root = p.targetPath.split('.')[0] as string;
    if ((SYSTEM_FIELDS as readonly string[]).includes(root)) {
      throw invalid(`field_passthrough target "${p.targetPath}" collides with the system field "${root}"`);
    }
    if (targets.has(p.targetPath)) throw invalid(`field_passthrough target "${p.targetPath}" is used twice`);
    if (p.type !== undefined && p.default !== undefined && !fitsFieldType(p.default, p.type)) {
      throw invalid(`field_passthrough "${p.targetPath}" is declared ${p.type}, but its default ${JSON.stringify(p.default)} is not one`);
    }
    targets.add(p.targetPath);
  }
  return {
    featureExtractorName: DEFAULT_FEATURE.name,
    version: DEFAULT_FEATURE.version,
    inputMappings: { image: c.input_mappings.image },
    fieldPassthrough,
    parameters: { enableThumbnails: c.parameters.enable_thumbnails, model: c.parameters.model },
  };
}

/** The client's form; a type rather than an interface, so it is also a store payload. */
export type SerialisedExtractorConfig = {
  feature_extractor_name: string;
  version: string;
  input_mappings: { image: string };
  field_passthrough: Array<{ source_path: string; target_path: string; default?: unknown; required: boolean; type?: FieldType }>;
  parameters: { enable_thumbnails: boolean; model: string };
};

/** Back to the client's form, for storage and for the API. */
export function serialiseExtractorConfig(c: ExtractorConfig): SerialisedExtractorConfig {
  return {
    feature_extractor_name: c.featureExtractorName,
    version: c.version,
    input_mappings: { ...c.inputMappings },
    field_passthrough: c.fieldPassthrough.map((p) => ({
      source_path: p.sourcePath,
      target_path: p.targetPath,
      ...(p.default === undefined ? {} : { default: p.default }),
      required: p.required,
      ...(p.type === undefined ? {} : { type: p.type }),
    })),
    parameters: { enable_thumbnails: c.parameters.enableThumbnails, model: c.parameters.model },
  };
}
