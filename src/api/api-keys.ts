/**
 * Bearer API keys and what each may do. Every configured key is compared, each
 * in constant time over a fixed-length digest, so neither timing nor the
 * response tells a caller how close a guess came or how many keys exist.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { API_KEY_SCOPES, type ApiKeyGrant, type ApiKeyScope } from '../config.ts';

/** What the caller of one request may do. */
export interface Access {
  scopes: ReadonlySet<ApiKeyScope>;
  /** The collections it reaches; null for all of them. */
  collections: ReadonlySet<string> | null;
}

/** A server without keys, the CLI and in-process callers. */
export const FULL_ACCESS: Access = { scopes: new Set(API_KEY_SCOPES), collections: null };

/** `admin` includes every other scope: an operator's key does everything, as plain keys did before scopes. */
export function accessOf(grant: Pick<ApiKeyGrant, 'scopes' | 'collections'>): Access {
  const scopes = new Set<ApiKeyScope>(grant.scopes.includes('admin') ? FULL_ACCESS.scopes : grant.scopes);
  return { scopes, collections: grant.collections === null ? null : new Set(grant.collections) };
}

export function reachesCollection(access: Access, collection: string): boolean {
  return access.collections === null || access.collections.has(collection);
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** The access an Authorization header carries, or null when it carries none of the keys. */
export function createApiKeyCheck(grants: readonly ApiKeyGrant[]): (authorization: string | undefined) => Access | null {
  const keys = grants.map((grant) => ({ digest: digest(grant.key), access: accessOf(grant) }));
  return (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const presented = digest(match?.[1] ?? '');
    let found: Access | null = null;
    // No early exit: every key is compared whichever one matches.
    for (const key of keys) if (timingSafeEqual(key.digest, presented)) found = key.access;
    return match === null ? null : found;
  };
}
