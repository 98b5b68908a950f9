/**
 * Turns a query into a vector and asks the store. Text goes through SigLIP's
 * text tower, an image through the same path as ingest, a document id reuses
 * its stored vector (no re-embedding). No query at all lists the documents
 * matching the filter in a stable order: product lookup.
 */
import { performance } from 'node:perf_hooks';
import type { CollectionService } from '../collections/collection-service.ts';
import type { Config } from '../config.ts';
import { ErrorCode, SightlineError } from '../errors.ts';
import type { ImageExtractor } from '../extractor/extractor.ts';
import { DEFAULT_FEATURE, type FeatureDescriptor } from '../extractor/features/index.ts';
import type { SourceFetcher, SourceRef } from '../sources/index.ts';
import { LOGITS_FILE, cosineForProbability, matchProbability, type SiglipLogits } from '../extractor/model-logits.ts';
import { embedItem, type Media } from '../media/index.ts';
import type { Metrics } from '../metrics.ts';
import { combineUnitVectors } from './combined-query.ts';
import type { Filter } from '../store/filter.ts';
import type { SearchQuery as StoreSearchQuery, StoredPoint, VectorStore } from '../store/vector-store.ts';
import { checkPaging } from '../store/store-input.ts';

export type SearchQuery =
  | { kind: 'text'; text: string }
  /** Parsed by the caller with parseSourceRef, the parser ingest uses: the same forms, the same codes. */
  | { kind: 'image'; source: SourceRef }
  | { kind: 'document'; documentId: string }
  /** Weighted single queries (a negative weight pushes away), combined in SigLIP's shared space. */
  | { kind: 'combined'; parts: { query: SingleQuery; weight: number }[] };

export type SingleQuery = Exclude<SearchQuery, { kind: 'combined' }>;

export interface SearchRequest {
  query: SearchQuery | null;
  featureUri?: string;
  filter?: Filter;
  limit: number;
  offset: number;
  scoreThreshold?: number;
  /** Text queries only: hits below this match probability are left out (0 < p < 1). */
  minProbability?: number;
  /** Overrides the configured defaults for this query. */
  accuracy?: SearchAccuracy;
}

/** How hard the store's approximate index looks (see the store's SearchQuery). */
export type SearchAccuracy = Pick<StoreSearchQuery, 'exact' | 'hnswEf' | 'rescore' | 'oversampling'>;
/** The configured knobs: every one set, but the beam, which each store chooses when unset. */
export type AccuracyDefaults = Required<Omit<SearchAccuracy, 'hnswEf'>> & { hnswEf: number | undefined };

export interface SearchPoint extends StoredPoint {
  score: number | null;
  /** For a text query, SigLIP's probability that the text and the image match; null otherwise. */
  probability: number | null;
}

export interface SearchOutcome {
  points: SearchPoint[];
  timing: { embeddingMs: number; searchMs: number; totalMs: number };
}

export interface SearchDeps {
  store: VectorStore;
  /** Checks a filter against the collection's fields before any work is done, and names the collection's feature. */
  collections: Pick<CollectionService, 'checkFilter' | 'modelOf'>;
  /** The extractor of a feature; throws MODEL_NOT_READY until its model is loaded. */
  extractor: (model: FeatureDescriptor) => ImageExtractor;
  fetcher: SourceFetcher;
  /** Sniffs, renders PDF pages and decodes the query image. */
  media: Media;
  limits: Config['limits'];
  /** SEARCH_EXACT, SEARCH_HNSW_EF, QDRANT_SEARCH_RESCORE, QDRANT_SEARCH_OVERSAMPLING. */
  accuracy: AccuracyDefaults;
  /** Records the store's query time. */
  metrics?: Metrics;
}


/** The collection a query searches, and the feature (model) its vectors come from. */
interface Target {
  collection: string;
  model: FeatureDescriptor;
}

