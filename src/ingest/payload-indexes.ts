/**
 * Passthrough fields are what users filter on, so each gets a payload index
 * (Qdrant needs one to filter large collections quickly, and answers is_null
 * over arrays through it; the embedded store filters in memory and only
 * checks the request). A declared type decides the index; an undeclared
 * field's index follows the first value seen, a number always a float, so
 * 10 then 19.99 cannot make an integer index that truncates ranges.
 */
import { inferredFieldType } from '../collections/field-types.ts';
import type { Passthrough } from '../collections/extractor-config.ts';
import { readField } from '../store/payload-path.ts';
import type { VectorStore } from '../store/vector-store.ts';

/**
 * Creates each field's index once per collection for the life of the process
 * (a collection deleted and created again is a new one: its creation time differs).
 */
export function createPayloadIndexer(store: VectorStore) {
  const done = new Set<string>();
  return async (
    collection: { name: string; createdAt: string },
    rules: readonly Passthrough[],
    fields: Record<string, unknown>,
  ): Promise<void> => {
    const wanted = rules.flatMap((rule) => {
      const id = `${collection.name}\u0000${collection.createdAt}\u0000${rule.targetPath}`;
      const type = done.has(id) ? undefined : (rule.type ?? inferredFieldType(readField(fields, rule.targetPath)));
      return type ? [{ id, key: rule.targetPath, type }] : [];
    });
    if (wanted.length === 0) return;
    await store.ensurePayloadIndexes(collection.name, wanted.map(({ key, type }) => ({ key, type })));
    for (const w of wanted) done.add(w.id);
  };
}
