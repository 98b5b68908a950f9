import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { createEmbeddedStore } from '../../src/store/embedded-store.ts';
import { EXPECTED, id, vec } from './conformance.ts';
import { filterArb, payloadArb } from './filter-arbitraries.ts';
import { referenceHoldsNoCondition, referenceMatches } from './filter-reference.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-filter-'));
const store = createEmbeddedStore({ dataDir, features: [EXPECTED], logger: silentLogger });
afterAll(async () => {
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('filters scroll, count, search and delete exactly as the reference evaluator does', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(payloadArb, { minLength: 1, maxLength: 13 }), filterArb, async (payloads, filter) => {
      const name = `p${run++}`;
      await store.createCollection(name, { feature: EXPECTED, config: {} });
      await store.upsert(name, payloads.map((payload, n) => ({ id: id(n), vector: vec(1, n), payload })));
      const expected = payloads.flatMap((p, n) => (referenceMatches(p, id(n), filter) ? [id(n)] : []));

      expect((await store.scroll(name, { filter, limit: 100 })).map((p) => p.id)).toEqual(expected);
      expect(await store.count(name, filter)).toBe(expected.length);
      const hits = await store.search(name, { vector: vec(1), filter, limit: 100 });
      expect(hits.map((h) => h.id).sort()).toEqual(expected);
      if (referenceHoldsNoCondition(filter)) {
        await expect(store.delete(name, { filter })).rejects.toMatchObject({ code: 'UNSCOPED_DELETE' });
        expect(await store.count(name)).toBe(payloads.length);
      } else {
        expect(await store.delete(name, { filter })).toBe(expected.length);
        expect(await store.count(name)).toBe(payloads.length - expected.length);
      }
      await store.deleteCollection(name);
    }),
    { numRuns: 150 },
  );
});
