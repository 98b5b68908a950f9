/** Collections: a name bound to one feature (its model) and its extractor configuration. */
import { ErrorCode, SightlineError } from '../errors.ts';
import { DEFAULT_FEATURE, featureByUri, type FeatureDescriptor } from '../extractor/features/index.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { validateFilter, type Filter } from '../store/filter.ts';
import { assertCollectionName } from '../store/store-input.ts';
import { featureBinding, type CollectionRecord, type FeatureBinding, type VectorStore } from '../store/vector-store.ts';
import { configuredFeature, parseExtractorConfig, serialiseExtractorConfig, type ExtractorConfig } from './extractor-config.ts';
import { checkFilterFields } from './filter-fields.ts';

/** The default feature's binding: what a collection created without a `model` parameter records. */
export const IMAGE_FEATURE: FeatureBinding = featureBinding(DEFAULT_FEATURE);

export interface Collection {
  name: string;
  /** The binding the store records and checks. */
  feature: FeatureBinding;
  /** The feature that binding names: the model that embeds its images and its queries. */
  model: FeatureDescriptor;
  extractor: ExtractorConfig;
  createdAt: string;
  documentCount: number;
}

/** The registry's feature for a recorded binding; FEATURE_MISMATCH when this server does not offer it. */
function modelOf(r: CollectionRecord): FeatureDescriptor {
  const model = featureByUri(r.feature.featureUri);
  if (model) return model;
  throw new SightlineError(
    ErrorCode.FEATURE_MISMATCH,
    `collection "${r.name}" is bound to ${r.feature.featureUri}, which this server does not offer; delete it and create it again`,
    { collection: r.name, recorded: r.feature.featureUri },
  );
}

function fromRecord(r: CollectionRecord): Collection {
  return {
    name: r.name,
    feature: r.feature,
    model: modelOf(r),
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
  /** The feature the collection is bound to, remembered per name (no store round trip per query); COLLECTION_NOT_FOUND. */
  modelOf(name: string): Promise<FeatureDescriptor>;
}

export interface CollectionServiceOptions {
  logger?: Logger;
  /** Called with a new collection's feature, so its model is loaded (or starts downloading) before the first ingest needs it. */
  onCreate?: (model: FeatureDescriptor) => Promise<void> | void;
}

export function createCollectionService(store: VectorStore, opts: CollectionServiceOptions = {}): CollectionService {
  const logger = opts.logger ?? silentLogger;
  const get = async (name: string) => {
    const record = await store.getCollection(name);
    return record && fromRecord(record);
  };
  // Extractors and features by collection name, so a query's filter is checked and its model picked without a
  // store round trip (two with Qdrant). A collection keeps both for life; one re-created elsewhere is re-read
  // before a filter is refused, and one re-created here replaces its entry.
  const known = new Map<string, Pick<Collection, 'extractor' | 'model'>>();
  const fresh = async (name: string) => {
    const c = await get(name);
    if (!c) throw new SightlineError(ErrorCode.COLLECTION_NOT_FOUND, `collection "${name}" does not exist`, { collection: name });
    known.set(name, c);
    return c;
  };
  return {
    async create(name, featureExtractor) {
      assertCollectionName(name);
      const extractor = parseExtractorConfig(featureExtractor);
      const model = configuredFeature(extractor);
      const record = await store.createCollection(name, { feature: featureBinding(model), config: serialiseExtractorConfig(extractor) });
      known.set(name, { extractor, model });
      await opts.onCreate?.(model);
      return fromRecord(record);
    },
    // A collection whose stored extractor is now refused (a prototype path stored before such paths were refused)
    // must not take the whole list down: it is left out and logged, and can still be deleted by name.
    list: async () =>
      (await store.listCollections()).flatMap((record) => {
        try {
          return [fromRecord(record)];
        } catch (err) {
          const refused = [ErrorCode.INVALID_EXTRACTOR_CONFIG, ErrorCode.FEATURE_MISMATCH] as string[];
          if (!(err instanceof SightlineError && refused.includes(err.code))) throw err;
          logger.warn('collection left out of the list: its stored extractor or feature is refused; delete it and create it again', {
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
      const cached = known.get(name);
      if (cached) {
        try {
          checkFilterFields(filter, cached.extractor);
          return filter;
        } catch (err) {
          if (!(err instanceof SightlineError && err.code === ErrorCode.INVALID_FILTER)) throw err;
        }
      }
      checkFilterFields(filter, (await fresh(name)).extractor);
      return filter;
    },
    modelOf: async (name) => (known.get(name) ?? (await fresh(name))).model,
  };
}
