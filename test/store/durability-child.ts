// Upserts one point into the embedded store, says "acked", then waits to be killed.
import { silentLogger } from '../../src/logger.ts';
import { createEmbeddedStore } from '../../src/store/embedded-store.ts';
import { EXPECTED, id, vec } from './conformance.ts';

const store = createEmbeddedStore({ dataDir: process.argv[2]!, features: [EXPECTED], logger: silentLogger });
await store.createCollection('durable', { feature: EXPECTED, config: {} });
await store.upsert('durable', [{ id: id(42), vector: vec(1, 2), payload: { survived: true } }]);
process.stdout.write('acked\n');
setInterval(() => {}, 1000);
