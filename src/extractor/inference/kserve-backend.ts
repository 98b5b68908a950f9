/**
 * The remote backend: the towers run on a server speaking the KServe v2
 * inference protocol (Triton with `sightline triton-repo`'s repository, or
 * `sightline inference-server`). Sightline sends the tensors it made itself
 * and gets `pooler_output` back, so the weights need not be here at all.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, SightlineError, toSightlineError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { InferenceBackend, InferenceCheck, InferenceProvider, TowerSpec, TowerSpecs } from './inference-port.ts';
import { TOWERS } from './inference-port.ts';
import { createKserveClient, type KserveClient, type KserveClientOptions, type ModelMetadata } from './kserve-client.ts';

export interface KserveBackendOptions extends KserveClientOptions {
  logger: Logger;
  /**
   * Whether opening waits for a server that is not ready yet (a long-running
   * server: /readyz says "loading" meanwhile), or fails at once with
   * INFERENCE_UNAVAILABLE (a CLI command, where a person is waiting).
   */
  waitForServer: boolean;
}

/** The longest pause between start-up probes of a server that is not up yet. */
const MAX_STARTUP_POLL_MS = 5_000;

const shape = (dims: readonly number[]) => `[${dims.join(',')}]`;

/** A served dimension fits when it is the one we send or variable (-1). */
const fits = (served: readonly number[], ours: readonly number[]) =>
  served.length === ours.length && served.every((d, i) => d === -1 || d === ours[i]);

/** The served model must take our input and give pooler_output of our width; anything else would embed garbage. */
function checkMetadata(spec: TowerSpec, meta: ModelMetadata): void {
  const problems: string[] = [];
  const input = meta.inputs.find((i) => i.name === spec.input.name);
  const inputShape = [-1, ...spec.input.dims];
  if (!input) problems.push(`no input ${spec.input.name} (it has ${meta.inputs.map((i) => i.name).join(', ') || 'none'})`);
  else if (input.datatype !== spec.input.datatype) problems.push(`input ${input.name} is ${input.datatype}, expected ${spec.input.datatype}`);
  else if (!fits(input.shape, inputShape)) problems.push(`input ${input.name} has shape ${shape(input.shape)}, expected ${shape(inputShape)}`);
  if (meta.inputs.length !== 1) problems.push(`it takes ${meta.inputs.length} inputs, SigLIP's tower takes one`);
  const output = meta.outputs.find((o) => o.name === spec.output.name);
  const outputShape = [-1, ...spec.output.dims];
  if (!output) problems.push(`no output ${spec.output.name}`);
  else if (output.datatype !== 'FP32') problems.push(`output ${output.name} is ${output.datatype}, expected FP32`);
  else if (!fits(output.shape, outputShape)) problems.push(`output ${output.name} has shape ${shape(output.shape)}, expected ${shape(outputShape)}`);
  if (problems.length > 0) {
    throw new SightlineError(ErrorCode.MODEL_INVALID, `the inference server's model ${spec.modelName} does not fit this model directory: ${problems.join('; ')}`, {
      model: spec.modelName,
    });
  }
}

async function readiness(client: KserveClient, towers: TowerSpecs, signal?: AbortSignal): Promise<InferenceCheck> {
  try {
    if (!(await client.serverReady(signal))) return { ok: false, reason: 'the inference server is not ready (v2/health/ready)' };
    const models = await Promise.all(TOWERS.map(async (t) => [towers[t].modelName, await client.modelReady(towers[t].modelName, signal)] as const));
    const notReady = models.filter(([, ready]) => !ready).map(([name]) => name);
    return notReady.length === 0 ? { ok: true } : { ok: false, reason: `models not ready on the inference server: ${notReady.join(', ')}` };
  } catch (err) {
    return { ok: false, reason: toSightlineError(err).message };
  }
}

export function kserveInference(opts: KserveBackendOptions): InferenceProvider {
  const client = createKserveClient(opts);
  const description = `KServe v2 server at ${opts.url}`;

  /**
   * A server that is not up yet (Triton still loading, a GPU host rebooting)
   * is waited for, with the reason logged, until `signal` gives up: /readyz
   * says "loading" meanwhile, and the server becomes ready when inference does.
   */
  const waitUntilReady = async (towers: TowerSpecs, signal?: AbortSignal) => {
    for (let i = 0; ; i++) {
      const check = await readiness(client, towers, signal);
      if (check.ok) return;
      if (!opts.waitForServer) throw new SightlineError(ErrorCode.INFERENCE_UNAVAILABLE, check.reason, { url: opts.url });
      if (signal?.aborted) throw new SightlineError(ErrorCode.CANCELLED, 'stopped waiting for the inference server');
      const pause = Math.min(MAX_STARTUP_POLL_MS, 250 * 2 ** i);
      opts.logger.warn('waiting for the inference server', { url: opts.url, reason: check.reason, retryInMs: pause });
      await sleep(pause, undefined, signal ? { signal } : {}).catch(() => undefined);
    }
  };

  return {
    needsLocalWeights: false,
    async open(towers: TowerSpecs, signal?: AbortSignal): Promise<InferenceBackend> {
      await waitUntilReady(towers, signal);
      for (const tower of TOWERS) checkMetadata(towers[tower], await client.modelMetadata(towers[tower].modelName, signal));
      return {
        description,
        async infer(tower, input, callSignal) {
          const spec = towers[tower];
          const outputs = await client.infer(
            spec.modelName,
            [{ name: spec.input.name, datatype: spec.input.datatype, shape: [...input.dims], data: input.data }],
            [spec.output.name],
            callSignal,
          );
          const out = outputs.find((o) => o.name === spec.output.name);
          const rows = input.dims[0] as number;
          const expected = [rows, ...spec.output.dims];
          if (!out || !(out.data instanceof Float32Array) || out.shape.join() !== expected.join()) {
            const got = out ? `${out.datatype} ${shape(out.shape)}` : 'nothing';
            throw new SightlineError(ErrorCode.INFERENCE_FAILED, `${spec.modelName} returned ${got} for ${spec.output.name}, expected FP32 ${shape(expected)}`);
          }
          return out.data;
        },
        ready: (readySignal) => readiness(client, towers, readySignal),
        // Nothing is held open between calls: fetch's connection pool closes idle sockets itself.
        close: async () => undefined,
      };
    },
  };
}
