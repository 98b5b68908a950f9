/**
 * `sightline inference-server`: serves this model directory's two towers over
 * the KServe v2 inference protocol, from onnxruntime-node in worker threads
 * (CPU or CUDA, as EXECUTION_PROVIDER says). Another Sightline server points
 * INFERENCE_BACKEND=kserve and INFERENCE_URL at it, exactly as it would at
 * Triton serving `sightline triton-repo`'s repository.
 */
import type { FeatureDescriptor, ModelVariant } from '../extractor/features/index.ts';
import { inProcessInference } from '../extractor/inference/in-process.ts';
import type { SessionOptions } from '../extractor/inference/onnx-sessions.ts';
import { startKserveServer, type RunningKserveServer, type ServedModel } from '../extractor/inference/kserve-server.ts';
import { towerSpecs } from '../extractor/inference/tower-specs.ts';
import { loadModelFiles } from '../extractor/model-files.ts';
import { modelSettings } from '../extractor/model-set.ts';
import type { Logger } from '../logger.ts';
import { parseCommandArgs, positiveInt, printJsonLine, UsageError } from './cli-args.ts';
import { cliContext, modelFlag } from './cli-runtime.ts';

const USAGE = `usage: sightline inference-server [--host HOST] [--port N] [--model NAME[,NAME...]] [--model-dir DIR] [--max-batch N] [--max-queued N]

Serves each model's vision and text towers (the default model unless --model names others) over the KServe v2
protocol (Triton's HTTP protocol) until SIGINT or SIGTERM. Prints {"url", "models"} once listening. --host defaults to 127.0.0.1 (this machine only): give 0.0.0.0 to
serve other hosts. --port defaults to 8000, Triton's; 0 picks a free one. MODEL_DIR, MODEL_VARIANT, EXECUTION_PROVIDER,
CUDA_DEVICE_ID and INFERENCE_THREADS apply as they do to the server; another model is read from MODELS_DIR/<its folder>
unless --model-dir names the one model's directory.`;

export interface InferenceServerOptions {
  /** Each feature served, with its model directory. */
  models: Array<{ feature: FeatureDescriptor; dir: string }>;
  variant: ModelVariant;
  session: SessionOptions;
  host: string;
  port: number;
  maxBatch: number;
  maxQueued: number;
  logger: Logger;
}

/** Loads each model's towers (worker threads each) and serves them; what the command runs, and what the loopback tests run. */
export async function startInferenceServer(opts: InferenceServerOptions): Promise<RunningKserveServer & { models: string[] }> {
  const served: ServedModel[] = [];
  const closeAll = () => Promise.all(served.map((m) => m.backend.close()));
  try {
    for (const { feature, dir } of opts.models) {
      const model = await loadModelFiles(dir, opts.variant, feature);
      const towers = towerSpecs(feature, { vision: model.visionModelPath, text: model.textModelPath });
      served.push({ towers, backend: await inProcessInference({ session: opts.session }).open(towers) });
    }
    const server = await startKserveServer({ ...opts, models: served });
    return {
      url: server.url,
      models: served.flatMap((m) => [m.towers.vision.modelName, m.towers.text.modelName]),
      async close() {
        await server.close();
        await closeAll();
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

function port(value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be 0 to 65535, got "${value}"\n${USAGE}`);
  return n;
}

export async function inferenceServerCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8000' },
      model: { type: 'string' },
      'model-dir': { type: 'string' },
      'max-batch': { type: 'string', default: '16' },
      'max-queued': { type: 'string', default: '16' },
    },
    USAGE,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n${USAGE}`);
  const ctx = cliContext();
  const inference = ctx.config.inference;
  if (inference.kind !== 'in-process') {
    throw new UsageError('inference-server runs the model itself: unset INFERENCE_BACKEND (it is kserve here) on this host');
  }
  const names = values.model === undefined ? [undefined] : values.model.split(',').map((n) => n.trim());
  const features = [...new Set(names.map((name) => modelFlag(name, USAGE)))];
  if (values['model-dir'] !== undefined && features.length > 1) throw new UsageError(`--model-dir reads one model; name one --model\n${USAGE}`);
  const server = await startInferenceServer({
    models: features.map((feature) => ({ feature, dir: values['model-dir'] ?? modelSettings(feature, ctx.config.model).dir })),
    variant: ctx.config.model.variant,
    session: { executionProvider: inference.executionProvider, cudaDeviceId: inference.cudaDeviceId, threads: inference.threads },
    host: values.host,
    port: port(values.port),
    maxBatch: positiveInt(values['max-batch'], '--max-batch') as number,
    maxQueued: positiveInt(values['max-queued'], '--max-queued') as number,
    logger: ctx.logger.child({ component: 'inference-server' }),
  });
  printJsonLine({ url: server.url, models: server.models });
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  ctx.logger.info('stopping the inference server', { signal });
  await server.close();
  return 0;
}
