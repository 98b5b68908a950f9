// Saves an index of 400 points, then (in a second store, as after a restart)
// upserts 60 more and deletes 10, says "acked", and waits to be killed: the
// saved index now lags SQLite by 70 changes.
import { silentLogger } from '../../src/logger.ts';
import { createEmbeddedStore } from '../../src/store/embedded-store.ts';
import { BINDING, clustered, uuid } from './ann-fixtures.ts';

const dataDir = process.argv[2]!;
const vectors = clustered(460, 12, 3);
const open = () => createEmbeddedStore({ dataDir, features: [BINDING], logger: silentLogger, fullScanThresholdKb: 0 });
const points = (from: number, to: number) =>
  vectors.slice(from, to).map((vector, i) => ({ id: uuid(from + i), vector, payload: { n: from + i } }));

const first = open();
await first.createCollection('lagging', { feature: BINDING, config: {} });
await first.upsert('lagging', points(0, 400));
await first.close();

const second = open();
await second.upsert('lagging', points(400, 460));
await second.delete('lagging', { ids: Array.from({ length: 10 }, (_, n) => uuid(n)) });
process.stdout.write('acked\n');
setInterval(() => {}, 1000);
