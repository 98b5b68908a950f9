// Worker threads start as plain Node: register tsx's loader here so the
// TypeScript worker entry (workerData.entry) can be imported. Node 20 does not
// apply `--import` hooks to a worker's own entry module, hence this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
