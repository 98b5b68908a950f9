/**
 * A feature's two towers as a model server sees them: names, element types and
 * shapes, read from the features registry. The in-process backend, the KServe
 * client, `sightline inference-server` and `sightline triton-repo` all take
 * them from here, so the names a Triton repository declares are the names the
 * client sends.
 */
import type { FeatureDescriptor } from '../features/index.ts';
import type { Tower, TowerSpecs } from './inference-port.ts';

/** Only what the towers' signatures depend on. */
export type TowerShape = Pick<FeatureDescriptor, 'outputName' | 'dimensions' | 'imageSize' | 'textLength'>;

/** `<output name>_<tower>`, e.g. google_siglip_base_v1_vision: one model per tower on the server. */
export const towerModelName = (feature: Pick<FeatureDescriptor, 'outputName'>, tower: Tower) => `${feature.outputName}_${tower}`;

/** `files`: the local ONNX files, absent where inference runs on a remote server. */
export function towerSpecs(feature: TowerShape, files?: Record<Tower, string>): TowerSpecs {
  const output = { name: 'pooler_output', datatype: 'FP32' as const, dims: [feature.dimensions] as [number] };
  const file = (tower: Tower) => (files ? { file: files[tower] } : {});
  return {
    vision: {
      tower: 'vision',
      modelName: towerModelName(feature, 'vision'),
      input: { name: 'pixel_values', datatype: 'FP32', dims: [3, feature.imageSize, feature.imageSize] },
      output,
      ...file('vision'),
    },
    text: {
      tower: 'text',
      modelName: towerModelName(feature, 'text'),
      input: { name: 'input_ids', datatype: 'INT64', dims: [feature.textLength] },
      output,
      ...file('text'),
    },
  };
}
