/**
 * The path of one object: read the mapped field → fetch the bytes → sniff
 * once → one image per picture or PDF page → decode once into the model's
 * input (+ thumbnail) → embed → upsert. Every
 * object ends in exactly one state, stored or failed with a code; one bad
 * object never fails its batch.
 */
import type { BlobStore } from '../blob/blob-store.ts';
import type { Collection, CollectionService } from '../collections/collection-service.ts';
import type { DocumentFields } from '../collections/document-fields.ts';
import { readField } from '../store/payload-path.ts';
import { createLimiter, mapLimited } from '../scheduling/concurrency-limit.ts';
import { ErrorCode, SightlineError, toSightlineError, type ErrorCode as Code, type ErrorDetails } from '../errors.ts';
import type { ImageExtractor } from '../extractor/extractor.ts';
import type { FeatureDescriptor } from '../extractor/features/index.ts';
import { embedItem, thumbnailKey, type Media, type MediaItem, type Thumbnail } from '../media/index.ts';
import type { Metrics } from '../metrics.ts';
import type { Logger } from '../logger.ts';
import type { PointInput, VectorStore } from '../store/vector-store.ts';
import { documentId } from './document-id.ts';
import { createOrderedUpserts } from './ordered-upserts.ts';
import { passthroughFields } from './passthrough.ts';
import { createPayloadIndexer } from './payload-indexes.ts';
import type { FetchedSource, SourceFetcher } from '../sources/index.ts';
import { parseSourceRef, sourceLabel } from '../sources/index.ts';

export interface ItemError {
  code: Code;
  message: string;
  details?: ErrorDetails;
}

export type IngestItemResult =
  | { index: number; status: 'stored'; documentIds: string[] }
  | { index: number; status: 'failed'; documentIds: []; error: ItemError };

export interface IngestDeps {
  collections: CollectionService;
  store: VectorStore;
  /** The extractor of a collection's feature; throws MODEL_NOT_READY until that model is loaded. */
  extractor: (model: FeatureDescriptor) => ImageExtractor;
  fetcher: SourceFetcher;
  thumbnails: BlobStore;
  media: Media;
  concurrency: number;
  logger: Logger;
  /** Counts every object's outcome. */
  metrics: Metrics;
}

export interface IngestService {
  /** One result per object, in input order. COLLECTION_NOT_FOUND before any work. */
  ingest(
    collection: string,
    objects: readonly unknown[],
    opts?: {
      signal?: AbortSignal;
      onResult?: (r: IngestItemResult) => void;
      /** The caller's logger (carrying its request or job id); the service's own otherwise. */
      logger?: Logger;
      /** The CLI only: image paths are files on its machine, relative to this folder (the JSONL file's). */
      localFilesFrom?: string;
    },
  ): Promise<IngestItemResult[]>;
}

function failed(index: number, err: unknown): IngestItemResult {
  const e = toSightlineError(err);
  const error: ItemError = { code: e.code, message: e.message };
  if (Object.keys(e.details).length > 0) error.details = e.details;
  return { index, status: 'failed', documentIds: [], error };
}

export function createIngestService(deps: IngestDeps): IngestService {
  const indexFields = createPayloadIndexer(deps.store);

  async function toPoint(
    collection: Collection,
    label: string,
    item: MediaItem,
    fields: Record<string, unknown>,
    signal: AbortSignal | undefined,
  ): Promise<PointInput> {
    const id = documentId(collection.name, label, item.pageNumber);
    // One decode serves the embedding and the thumbnail.
    const embedded = await embedItem(item, deps.extractor(collection.model), {
      thumbnail: collection.extractor.parameters.enableThumbnails ? {} : undefined,
      signal,
    });
    const thumbnailUrl = embedded.thumbnail ? await storeThumbnail(collection.name, id, embedded.thumbnail) : null;
    // The shape the API checks when it reads the document back.
    const system: DocumentFields = {
      source: label,
      content_type: item.contentType,
      page_number: item.pageNumber ?? null,
      total_pages: item.totalPages ?? null,
      width: embedded.width,
      height: embedded.height,
      thumbnail_url: thumbnailUrl,
      processing_time_ms: embedded.processingTimeMs,
      ingested_at: new Date().toISOString(),
    };
    return { id, vector: embedded.embedding, payload: { ...fields, ...system } };
  }

  async function storeThumbnail(collection: string, id: string, thumb: Thumbnail): Promise<string> {
    try {
      return (await deps.thumbnails.put(thumbnailKey(collection, id), thumb.bytes, thumb.contentType)).url;
    } catch (err) {
      throw new SightlineError(ErrorCode.BLOB_STORE_FAILED, `could not store the thumbnail: ${toSightlineError(err).message}`, {}, { cause: err });
    }
  }

  return {
    async ingest(name, objects, opts = {}) {
      const collection = await deps.collections.require(name);
      const log = (opts.logger ?? deps.logger).child({ collection: name, objects: objects.length });
      // The same URL twice in one batch is fetched once.
      const fetches = new Map<string, Promise<FetchedSource>>();
      const field = collection.extractor.inputMappings.image;
      const sourceOptions = opts.localFilesFrom === undefined ? { field } : { field, localFilesFrom: opts.localFilesFrom };
      const fetchOnce = (raw: unknown) => {
        const ref = parseSourceRef(raw, sourceOptions);
        const label = sourceLabel(ref);
        let pending = fetches.get(label);
        if (!pending) {
          pending = deps.fetcher.fetch(ref, opts.signal);
          if (ref.kind !== 'bytes') fetches.set(label, pending);
        }
        return pending;
      };
      const pageLanes = createLimiter(Math.max(1, deps.concurrency));
      const upsert = createOrderedUpserts((points) => deps.store.upsert(collection.name, points, opts.signal));

      const ingestOne = async (object: unknown, index: number): Promise<IngestItemResult> => {
        try {
          // A cancelled batch (client gone, server shutting down) starts no further object.
          if (opts.signal?.aborted) throw new SightlineError(ErrorCode.CANCELLED, 'the batch was cancelled before this object started');
          const raw = readField(object, field);
          // Present but empty or malformed is the parser's to say (EMPTY_INPUT, INVALID_SOURCE).
          if (raw === undefined || raw === null) {
            throw new SightlineError(ErrorCode.MISSING_INPUT_FIELD, `the object has no "${field}" field (input_mappings.image)`, {
              field,
            });
          }
          const fields = passthroughFields(object, collection.extractor.fieldPassthrough);
          const fetched = await fetchOnce(raw);
          const points = await deps.media.withItems(
            fetched.bytes,
            (items) =>
              mapLimited(items, deps.concurrency, (item) =>
                pageLanes.run(() => toPoint(collection, fetched.label, item, fields, opts.signal)),
              ),
            opts.signal,
          );
          await indexFields(collection, collection.extractor.fieldPassthrough, fields);
          await upsert(index, points);
          return { index, status: 'stored', documentIds: points.map((p) => p.id) };
        } catch (err) {
          return failed(index, err);
        }
      };

      const started = Date.now();
      const results = await mapLimited(objects, deps.concurrency, async (object, index) => {
        const result = await ingestOne(object, index);
        deps.metrics.ingestItems.inc({ status: result.status, code: result.status === 'failed' ? result.error.code : 'none' });
        opts.onResult?.(result);
        return result;
      });
      const failures = results.filter((r) => r.status === 'failed').length;
      log.info('ingest finished', { stored: results.length - failures, failed: failures, ms: Date.now() - started });
      return results;
    },
  };
}
