import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageExtractor, type ImageExtractor } from '../../src/extractor/extractor.ts';
import { inProcessInference } from '../../src/extractor/inference/in-process.ts';
import type { InferenceProvider } from '../../src/extractor/inference/inference-port.ts';
import { MODEL_VARIANTS, type ModelVariant } from '../../src/extractor/features/index.ts';
import { silentLogger } from '../../src/logger.ts';
import { openTestBackend, TEST_SESSION, type TestBackend } from '../fixtures/inference-backends.ts';
import { tinyModelDir } from '../fixtures/models.ts';
import { photoLikeJpeg } from '../fixtures/images.ts';
import { modelPixels } from '../fixtures/media.ts';
import type { ModelPixels } from '../../src/extractor/preprocess.ts';

type Options = Parameters<typeof createImageExtractor>[0];

const options = (overrides: Partial<Options> = {}): Options => ({
  modelDir: tinyModelDir(),
  variant: 'fp32' as const,
  inference: inProcessInference({ session: TEST_SESSION }),
  batchSize: 16,
  batchWaitMs: 20,
  logger: silentLogger,
  ...overrides,
});

const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - (b[i] as number))), 0);

// The same behaviour whichever backend runs the towers: in this process, or
// on `sightline inference-server` over loopback (KServe v2, binary tensors).
describe.each(['in-process', 'remote'] as const)('image extractor, inference %s', (backendName) => {
  let backend: TestBackend;
  let extractor: ImageExtractor;
  let photos: ModelPixels[];
  const withBackend = (overrides: Partial<Options> = {}) => options({ inference: backend.provider(), ...overrides });

  beforeAll(async () => {
    backend = await openTestBackend(backendName);
    extractor = await createImageExtractor(withBackend());
    const jpegs = await Promise.all(Array.from({ length: 16 }, (_, i) => photoLikeJpeg(160 + i * 8, 120 + i * 4, i + 1)));
    photos = await Promise.all(jpegs.map((jpeg) => modelPixels(jpeg, extractor.imageSize)));
  });
  afterAll(async () => {
    await extractor?.close();
    await backend?.close();
  });

  it('yields 768 float32 values with unit L2 norm', async () => {
    const r = await extractor.embedImage(photos[0]!);
    expect(r.embedding).toBeInstanceOf(Float32Array);
    expect(r.embedding.length).toBe(768);
    expect(Math.abs(norm(r.embedding) - 1)).toBeLessThan(1e-5);
  });

  it('gives the same vector alone or among 15 others (batch invariance)', async () => {
    const alone = await extractor.embedImage(photos[3]!);
    // A long wait makes the 16 images share one batch, whatever the machine's speed.
    const batchy = await createImageExtractor(withBackend({ batchWaitMs: 10_000 }));
    try {
      const together = await Promise.all(photos.map((pixels) => batchy.embedImage(pixels)));
      expect(batchy.stats().batches).toBe(1);
      expect(maxAbsDiff(alone.embedding, (together[3] as { embedding: Float32Array }).embedding)).toBeLessThan(1e-5);
    } finally {
      await batchy.close();
    }
  });

  it('gives different images clearly different embeddings', async () => {
    const [a, b] = await Promise.all([0, 9].map((i) => extractor.embedImage(photos[i]!)));
    const cos = (a as { embedding: Float32Array }).embedding.reduce((s, x, i) => s + x * ((b as { embedding: Float32Array }).embedding[i] as number), 0);
    expect(cos).toBeLessThan(0.99);
  });

  it('embeds text into the same 768-d unit space, padded to 64 ids', async () => {
    const r = await extractor.embedText('Red leather sneakers');
    expect(r.inputIds).toHaveLength(64);
    expect(r.embedding.length).toBe(768);
    expect(Math.abs(norm(r.embedding) - 1)).toBeLessThan(1e-5);
  });

  it('fails pixels of another size than imageSize with its code and keeps serving the rest', async () => {
    const [bad, good] = await Promise.allSettled([
      extractor.embedImage({ data: new Uint8Array(8 * 8 * 3), width: 8, height: 8 }),
      extractor.embedImage(photos[1]!),
    ]);
    expect(bad.status).toBe('rejected');
    expect((bad as PromiseRejectedResult).reason.code).toBe('INTERNAL_SERVER_ERROR');
    expect(good.status).toBe('fulfilled');
  });

  it('answers a repeated query (same text as the tokenizer normalises it) from the cache, without the text tower', async () => {
    const extractor = await createImageExtractor(withBackend({ textCacheEntries: 8 }));
    try {
      const first = await extractor.embedText('Red leather sneakers');
      const again = await extractor.embedText('  red leather, sneakers!');
      expect(extractor.stats()).toMatchObject({ textBatches: 1, textCacheHits: 1 });
      expect([...again.embedding]).toEqual([...first.embedding]);
      expect(again.inputIds).toEqual(first.inputIds);
      await extractor.embedText('blue mug');
      expect(extractor.stats()).toMatchObject({ textBatches: 2, textCacheHits: 1 });
    } finally {
      await extractor.close();
    }
  });

  it('refuses a missing model directory with MODEL_NOT_FOUND', async () => {
    await expect(createImageExtractor(withBackend({ modelDir: '/nonexistent/sightline-model' }))).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
    });
  });
});

