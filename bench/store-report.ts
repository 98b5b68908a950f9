/** Renders the store benchmark (issue 10) as its BENCHMARKS.md section. */
import { CONTENDED_CORES, describeLoad } from './load-marks.ts';
import { fmt, type Latency } from './measure.ts';
import type { StoreBenchResult, StoreBlockResult } from './store-bench.ts';
import type { StoreMemory } from './store-child.ts';
import { DIM } from './store-vectors.ts';

const ms = (l: Latency) => `${fmt(l.p50, 2)} / ${fmt(l.p99, 2)}`;
const mib = (bytes: number) => `${fmt(bytes / 2 ** 20, 0)} MiB`;
const memory = (m: StoreMemory, codesBytes: number) =>
  `RSS **${mib(m.rss)}**; of it, JS heap ${mib(m.heapUsed)}, typed arrays ${mib(m.arrayBuffers)}, other native ${mib(m.external - m.arrayBuffers)} (the rest is usearch's graph, SQLite's cache and the runtime). Outside RSS, in the operating system's page cache, which it can reclaim: the int8 codes' file (${mib(codesBytes)}) that scans read, and the SQLite pages that rescoring reads`;
const pct = (r: number | undefined) => (r === undefined ? 'filter exact' : fmt(r, 3));

function block(b: StoreBlockResult): string {
  const exact = b.rows[0]!;
  const contention = `Load while this block ran: ${describeLoad(b.load)}.${b.load.contended ? ' ⚠ These figures overstate what this machine does alone.' : ''}`;
  const peers = b.peerResults.flatMap((p) => [
    ...p.searches.map((s) => `| ${p.engine} | ${s.search} | ${ms(s.latency)} | ${pct(s.recall)} | ${fmt(p.buildSeconds, 0)} s |`),
    ...(p.note ? [`| ${p.engine} | ${p.note} | | | |`] : []),
  ]);
  return `### ${b.vectors.toLocaleString('en')} ${b.distribution} vectors

${contention}

| engine | search | p50 / p99 (ms) | recall@10 vs exact | build |
|---|---|---|---|---|
${b.rows.map((r) => `| ${r.engine} | ${r.search} | ${ms(r.latency)} | ${pct(r.recall)} | ${fmt(b.buildSeconds, 0)} s (upserts: SQLite + graph) |`).join('\n')}
| memory-bandwidth bound | read every float32 vector once | ${fmt(b.bandwidthBoundMs, 2)} | | |
| memory-bandwidth bound | read every int8 code once | ${fmt(b.bandwidthBoundMs / 4, 2)} | | |
${peers.join('\n')}

- Exact search: **${fmt(exact.latency.p50 / b.bandwidthBoundMs, 2)}×** the bandwidth bound of the float32 vectors (goal ≤ 1.5×); ${fmt((exact.latency.p50 / b.bandwidthBoundMs) * 4, 2)}× that of the int8 codes it reads.
- Opening the collection (points from SQLite, saved index from disk): ${fmt(b.openMs / 1000, 1)} s, the event loop never blocked longer than ${fmt(b.openLagMaxMs, 0)} ms.
- The store's memory, in a process holding only it, opened and searched once each way (goal: RSS ≤ 1.5 GB at 1M): ${memory(b.storeMemory, b.vectors * DIM)}.`;
}

export function renderStoreSection(r: StoreBenchResult): string {
  return `## The embedded store at scale (issue 10)

768-d vectors, limit 10, one query at a time. Clustered: Gaussian noise around 300 centroids (neighbours at cosine ≈ 0.7,
like real embeddings); uniform: no structure, the worst case for any approximate index. Recall is the share of the exact
top 10 (the store's \`exact: true\` answer) found. The 10 % filter matches every tenth point (\`tenth = 0\`); its recall is
against the exact filtered top 10, and every hit satisfies the filter by construction. The bandwidth bound reads every
float32 vector once at the sequential read bandwidth measured natively in this run (${fmt(r.bandwidthGBps, 1)} GB/s, one
thread, memchr over 512 MiB); the exact scan uses one thread too. The exact scan reads the int8 codes (a quarter of the
bytes) and rescores in float32 every point their proven error bound cannot rule out, so its answer is the float32 one.
Peers get the same vectors and queries. A block is marked **contended** when processes other than the benchmark kept
at least ${CONTENDED_CORES} of a core busy on average while it ran (the machine's busy time in /proc/stat minus the
benchmark's own and its children's, over the block's wall time; ${r.cores} cores here).

${r.blocks.map(block).join('\n\n')}
`;
}
