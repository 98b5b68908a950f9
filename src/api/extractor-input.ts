/** GraphQL's camelCase extractor input → the seed's (Mixpeek's) snake_case form the services keep. */
import type { FieldType } from '../collections/field-types.ts';
import type { FeatureExtractorConfig, FieldPassthrough } from './services.ts';
import type { FeatureExtractorInput, FieldPassthroughInput } from './generated/resolvers-types.ts';

export function toExtractorConfig(input: FeatureExtractorInput): FeatureExtractorConfig {
  return {
    feature_extractor_name: input.featureExtractorName,
    version: input.version,
    input_mappings: { image: input.inputMappings.image },
    field_passthrough: (input.fieldPassthrough ?? []).map(toPassthrough),
    parameters: {
      enable_thumbnails: input.parameters?.enableThumbnails ?? false,
      ...(input.parameters?.model == null ? {} : { model: input.parameters.model }),
    },
  };
}

function toPassthrough(input: FieldPassthroughInput): FieldPassthrough {
  const passthrough: FieldPassthrough = { source_path: input.sourcePath, required: input.required ?? false };
  if (input.targetPath != null) passthrough.target_path = input.targetPath;
  if (input.default != null) passthrough.default = input.default;
  if (input.type != null) passthrough.type = input.type.toLowerCase() as FieldType;
  return passthrough;
}