describe('remote inference against in-process inference', () => {
  it('gives the same image and text vectors, within 1e-6, for the same inputs', async () => {
    const remote = await openTestBackend('remote');
    const texts = ['red leather sneakers', 'a blue mug on a desk', 'mountain lake at dawn'];
    const [local, far] = await Promise.all([createImageExtractor(options()), createImageExtractor(options({ inference: remote.provider() }))]);
    try {
      const jpegs = await Promise.all([0, 1, 2, 3].map((i) => photoLikeJpeg(180 + i * 20, 140, 40 + i)));
      const photos = await Promise.all(jpegs.map((jpeg) => modelPixels(jpeg, local.imageSize)));
      const embed = (e: ImageExtractor) =>
        Promise.all([
          ...photos.map(async (pixels) => (await e.embedImage(pixels)).embedding),
          ...texts.map(async (t) => (await e.embedText(t)).embedding),
        ]);
      const [a, b] = [await embed(local), await embed(far)];
      a.forEach((vector, i) => expect(maxAbsDiff(vector, b[i] as Float32Array), `input ${i}`).toBeLessThan(1e-6));
      expect(far.stats().batches).toBeGreaterThan(0);
    } finally {
      await Promise.all([local.close(), far.close()]);
      await remote.close();
    }
  });
});

describe('in-process inference threading', () => {
  it('gives the same vectors on the calling thread as in worker threads', async () => {
    const [worker, inline] = await Promise.all([
      createImageExtractor(options()),
      createImageExtractor(options({ inference: inProcessInference({ session: TEST_SESSION, threading: 'inline' }) })),
    ]);
    try {
      const pixels = await modelPixels(await photoLikeJpeg(200, 150, 5), worker.imageSize);
      const a = await inline.embedImage(pixels);
      const b = await worker.embedImage(pixels);
      expect(maxAbsDiff(a.embedding, b.embedding)).toBeLessThan(1e-6);
    } finally {
      await Promise.all([worker.close(), inline.close()]);
    }
  });

  /** Which comes first: a callback queued just after the query starts, or the query's embedding. */
  const firstAfterQueryStarts = async (extractor: ImageExtractor) => {
    const order: string[] = [];
    const query = extractor.embedText('a query not seen before').then(() => order.push('embedding'));
    setImmediate(() => order.push('event loop'));
    await query;
    await new Promise((resolve) => setImmediate(resolve));
    return order[0];
  };

  it('keeps the event loop running while the text tower works (worker threads, the default)', async () => {
    const extractor = await createImageExtractor(options());
    try {
      expect(await firstAfterQueryStarts(extractor)).toBe('event loop');
    } finally {
      await extractor.close();
    }
  });

  // onnxruntime-node 1.30's run() defers its native call with setImmediate, and that call runs the model on
  // the calling thread: the thread is held until the result. This is why the towers need worker threads; if a
  // release runs the model off the thread (microsoft/onnxruntime PR #28646), this fails and the text worker may go.
  it('holds the calling thread until the embedding is made (inline: onnxruntime-node runs the model on the calling thread)', async () => {
    const extractor = await createImageExtractor(options({ inference: inProcessInference({ session: TEST_SESSION, threading: 'inline' }) }));
    try {
      expect(await firstAfterQueryStarts(extractor)).toBe('embedding');
    } finally {
      await extractor.close();
    }
  });
});

