/** Collections: a name bound to the image feature and its extractor configuration. */
import { ErrorCode, SightlineError } from '../errors.ts';
import { IMAGE_EXTRACTOR } from '../extractor/feature.ts';
import { assertCollectionName } from '../store/store-input.ts';
import type { CollectionRecord, FeatureBinding, VectorStore } from '../store/vector-store.ts';
import { parseExtractorConfig, serialiseExtractorConfig, type ExtractorConfig } from './extractor-config.ts';

export const IMAGE_FEATURE: FeatureBinding = {
  featureUri: IMAGE_EXTRACTOR.featureUri,
  vectorName: IMAGE_EXTRACTOR.outputName,
  dimensions: IMAGE_EXTRACTOR.dimensions,
  distance: 'cosine',
};

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
}

export function createCollectionService(store: VectorStore): CollectionService {
  const get = async (name: string) => {
    const record = await store.getCollection(name);
    return record && fromRecord(record);
  };
  return {
    async create(name, featureExtractor) {
      assertCollectionName(name);
      const extractor = parseExtractorConfig(featureExtractor);
      const record = await store.createCollection(name, { feature: IMAGE_FEATURE, config: serialiseExtractorConfig(extractor) });
      return fromRecord(record);
    },
    list: async () => (await store.listCollections()).map(fromRecord),
    get,
    async require(name) {
      const c = await get(name);
      if (!c) throw new SightlineError(ErrorCode.COLLECTION_NOT_FOUND, `collection "${name}" does not exist`, { collection: name });
      return c;
    },
  };
}