export function createSearchService(deps: SearchDeps) {
  async function queryVector({ collection, model }: Target, query: SearchQuery, signal?: AbortSignal): Promise<Float32Array> {
    switch (query.kind) {
      case 'text':
        return (await deps.extractor(model).embedText(query.text, signal)).embedding;
      case 'image': {
        const fetched = await deps.fetcher.fetch(query.source, signal);
        // A PDF as a query stands for its first page (a PDF has at least one, or is refused).
        return deps.media.withItems(fetched.bytes, async ([first]) => {
          if (!first) throw new SightlineError(ErrorCode.CORRUPT_PDF, 'the PDF has no pages');
          return (await embedItem(first, deps.extractor(model), { signal })).embedding;
        }, signal);
      }
      case 'document': {
        const [point] = await deps.store.get(collection, [query.documentId], { withVector: true });
        if (!point?.vector) {
          throw new SightlineError(ErrorCode.DOCUMENT_NOT_FOUND, `no document "${query.documentId}" in collection "${collection}"`, {
            collection,
            id: query.documentId,
          });
        }
        return point.vector;
      }
      case 'combined': {
        const vectors = await Promise.all(query.parts.map((part) => queryVector({ collection, model }, part.query, signal)));
        return combineUnitVectors(query.parts.map((part, i) => ({ vector: vectors[i]!, weight: part.weight })));
      }
    }
  }

  /**
   * SigLIP's calibration, for a text query: its sigmoid was trained on text
   * against image. An image or stored-document query compares two images,
   * which the sigmoid never saw, so it has no probability.
   */
  function textQueryLogits(req: SearchRequest, model: FeatureDescriptor): SiglipLogits | null {
    if (req.query?.kind !== 'text') {
      if (req.minProbability === undefined) return null;
      throw new SightlineError(
        ErrorCode.BAD_USER_INPUT,
        'minProbability needs a single text query: image, document and combined queries have only a cosine; use scoreThreshold',
      );
    }
    const logits = deps.extractor(model).model.logits;
    if (logits === null && req.minProbability !== undefined) {
      throw new SightlineError(
        ErrorCode.MODEL_INVALID,
        `the model directory of ${model.outputName} has no ${LOGITS_FILE}, so there are no probabilities: run ` +
          `npm run model:download -- ${model === DEFAULT_FEATURE ? '' : `--model ${model.outputName} `}--force to record it`,
      );
    }
    return logits;
  }

  /** The stricter of scoreThreshold and the cosine at which the probability reaches minProbability. */
  function threshold(req: SearchRequest, logits: SiglipLogits | null): number | undefined {
    const fromProbability = logits && req.minProbability !== undefined ? cosineForProbability(req.minProbability, logits) : undefined;
    if (fromProbability === undefined) return req.scoreThreshold;
    return Math.max(fromProbability, req.scoreThreshold ?? -Infinity);
  }

  /** The query's own knobs win over the configured defaults. */
  function accuracyOf(asked: SearchAccuracy = {}): AccuracyDefaults {
    const given = Object.entries(asked).filter(([, v]) => v !== undefined);
    return { ...deps.accuracy, ...Object.fromEntries(given) };
  }

  return {
    async search(name: string, req: SearchRequest, signal?: AbortSignal): Promise<SearchOutcome> {
      const t0 = performance.now();
      checkPaging(req.limit, req.offset);
      // The collection's feature picks the model for text and image queries; it is remembered per collection, so
      // there is no store round trip per query (two with Qdrant). The store checks the binding when it opens one.
      const model = await deps.collections.modelOf(name);
      if (req.featureUri !== undefined && req.featureUri !== model.featureUri) {
        throw new SightlineError(
          ErrorCode.FEATURE_MISMATCH,
          `collection "${name}" is indexed by ${model.featureUri}, not ${req.featureUri}`,
          { expected: model.featureUri, got: req.featureUri },
        );
      }
      const filter = req.filter === undefined ? undefined : await deps.collections.checkFilter(name, req.filter);

      const logits = textQueryLogits(req, model);
      const vector = req.query ? await queryVector({ collection: name, model }, req.query, signal) : undefined;
      const t1 = performance.now();
      const probabilityOf = (score: number) => (logits ? matchProbability(score, logits) : null);
      const points: SearchPoint[] = vector
        ? (
            await deps.store.search(name, {
              vector,
              filter,
              limit: req.limit,
              offset: req.offset,
              scoreThreshold: threshold(req, logits),
              ...accuracyOf(req.accuracy),
            })
          ).map((p) => ({ ...p, probability: probabilityOf(p.score) }))
        : (await deps.store.scroll(name, { filter, limit: req.limit, offset: req.offset })).map((p) => ({
            ...p,
            score: null,
            probability: null,
          }));
      const t2 = performance.now();
      deps.metrics?.storeQuerySeconds.observe({ operation: vector ? 'search' : 'scroll' }, (t2 - t1) / 1000);
      return { points, timing: { embeddingMs: t1 - t0, searchMs: t2 - t1, totalMs: t2 - t0 } };
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
