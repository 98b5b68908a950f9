/**
 * Deleting documents or a collection removes what ingest made for them: the
 * points and their thumbnails (local folder or S3). Thumbnails go first, so a
 * failure leaves documents to retry the delete on, never a document gone and
 * its thumbnail still downloadable.
 */
import type { BlobStore } from '../blob/blob-store.ts';
import type { Filter } from '../store/filter.ts';
import { canonicalPointId } from '../store/point-id.ts';
import { deleteSelector } from '../store/store-input.ts';
import type { PointSelector, VectorStore } from '../store/vector-store.ts';
import { thumbnailFolder, thumbnailKey } from '../media/index.ts';

export interface Removal {
  /** Returns how many documents were deleted. */
  documents(collection: string, selector: PointSelector): Promise<number>;
  /** False when there was no such collection (its leftover thumbnails are still swept). */
  collection(name: string): Promise<boolean>;
}

// Documents matched by a filter are deleted a page at a time, by id, so every
// deleted document's thumbnail is known, whatever an ingest adds meanwhile.
const FILTER_PAGE = 1000;

export function createRemoval({ store, thumbnails }: { store: VectorStore; thumbnails: BlobStore }): Removal {

  const byIds = async (collection: string, ids: string[]) => {
    const keys = ids.flatMap((id) => {
      const canonical = canonicalPointId(id);
      return canonical === undefined ? [] : [thumbnailKey(collection, canonical)];
    });
    await thumbnails.delete(keys);
    return store.delete(collection, { ids });
  };

  const byFilter = async (collection: string, filter: Filter) => {
    let deleted = 0;
    for (;;) {
      const page = await store.scroll(collection, { filter, limit: FILTER_PAGE });
      if (page.length === 0) return deleted;
      deleted += await byIds(collection, page.map((p) => p.id));
    }
  };

  return {
    documents: (collection, request) => {
      const selector = deleteSelector(request);
      if ('ids' in selector) return byIds(collection, selector.ids);
      // `all: true` is Qdrant's empty filter, which selects every document.
      return byFilter(collection, 'filter' in selector ? selector.filter : {});
    },
    async collection(name) {
      const deleted = await store.deleteCollection(name);
      await thumbnails.deletePrefix(thumbnailFolder(name));
      return deleted;
    },
  };
}
