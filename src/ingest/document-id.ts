/**
 * A document's id is derived from where it came from, so ingesting the same
 * object again updates its documents instead of adding twins. UUID-shaped
 * (version 8, RFC 9562: "custom") because Qdrant accepts only UUIDs or integers.
 */
import { createHash } from 'node:crypto';

export function documentId(collection: string, sourceLabel: string, pageNumber: number | undefined): string {
  const h = createHash('sha256').update(`${collection}\n${sourceLabel}\n${pageNumber ?? 0}`).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x80;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
