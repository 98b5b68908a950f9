/**
 * Point ids are UUIDs. Qdrant answers with the lower-case hyphenated form and
 * orders ids by their 128-bit value, which is also the order of that string,
 * so both stores canonicalise ids on the way in.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The canonical form of a UUID, or undefined when `id` is not one. */
export function canonicalPointId(id: unknown): string | undefined {
  return typeof id === 'string' && UUID.test(id) ? id.toLowerCase() : undefined;
}
