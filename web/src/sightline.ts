/** The operations the page runs, with the shapes of their answers (schema/sightline.graphql). */
import { graphql, type UploadFiles } from './graphql.ts';
import type { FieldType, FilterInput, PassthroughField } from './filters.ts';

export interface CollectionInfo {
  name: string;
  documentCount: number;
  featureExtractor: {
    inputMappings: { image: string };
    fieldPassthrough: PassthroughField[];
    parameters: { enableThumbnails: boolean };
  };
}

export interface Hit {
  id: string;
  score: number | null;
  probability: number | null;
  fields: Record<string, unknown>;
  source: string;
  contentType: string;
  pageNumber: number | null;
  totalPages: number | null;
  thumbnailUrl: string | null;
  width: number;
  height: number;
}

export interface ItemResult {
  index: number;
  status: 'STORED' | 'FAILED';
  error: { code: string; message: string } | null;
}

/** What the user searches with: words, an image, a stored document, or an image/document with words. */
export type SearchQuery =
  | { kind: 'browse' }
  | { kind: 'text'; text: string }
  | { kind: 'image'; file: File; text: string }
  | { kind: 'document'; id: string; text: string };

const COLLECTIONS = `query PageCollections {
  collections {
    name documentCount
    featureExtractor { inputMappings { image } fieldPassthrough { sourcePath targetPath type } parameters { enableThumbnails } }
  }
}`;

const HIT_FIELDS = 'id score probability fields source contentType pageNumber totalPages thumbnailUrl width height';

const SEARCH = `query PageSearch($collection: String!, $query: SearchQueryInput, $filter: FilterInput, $limit: Int, $offset: Int) {
  search(collection: $collection, query: $query, filter: $filter, limit: $limit, offset: $offset) { hits { ${HIT_FIELDS} } }
}`;

const SAMPLE = `query PageFieldSample($collection: String!, $limit: Int) {
  search(collection: $collection, limit: $limit) { hits { fields } }
}`;

const INGEST = `mutation PageIngest($collection: String!, $objects: [JSON!]!) {
  ingest(collection: $collection, objects: $objects) { results { index status error { code message } } job { id } }
}`;

const INGEST_JOB = `query PageIngestJob($id: ID!) {
  ingestJob(id: $id) { state results { index status error { code message } } error { code message } }
}`;

export function listCollections(key: string | null): Promise<CollectionInfo[]> {
  return graphql<{ collections: CollectionInfo[] }>(key, COLLECTIONS, {}).then((d) => d.collections);
}

/** The query input and its files: an anchor (image or document) with words is a combined `parts` query. */
function queryInput(query: SearchQuery): { input: Record<string, unknown> | null; files: UploadFiles } {
  switch (query.kind) {
    case 'browse':
      return { input: null, files: [] };
    case 'text':
      return { input: { text: query.text }, files: [] };
    case 'image':
      if (query.text === '') return { input: { imageFile: null }, files: [{ path: 'query.imageFile', file: query.file }] };
      return {
        input: { parts: [{ imageFile: null, weight: 1 }, { text: query.text, weight: 1 }] },
        files: [{ path: 'query.parts.0.imageFile', file: query.file }],
      };
    case 'document':
      if (query.text === '') return { input: { documentId: query.id }, files: [] };
      return { input: { parts: [{ documentId: query.id, weight: 1 }, { text: query.text, weight: 1 }] }, files: [] };
  }
}

export interface SearchPage {
  collection: string;
  query: SearchQuery;
  filter: FilterInput | null;
  limit: number;
  offset: number;
}

export async function search(key: string | null, page: SearchPage, signal: AbortSignal): Promise<Hit[]> {
  const { input, files } = queryInput(page.query);
  const variables = { collection: page.collection, query: input, filter: page.filter, limit: page.limit, offset: page.offset };
  const data = await graphql<{ search: { hits: Hit[] } }>(key, SEARCH, variables, files, signal);
  return data.search.hits;
}

/** Fields of the first documents, for the filters' choices (there is no facet query). */
export async function sampleFields(key: string | null, collection: string, limit: number): Promise<Array<Record<string, unknown>>> {
  const data = await graphql<{ search: { hits: Array<{ fields: Record<string, unknown> }> } }>(key, SAMPLE, { collection, limit });
  return data.search.hits.map((h) => h.fields);
}

/** An ingest object whose (possibly dotted) image field is the uploaded file's place. */
function uploadObject(imageField: string): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  const parts = imageField.split('.');
  let at = object;
  parts.slice(0, -1).forEach((part) => {
    const next: Record<string, unknown> = {};
    at[part] = next;
    at = next;
  });
  at[parts[parts.length - 1]!] = null;
  return object;
}

/** Uploads files as one ingest batch; a batch the server turns into a job is followed to its end. */
export async function ingestFiles(key: string | null, collection: CollectionInfo, files: File[]): Promise<ItemResult[]> {
  const field = collection.featureExtractor.inputMappings.image;
  const objects = files.map(() => uploadObject(field));
  const uploads = files.map((file, i) => ({ path: `objects.${i}.${field}`, file }));
  const data = await graphql<{ ingest: { results: ItemResult[] | null; job: { id: string } | null } }>(
    key,
    INGEST,
    { collection: collection.name, objects },
    uploads,
  );
  if (data.ingest.results) return data.ingest.results;
  return followJob(key, data.ingest.job!.id);
}

async function followJob(key: string | null, id: string): Promise<ItemResult[]> {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { ingestJob } = await graphql<{
      ingestJob: { state: string; results: ItemResult[] | null; error: { code: string; message: string } | null };
    }>(key, INGEST_JOB, { id });
    if (ingestJob.results) return ingestJob.results;
    if (ingestJob.state === 'FAILED') throw new Error(ingestJob.error?.message ?? 'the ingest job failed');
  }
}

export type { FieldType };
