/**
 * Embeddings of recent query texts, so a repeated query (paging, a refreshed
 * page, a popular search) skips the text tower. Keyed by the model and the
 * text as the tokenizer normalises it, so two spellings the model cannot tell
 * apart share an entry and two models never do. Least recently used entries
 * go first; the bound is in entries, each about 3 KB for 768 floats and 64 ids.
 */

export interface CachedTextEmbedding {
  embedding: Float32Array;
  inputIds: number[];
}

export interface TextEmbeddingCache {
  /** A copy of the cached value, so callers cannot change what later hits return. */
  get(model: string, normalisedText: string): CachedTextEmbedding | undefined;
  set(model: string, normalisedText: string, value: CachedTextEmbedding): void;
  readonly size: number;
}

const keyOf = (model: string, text: string) => `${model}\u0000${text}`;
const copy = (v: CachedTextEmbedding): CachedTextEmbedding => ({ embedding: v.embedding.slice(), inputIds: [...v.inputIds] });

/** `maxEntries` 0 caches nothing. */
export function createTextEmbeddingCache(maxEntries: number): TextEmbeddingCache {
  const entries = new Map<string, CachedTextEmbedding>();
  return {
    get(model, text) {
      const key = keyOf(model, text);
      const hit = entries.get(key);
      if (!hit) return undefined;
      // Map keeps insertion order: re-inserting marks the entry most recently used.
      entries.delete(key);
      entries.set(key, hit);
      return copy(hit);
    },
    set(model, text, value) {
      if (maxEntries === 0) return;
      const key = keyOf(model, text);
      entries.delete(key);
      entries.set(key, copy(value));
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    get size() {
      return entries.size;
    },
  };
}
