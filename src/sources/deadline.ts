/**
 * One fetch's time budget (FETCH_TIMEOUT_MS) joined with the caller's signal
 * (a client that went away). The budget covers the whole fetch, redirects and
 * body included: a server that trickles a byte a second cannot hold a worker.
 */
import { ErrorCode, SightlineError, isSightlineError } from '../errors.ts';

export interface Deadline {
  /** Aborts when the budget runs out or the caller gives up. */
  signal: AbortSignal;
  /** Names why the fetch was cut short, or undefined when it was not. */
  abortError(label: string): SightlineError | undefined;
}

export function startDeadline(timeoutMs: number, caller?: AbortSignal): Deadline {
  const budget = AbortSignal.timeout(timeoutMs);
  const signal = caller ? AbortSignal.any([caller, budget]) : budget;
  return {
    signal,
    abortError(label) {
      if (caller?.aborted) return callerAbortError(caller.reason, label);
      if (budget.aborted) {
        return new SightlineError(ErrorCode.SOURCE_TIMEOUT, `${label} did not arrive within ${timeoutMs} ms`, {
          source: label,
          timeoutMs,
        });
      }
      return undefined;
    },
  };
}

function callerAbortError(reason: unknown, label: string): SightlineError {
  if (isSightlineError(reason)) return reason;
  if (reason instanceof DOMException && reason.name === 'TimeoutError') {
    return new SightlineError(ErrorCode.SOURCE_TIMEOUT, `${label}: the caller's time limit ran out`, { source: label });
  }
  return new SightlineError(ErrorCode.SOURCE_FETCH_FAILED, `${label}: fetch cancelled`, {
    source: label,
    cancelled: true,
  });
}
