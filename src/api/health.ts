/** /healthz: the process answers. /readyz: it can do its work (model, store, object storage). */
import type { ServerResponse } from 'node:http';
import { toSightlineError } from '../errors.ts';
import type { Readiness, Services } from './services.ts';
import { sendJson } from './http-io.ts';

/** A probe that hangs is itself a "not ready". */
const READINESS_TIMEOUT_MS = 5_000;

export function sendHealth(res: ServerResponse): void {
  sendJson(res, 200, { status: 'ok' }, { 'cache-control': 'no-store' });
}

export async function sendReadiness(res: ServerResponse, services: Services, signal: AbortSignal): Promise<void> {
  let checks: Readiness | { readiness: { ok: false; reason: string } };
  try {
    checks = await services.readiness(AbortSignal.any([signal, AbortSignal.timeout(READINESS_TIMEOUT_MS)]));
  } catch (err) {
    checks = { readiness: { ok: false, reason: toSightlineError(err).message } };
  }
  const ready = Object.values(checks).every((c) => c.ok);
  sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks }, { 'cache-control': 'no-store' });
}
