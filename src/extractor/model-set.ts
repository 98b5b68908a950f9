/**
 * One model per feature, each with its own lifecycle (absent → downloading →
 * loading → ready | failed). The server starts the default model and the
 * models its collections are bound to; a model no collection used yet starts
 * when a collection bound to it is created, or when it is first asked for.
 * Readiness is per model.
 */
import path from 'node:path';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { ImageExtractor } from './extractor.ts';
import { DEFAULT_FEATURE, FEATURES, type FeatureDescriptor } from './features/index.ts';
import type { InferenceProvider } from './inference/inference-port.ts';
import { createModelLifecycle, type ModelLifecycle } from './model-lifecycle.ts';

export interface ModelSet {
  /** The lifecycle of `feature`'s model (absent until started). */
  get(feature: FeatureDescriptor): ModelLifecycle;
  /** Starts `feature`'s model unless it is already started; resolves when it is ready. */
  start(feature: FeatureDescriptor): Promise<ImageExtractor>;
  /** `feature`'s loaded extractor; MODEL_NOT_READY before that, and its load is started if it was not. */
  extractor(feature: FeatureDescriptor): ImageExtractor;
  /** The models started so far (the default first), for readiness. */
  started(): FeatureDescriptor[];
  close(): Promise<void>;
}

/**
 * Where `feature`'s model lives and comes from. The default feature keeps
 * MODEL_DIR, MODEL_DOWNLOAD_URL and MODEL_LOGITS_URL; every other feature has
 * its sub-directory of MODELS_DIR and the registry's download source.
 */
export function modelSettings(feature: FeatureDescriptor, model: Config['model']): Config['model'] {
  if (feature === DEFAULT_FEATURE) return model;
  return {
    ...model,
    dir: path.join(model.modelsDir, feature.dirName),
    downloadUrl: feature.download.baseUrl,
    logitsUrl: feature.download.logitsUrl,
  };
}

export function createModelSet(opts: { model: Config['model']; inference: InferenceProvider; logger: Logger; metrics?: Metrics }): ModelSet {
  const lifecycles = new Map(
    FEATURES.map((feature) => [
      feature,
      createModelLifecycle({
        feature,
        model: modelSettings(feature, opts.model),
        inference: opts.inference,
        logger: opts.logger.child({ feature: feature.outputName }),
        metrics: opts.metrics,
      }),
    ]),
  );
  const startedOrder: FeatureDescriptor[] = [];
  const get = (feature: FeatureDescriptor) => lifecycles.get(feature)!;
  const start = (feature: FeatureDescriptor) => {
    if (!startedOrder.includes(feature)) startedOrder.push(feature);
    return get(feature).start();
  };
  return {
    get,
    start,
    extractor(feature) {
      // A failure is reported through the lifecycle's state (readiness, MODEL_NOT_READY), not here.
      if (get(feature).state().phase === 'absent') start(feature).catch(() => undefined);
      return get(feature).extractor();
    },
    started: () => [...startedOrder],
    async close() {
      await Promise.all([...lifecycles.values()].map((l) => l.close()));
    },
  };
}
