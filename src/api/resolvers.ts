/**
 * Thin resolvers: arguments are validated and reshaped at the edge
 * (filter-input, search-request, extractor-input), then handed to the services.
 */
import { ErrorCode, SightlineError } from '../errors.ts';
import { DEFAULT_FEATURE } from '../extractor/features/index.ts';
import type { FieldType as FieldTypeEnum, Resolvers } from './generated/resolvers-types.ts';
import { reachesCollection } from './api-keys.ts';
import { requireAccess } from './access-plugin.ts';
import { toExtractorConfig } from './extractor-input.ts';
import { toStoreFilter } from './filter-input.ts';
import { checkIngestFiles } from './ingest-files.ts';
import { FilterValueScalar, JsonScalar, UploadScalar } from './scalars.ts';
import { toSearchRequest } from './search-request.ts';

export interface ResolverOptions {
  /** Batches larger than this run as a job (INGEST_SYNC_MAX_OBJECTS). */
  syncMaxObjects: number;
}

export function createResolvers({ syncMaxObjects }: ResolverOptions): Resolvers {
  return {
    JSON: JsonScalar,
    FilterValue: FilterValueScalar,
    Upload: UploadScalar,

    Query: {
      extractors: (_, __, { services }) => [...services.extractors()],
      extractor: (_, { name, version }, { services }) =>
        services.extractors().find((e) => e.name === name && e.version === version) ?? null,
      // A key limited to some collections sees only those.
      collections: async (_, __, { services, access }) =>
        (await services.collections.list()).filter((c) => reachesCollection(access, c.name)),
      collection: (_, { name }, { services }) => services.collections.get(name),
      ingestJob: async (_, { id }, { services, access }) => {
        const job = await services.ingest.job(id);
        requireAccess(access, 'ingest', job.collection);
        return job;
      },
      document: (_, { collection, id, withEmbedding }, { services }) =>
        services.documents.get(collection, id, { withEmbedding: withEmbedding ?? false }),
      search: (_, args, { services, signal }) => services.search(args.collection, toSearchRequest(args), signal),
    },

    Mutation: {
      createCollection: (_, { name, featureExtractor }, { services }) =>
        services.collections.create(name, toExtractorConfig(featureExtractor)),
      deleteCollection: (_, { name }, { services }) => services.collections.delete(name),
      ingest: async (_, { collection, objects }, { services, signal, logger }) => {
        if (objects.length === 0) throw new SightlineError(ErrorCode.EMPTY_INPUT, 'objects is empty');
        await checkIngestFiles(services, collection, objects);
        if (objects.length > syncMaxObjects) {
          return { results: null, job: await services.ingest.start(collection, objects) };
        }
        return { results: await services.ingest.run(collection, objects, { signal, logger }), job: null };
      },
      deleteDocuments: async (_, { collection, ids, filter, all }, { services }) => {
        const target = { ids, all, filter: filter == null ? null : toStoreFilter(filter) };
        return { deleted: await services.documents.delete(collection, target) };
      },
    },

    FeatureExtractor: {
      featureExtractorName: (c) => c.feature_extractor_name,
      inputMappings: (c) => c.input_mappings,
      fieldPassthrough: (c) => c.field_passthrough,
    },
    FieldPassthrough: {
      sourcePath: (f) => f.source_path,
      targetPath: (f) => f.target_path ?? null,
      default: (f) => f.default ?? null,
      required: (f) => f.required ?? false,
      type: (f) => (f.type === undefined ? null : (f.type.toUpperCase() as FieldTypeEnum)),
    },
    ExtractorParameters: {
      enableThumbnails: (p) => p.enable_thumbnails,
      model: (p) => p.model ?? DEFAULT_FEATURE.outputName,
    },
    IngestItemResult: {
      status: (r) => (r.status === 'stored' ? 'STORED' : 'FAILED'),
      error: (r) => (r.status === 'failed' ? r.error : null),
    },
    IngestJob: {
      state: (j) => {
        switch (j.state) {
          case 'queued':
            return 'QUEUED';
          case 'running':
            return 'RUNNING';
          case 'succeeded':
            return 'SUCCEEDED';
          case 'failed':
            return 'FAILED';
        }
      },
    },
    ItemError: {
      details: (e) => e.details ?? null,
    },
    Document: {
      embedding: (d) => d.embedding ?? null,
    },
  };
}
