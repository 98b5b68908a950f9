import type { Logger } from '../logger.ts';
import type { Access } from './api-keys.ts';
import type { Services } from './services.ts';

/** What every resolver gets for one request. */
export interface ApiContext {
  services: Services;
  requestId: string;
  /** Carries the request id. */
  logger: Logger;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
  /** What the request's API key may do (FULL_ACCESS when keys are off). */
  access: Access;
}