/** A backend whose vision tower, once `hold()` is called, keeps its batch until `release()`; the text tower answers at once. */
function visionHoldingInference() {
  let held: Promise<void> | undefined;
  let release = () => {};
  const provider: InferenceProvider = {
    needsLocalWeights: true,
    open: async (towers) => ({
      description: 'vision held on demand',
      async infer(tower, input) {
        if (tower === 'vision' && held) await held;
        const dim = towers[tower].output.dims[0];
        return new Float32Array((input.dims[0] as number) * dim).fill(1);
      },
      ready: async () => ({ ok: true }),
      close: async () => undefined,
    }),
  };
  return {
    provider,
    hold: () => {
      held = new Promise((resolve) => (release = resolve));
    },
    release: () => release(),
  };
}

describe('text queries beside image batches', () => {
  it('embeds a text query while an image batch is still running', async () => {
    const backend = visionHoldingInference();
    const extractor = await createImageExtractor(options({ inference: backend.provider, batchWaitMs: 0 }));
    try {
      const { width, height } = extractor.imageSize;
      backend.hold();
      let imagesDone = false;
      const images = Promise.all(
        Array.from({ length: 16 }, (_, i) => extractor.embedImage({ data: new Uint8Array(width * height * 3).fill(i), width, height })),
      ).then(() => (imagesDone = true));
      await extractor.embedText('a query sent while the images are embedded');
      expect(imagesDone).toBe(false);
      backend.release();
      await images;
    } finally {
      await extractor.close();
    }
  });
});

describe('every model variant', () => {
  const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);

  // Random weights: agreement with fp32 is a numeric check, not a statement about retrieval quality.
  it('loads, validates and embeds images and text close to fp32 (cosine > 0.995)', async () => {
    const photo = await photoLikeJpeg(320, 240, 7);
    const embed = async (variant: ModelVariant) => {
      const extractor = await createImageExtractor(options({ variant, inference: inProcessInference({ session: TEST_SESSION, threading: 'inline' }) }));
      try {
        return [(await extractor.embedImage(await modelPixels(photo, extractor.imageSize))).embedding, (await extractor.embedText('red leather sneakers')).embedding];
      } finally {
        await extractor.close();
      }
    };
    const [image, text] = await embed('fp32');
    for (const variant of MODEL_VARIANTS.filter((v) => v !== 'fp32')) {
      const [v, t] = await embed(variant);
      expect(cosine(v as Float32Array, image as Float32Array), variant).toBeGreaterThan(0.995);
      expect(cosine(t as Float32Array, text as Float32Array), variant).toBeGreaterThan(0.995);
    }
  });
});

describe('image extractor start-up', () => {
  it('refuses CUDA where its provider is not installed, saying how to fix it', async () => {
    await expect(
      createImageExtractor(options({ inference: inProcessInference({ session: { ...TEST_SESSION, executionProvider: 'cuda' } }) })),
    ).rejects.toMatchObject({ code: 'EXECUTION_PROVIDER_UNAVAILABLE', message: expect.stringContaining('EXECUTION_PROVIDER=cpu') });
  });
});
