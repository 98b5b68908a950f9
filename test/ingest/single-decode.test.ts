/**
 * With thumbnails on, each image's bytes are sniffed once and decoded once:
 * one decode serves both the model's input and the thumbnail. Counted where
 * the work happens: every call of the content sniffer, and every sharp
 * pipeline that reads encoded (not raw) pixels out. Before media/ the same
 * ingest sniffed three times and decoded twice per image.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as fx from '../fixtures/images.ts';
import { PRODUCTS_EXTRACTOR, startTestApp } from '../app/harness.ts';

const counts = vi.hoisted(() => ({ sniffs: 0, decodes: 0 }));

vi.mock('../../src/media/content-type.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/media/content-type.ts')>();
  return {
    ...real,
    sniffContentType: (bytes: Uint8Array) => {
      counts.sniffs++;
      return real.sniffContentType(bytes);
    },
  };
});

vi.mock('sharp', async (importOriginal) => {
  const real = (await importOriginal<{ default: typeof sharp }>()).default;
  type Args = Parameters<typeof sharp>;
  const counting = (...args: Args) => {
    const instance = real(...args);
    const options = args[1] as { raw?: unknown; create?: unknown } | undefined;
    // Encoded input read out as pixels is a decode; metadata() reads the header only.
    if (args[0] instanceof Uint8Array && !options?.raw && !options?.create) {
      const toBuffer = instance.toBuffer.bind(instance) as (...a: unknown[]) => unknown;
      instance.toBuffer = ((...a: unknown[]) => {
        counts.decodes++;
        return toBuffer(...a);
      }) as typeof instance.toBuffer;
    }
    return instance;
  };
  return { default: Object.assign(counting, real) };
});

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

describe('one sniff and one decode per image', () => {
  let app: TestApp;
  let photos: Buffer[];

  beforeAll(async () => {
    app = await startTestApp();
    await app.collections.create('thumbs', PRODUCTS_EXTRACTOR);
    await app.collections.create('plain', { ...PRODUCTS_EXTRACTOR, parameters: { enable_thumbnails: false } });
    photos = await Promise.all([1, 2, 3].map((seed) => fx.photoLikeJpeg(800, 600, seed)));
  });
  afterAll(() => app?.dispose());
  beforeEach(() => {
    counts.sniffs = 0;
    counts.decodes = 0;
  });

  const objects = () => photos.map((p, i) => ({ product_image: `data:image/jpeg;base64,${p.toString('base64')}`, metadata: { sku: `S-${i}` } }));

  it('with thumbnails on, and the thumbnail and the embedding both come out', async () => {
    const results = await app.ingest.ingest('thumbs', objects());
    expect(results.map((r) => r.status)).toEqual(['stored', 'stored', 'stored']);
    expect(counts).toEqual({ sniffs: 3, decodes: 3 });
    const ids = results.flatMap((r) => r.documentIds);
    const stored = await app.store.get('thumbs', ids, { withVector: true });
    for (const point of stored) {
      expect(point.vector?.length).toBe(app.model.extractor().descriptor.dimensions);
      expect(point.payload).toMatchObject({ width: 800, height: 600 });
      expect(point.payload.thumbnail_url).toMatch(/\/thumbs\/.+\.jpg$/);
    }
  });

  it('gives the same embedding with thumbnails as without, for a JPEG large enough to be shrunk on load', async () => {
    const large = await fx.photoLikeJpeg(2592, 1944, 4);
    const object = [{ product_image: `data:image/jpeg;base64,${large.toString('base64')}`, metadata: { sku: 'S-large' } }];
    const [withThumb] = await app.ingest.ingest('thumbs', object);
    const [without] = await app.ingest.ingest('plain', object);
    const [a] = await app.store.get('thumbs', withThumb!.documentIds, { withVector: true });
    const [b] = await app.store.get('plain', without!.documentIds, { withVector: true });
    expect(Array.from(a!.vector!)).toEqual(Array.from(b!.vector!));
    expect(counts).toEqual({ sniffs: 2, decodes: 2 });
  });
});
