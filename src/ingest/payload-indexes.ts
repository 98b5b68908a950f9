/**
 * Passthrough fields are what users filter on, so each gets a payload index
 * (Qdrant needs one to filter large collections quickly; the embedded store
 * filters in memory and only checks the request). The index type follows the
 * first value seen for the field.
 */
import type { Passthrough } from '../collections/extractor-config.ts';
import { readField } from '../store/payload-path.ts';
import type { PayloadIndexType, VectorStore } from '../store/vector-store.ts';

export function indexTypeOf(value: unknown): PayloadIndexType | undefined {
  const sample = Array.isArray(value) ? value.find((v) => v !== null && v !== undefined) : value;
  switch (typeof sample) {
    case 'string':
      return 'keyword';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(sample) ? 'integer' : 'float';
    default:
      return undefined;
  }
}

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
      const type = done.has(id) ? undefined : indexTypeOf(readField(fields, rule.targetPath));
      return type ? [{ id, key: rule.targetPath, type }] : [];
    });
    if (wanted.length === 0) return;
    await store.ensurePayloadIndexes(collection.name, wanted.map(({ key, type }) => ({ key, type })));
    for (const w of wanted) done.add(w.id);
  };
}
