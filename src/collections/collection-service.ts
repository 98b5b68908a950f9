/** Collections: a name bound to the image feature and its extractor configuration. */
import { ErrorCode, SightlineError } from '../errors.ts';
import { DEFAULT_FEATURE, featureBinding } from '../extractor/features/index.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { validateFilter, type Filter } from '../store/filter.ts';
import { assertCollectionName } from '../store/store-input.ts';
import type { CollectionRecord, FeatureBinding, VectorStore } from '../store/vector-store.ts';
import { parseExtractorConfig, serialiseExtractorConfig, type ExtractorConfig } from './extractor-config.ts';
import { checkFilterFields } from './filter-fields.ts';

export const IMAGE_FEATURE: FeatureBinding = featureBinding(DEFAULT_FEATURE);

export interface Collection {
  name: string;
  feature: FeatureBinding;
  extractor: ExtractorConfig;
  createdAt: string;
  documentCount: number;
}

function fromRecord(r: CollectionRecord): Collection {
  return {
    name: r.name,
    feature: r.feature,
    extractor: parseExtractorConfig(r.config),
    createdAt: r.createdAt,
    documentCount: r.pointCount,
  };
}

export interface CollectionService {
  create(name: string, featureExtractor: unknown): Promise<Collection>;
  list(): Promise<Collection[]>;
  get(name: string): Promise<Collection | undefined>;
  /** Like get, but a missing collection is COLLECTION_NOT_FOUND. */
  require(name: string): Promise<Collection>;
  /**
   * Validates a filter and checks it against the collection's fields
   * (filter-fields.ts): INVALID_FILTER for a key it does not have or a value
   * its type cannot hold; COLLECTION_NOT_FOUND. Returns the validated filter.
   */
  checkFilter(name: string, filter: unknown): Promise<Filter>;
}

export function createCollectionService(store: VectorStore, logger: Logger = silentLogger): CollectionService {
  const get = async (name: string) => {
    const record = await store.getCollection(name);
    return record && fromRecord(record);
  };
  // Extractors by collection name, so a query's filter is checked without a store round trip (two with Qdrant).
  // A collection keeps its extractor for life; one re-created elsewhere is re-read before a filter is refused,
  // and one re-created here replaces its entry.
  const extractors = new Map<string, ExtractorConfig>();
  const fresh = async (name: string) => {
    const c = await get(name);
    if (!c) throw new SightlineError(ErrorCode.COLLECTION_NOT_FOUND, `collection "${name}" does not exist`, { collection: name });
    extractors.set(name, c.extractor);
    return c;
  };
  return {
    async create(name, featureExtractor) {
      assertCollectionName(name);
      const extractor = parseExtractorConfig(featureExtractor);
      const record = await store.createCollection(name, { feature: IMAGE_FEATURE, config: serialiseExtractorConfig(extractor) });
      extractors.set(name, extractor);
      return fromRecord(record);
    },
    // A collection whose stored extractor is now refused (a prototype path stored before such paths were refused)
    // must not take the whole list down: it is left out and logged, and can still be deleted by name.
    list: async () =>
      (await store.listCollections()).flatMap((record) => {
        try {
          return [fromRecord(record)];
        } catch (err) {
          if (!(err instanceof SightlineError && err.code === ErrorCode.INVALID_EXTRACTOR_CONFIG)) throw err;
          logger.warn('collection left out of the list: its stored extractor is refused; delete it and create it again', {
            collection: record.name,
            reason: err.message,
          });
          return [];
        }
      }),
    get,
    require: fresh,
    async checkFilter(name, input) {
      const filter = validateFilter(input);
      const cached = extractors.get(name);
      if (cached) {
        try {
          checkFilterFields(filter, cached);
          return filter;
        } catch (err) {
          if (!(err instanceof SightlineError && err.code === ErrorCode.INVALID_FILTER)) throw err;
        }
      }
      checkFilterFields(filter, (await fresh(name)).extractor);
      return filter;
    },
  };
}
