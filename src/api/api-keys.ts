/**
 * Bearer API keys. Every configured key is compared, each in constant time
 * over a fixed-length digest, so neither timing nor the response tells a
 * caller how close a guess came or how many keys exist.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Returns whether an Authorization header carries one of the keys. */
export function createApiKeyCheck(keys: readonly string[]): (authorization: string | undefined) => boolean {
  const digests = keys.map(digest);
  return (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const presented = digest(match?.[1] ?? '');
    let found = false;
    for (const key of digests) found = timingSafeEqual(key, presented) || found;
    return found && match !== null;
  };
}
