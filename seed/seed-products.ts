/**
 * Loads the demo catalogue into a running Sightline: the `products`
 * collection, every product photo and every spec sheet, uploaded as data: URIs.
 */
import { readFile } from 'node:fs/promises';
import type { Catalogue } from './catalogue.ts';
import type { GeneratedFiles } from './generate.ts';
import type { GraphqlRequest } from './graphql-client.ts';

export const SEED_COLLECTION = 'products';
export const IMAGE_FIELD = 'product_image';
/** Flat target paths keep filter keys short (`category`, not `metadata.category`); types check values and filters. */
const PASSTHROUGH = [
  { field: 'sku', type: 'KEYWORD' },
  { field: 'name', type: 'KEYWORD' },
  { field: 'category', type: 'KEYWORD' },
  { field: 'brand', type: 'KEYWORD' },
  { field: 'price', type: 'FLOAT' },
  { field: 'tags', type: 'KEYWORD' },
  { field: 'colour', type: 'KEYWORD' },
];

const EXISTING = `query SeedCollection($name: String!) {
  collection(name: $name) { featureExtractor { fieldPassthrough { sourcePath targetPath } } }
}`;

interface ExistingAnswer {
  collection: { featureExtractor: { fieldPassthrough: { sourcePath: string; targetPath: string | null }[] } } | null;
}

/** `products` exists but was made for something else (the README's tour, say): its fields are not the seed's. */
export class SeedCollectionMismatch extends Error {
  override readonly name = 'SeedCollectionMismatch';
}

const CREATE = `mutation CreateProducts($name: String!, $extractor: FeatureExtractorInput!) {
  createCollection(name: $name, featureExtractor: $extractor) { name }
}`;

const INGEST = `mutation IngestProducts($collection: String!, $objects: [JSON!]!) {
  ingest(collection: $collection, objects: $objects) {
    results { index status documentIds error { code message } }
    job { id }
  }
}`;

interface IngestAnswer {
  ingest: {
    results: { index: number; status: 'STORED' | 'FAILED'; documentIds: string[]; error: { code: string; message: string } | null }[] | null;
  };
}

export interface SeedObject {
  label: string;
  object: Record<string, unknown>;
}

export interface SeedOutcome {
  documents: number;
  failures: { label: string; code: string; message: string }[];
}

/** Creates the collection unless it exists (reseeding updates documents in place: ids derive from content). */
export async function ensureSeedCollection(request: GraphqlRequest): Promise<'created' | 'existed'> {
  try {
    await request(CREATE, {
      name: SEED_COLLECTION,
      extractor: {
        featureExtractorName: 'image_extractor',
        version: 'v1',
        inputMappings: { image: IMAGE_FIELD },
        fieldPassthrough: PASSTHROUGH.map(({ field, type }) => ({ sourcePath: `metadata.${field}`, targetPath: field, type })),
        parameters: { enableThumbnails: true },
      },
    });
    return 'created';
  } catch (err) {
    if ((err as { code?: string }).code !== 'COLLECTION_EXISTS') throw err;
    await assertSeedFields(request);
    return 'existed';
  }
}

/**
 * Reseeding an existing `products` is fine when it has the seed's fields.
 * Otherwise the seed refuses: loading flat fields into a collection that maps
 * `metadata.*` would store objects whose example filters are all refused.
 */
async function assertSeedFields(request: GraphqlRequest): Promise<void> {
  const answer = await request<ExistingAnswer>(EXISTING, { name: SEED_COLLECTION });
  const paths = (answer.collection?.featureExtractor.fieldPassthrough ?? []).map((p) => `${p.sourcePath}→${p.targetPath ?? p.sourcePath}`);
  const wanted = PASSTHROUGH.map(({ field }) => `metadata.${field}→${field}`);
  if (paths.length === wanted.length && wanted.every((w) => paths.includes(w))) return;
  throw new SeedCollectionMismatch(
    `collection "${SEED_COLLECTION}" already exists with other passthrough fields (${paths.join(', ') || 'none'}), ` +
      `perhaps from the README's tour; the seed needs ${wanted.join(', ')}. ` +
      `Delete it first (mutation { deleteCollection(name: "${SEED_COLLECTION}") }), then run npm run seed again.`,
  );
}

async function dataUri(file: string, contentType: string): Promise<string> {
  return `data:${contentType};base64,${(await readFile(file)).toString('base64')}`;
}

export async function seedObjects(catalogue: Catalogue, files: GeneratedFiles): Promise<SeedObject[]> {
  const objects: SeedObject[] = [];
  for (const p of catalogue.products) {
    const metadata = { sku: p.sku, name: p.name, category: p.category, brand: p.brand, price: p.price, tags: p.tags, colour: p.colour };
    objects.push({ label: p.sku, object: { [IMAGE_FIELD]: await dataUri(files.images.get(p.sku)!, 'image/png'), metadata } });
  }
  for (const sheet of catalogue.specSheets) {
    const product = catalogue.products.find((p) => p.sku === sheet.sku)!;
    const metadata = { sku: sheet.sku, name: sheet.title, category: 'spec-sheet', brand: product.brand, tags: ['spec-sheet', product.category] };
    objects.push({ label: sheet.file, object: { [IMAGE_FIELD]: await dataUri(files.pdfs.get(sheet.file)!, 'application/pdf'), metadata } });
  }
  return objects;
}

/** Ingests in small batches (each answered at once, under the server's sync limit); reports per object. */
export async function ingestSeedObjects(
  request: GraphqlRequest,
  objects: SeedObject[],
  batchSize: number,
  onProgress: (done: number) => void,
): Promise<SeedOutcome> {
  const outcome: SeedOutcome = { documents: 0, failures: [] };
  for (let start = 0; start < objects.length; start += batchSize) {
    const batch = objects.slice(start, start + batchSize);
    const answer = await request<IngestAnswer>(INGEST, { collection: SEED_COLLECTION, objects: batch.map((o) => o.object) });
    for (const result of answer.ingest.results ?? []) {
      if (result.status === 'STORED') outcome.documents += result.documentIds.length;
      else outcome.failures.push({ label: batch[result.index]!.label, code: result.error?.code ?? 'UNKNOWN', message: result.error?.message ?? '' });
    }
    onProgress(start + batch.length);
  }
  return outcome;
}
