/**
 * A Qdrant stand-in on loopback for the tests that always run. Every request
 * is checked against Qdrant v1.18's OpenAPI document first (qdrant-spec.ts):
 * one the document refuses is answered 400 (wrong shape) or 422 (a bound
 * broken), as Qdrant's parser and validator would, and recorded in `violations`, which the tests assert empty. Then it answers
 * as Qdrant does (src/actix/helpers.rs, src/actix/auth.rs): the
 * `{result, status, time}` envelope, `{status: {error}}` with 404 for a
 * missing collection and 409 for a taken name, plain-text 401 from the auth
 * layer, and its answer is checked against the document too.
 *
 * Points, payload indexes, counts, deletes by filter and queries are real;
 * filters are evaluated by the shared evaluator (src/store/filter.ts), so this
 * fake checks the adapter's requests, not the filter semantics.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { compileFilter, validateFilter, type Filter, type PointPredicate } from '../../src/store/filter.ts';
import { loadQdrantSpec, type QdrantSpec } from './qdrant-spec.ts';

type Json = Record<string, unknown>;
type PointId = string | number;

interface StoredPoint {
  id: PointId;
  vectors: Record<string, number[]>;
  payload: Json;
  version: number;
}

interface Collection {
  created: Json;
  points: Map<string, StoredPoint>;
  payloadSchema: Record<string, unknown>;
}

export interface Reply {
  status: number;
  /** Answer this much later, as a busy Qdrant would. */
  delayMs?: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/** A canned failure for the next `times` requests whose method and path match. */
export interface Fault {
  method?: string;
  path: RegExp;
  times: number;
  reply: Reply;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The OpenAPI path template it matched. */
  operation: string;
  query: Record<string, string>;
  body: unknown;
}

/** Qdrant's error answers, shaped as v1.18 sends them. */
export const qdrantReplies = {
  error: (status: number, error: string, headers?: Record<string, string>): Reply => ({
    status,
    json: { status: { error }, time: 0 },
    headers,
  }),
  /** StorageError::RateLimitExceeded: Retry-After in whole seconds, rounded up. */
  rateLimited: (seconds: number) => qdrantReplies.error(429, 'Rate limiting exceeded: Write rate limit exceeded', { 'retry-after': String(seconds) }),
  /** StorageError::Timeout. */
  timeout: () => qdrantReplies.error(408, 'Timeout: Operation timed out'),
  /** StorageError::Locked. */
  locked: () => qdrantReplies.error(403, 'Storage locked: Write operations are forbidden'),
  /** StorageError::Forbidden, from Qdrant's access checks. */
  forbidden: () => qdrantReplies.error(403, 'Forbidden: Write access is required'),
  unavailable: () => qdrantReplies.error(503, 'Shard temporarily unavailable: no active replica'),
};

export interface FakeQdrantOptions {
  /** What `GET /` reports. @default '1.18.3' */
  version?: string;
  /** When set, every request but the whitelisted paths needs this key. */
  apiKey?: string;
}

const AUTH_WHITELIST = [/^\/$/, /^\/healthz$/, /^\/readyz/, /^\/livez/];

export async function startFakeQdrant(options: FakeQdrantOptions = {}) {
  const spec: QdrantSpec = loadQdrantSpec();
  const collections = new Map<string, Collection>();
  const faults: Fault[] = [];
  const violations: string[] = [];
  const requests: RecordedRequest[] = [];
  let version = 0;

  const ok = (result: unknown): Reply => ({ status: 200, json: { result, status: 'ok', time: 0.0001 } });
  const missing = (name: string) => qdrantReplies.error(404, `Not found: Collection \`${name}\` doesn't exist!`);
  const badInput = (description: string) => qdrantReplies.error(400, `Wrong input: ${description}`);

  function authorised(req: http.IncomingMessage, path: string): Reply | undefined {
    if (!options.apiKey || AUTH_WHITELIST.some((p) => p.test(path))) return undefined;
    const bearer = req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : undefined;
    const key = (req.headers['api-key'] as string | undefined) ?? bearer;
    if (key === undefined) return { status: 401, text: 'Must provide an API key or an Authorization bearer token' };
    if (key !== options.apiKey) return { status: 401, text: 'Invalid API key or JWT' };
    return undefined;
  }

  function collectionInfo(c: Collection): Json {
    const created = c.created;
    return {
      status: 'green',
      optimizer_status: 'ok',
      indexed_vectors_count: 0,
      points_count: c.points.size,
      segments_count: 1,
      config: {
        params: {
          vectors: created.vectors,
          shard_number: created.shard_number ?? 1,
          replication_factor: created.replication_factor ?? 1,
          write_consistency_factor: created.write_consistency_factor ?? 1,
          on_disk_payload: created.on_disk_payload ?? true,
        },
        hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000, ...(created.hnsw_config as Json | undefined) },
        optimizer_config: {
          deleted_threshold: 0.2,
          vacuum_min_vector_number: 1000,
          default_segment_number: 0,
          max_segment_size: null,
          memmap_threshold: null,
          indexing_threshold: 10000,
          flush_interval_sec: 5,
          max_optimization_threads: null,
        },
        wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 },
        quantization_config: created.quantization_config ?? null,
        metadata: created.metadata ?? null,
      },
      payload_schema: c.payloadSchema,
    };
  }

  /** Qdrant keeps UUIDs in canonical form; the string is the map key. */
  const keyOf = (id: PointId) => (typeof id === 'string' ? id.toLowerCase() : String(id));

  function normalised(vector: number[], distance: unknown): number[] {
    if (distance !== 'Cosine') return vector;
    const norm = Math.hypot(...vector);
    return norm === 0 ? vector : vector.map((x) => x / norm);
  }

  function predicate(filter: unknown): PointPredicate {
    if (filter === undefined || filter === null) return () => true;
    return compileFilter(validateFilter(filter as Filter));
  }

  function selectPayload(p: StoredPoint, withPayload: unknown): Json | null {
    return withPayload === false || withPayload === undefined ? null : p.payload;
  }

  function selectVectors(p: StoredPoint, withVector: unknown): Json | null {
    if (withVector === true) return p.vectors;
    if (Array.isArray(withVector)) return Object.fromEntries(Object.entries(p.vectors).filter(([name]) => withVector.includes(name)));
    return null;
  }

  const sortedIds = (c: Collection) =>
    [...c.points.values()].sort((a, b) => (typeof a.id === typeof b.id ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : typeof a.id === 'number' ? -1 : 1));

  function query(c: Collection, body: Json): Reply {
    const pass = predicate(body.filter);
    const limit = (body.limit as number | undefined) ?? 10;
    const offset = (body.offset as number | undefined) ?? 0;
    const withPayload = body.with_payload;
    const withVector = body.with_vector;
    const scored = (p: StoredPoint, score: number) => ({
      id: p.id,
      version: p.version,
      score,
      payload: selectPayload(p, withPayload),
      vector: selectVectors(p, withVector),
    });
    if (body.query === undefined || body.query === null) {
      const page = sortedIds(c).filter((p) => pass(p.payload, keyOf(p.id))).slice(offset, offset + limit);
      return ok({ points: page.map((p) => scored(p, 0)) });
    }
    const vectors = c.created.vectors as Record<string, { size: number; distance: string }>;
    const using = (body.using as string | undefined) ?? '';
    const params = vectors[using];
    if (!params) return badInput(`Not existing vector name error: ${using}`);
    const q = body.query as number[];
    if (q.length !== params.size) return badInput(`Vector dimension error: expected dim: ${params.size}, got ${q.length}`);
    const nq = normalised(q, params.distance);
    const threshold = body.score_threshold as number | undefined;
    const hits = [...c.points.values()]
      .filter((p) => pass(p.payload, keyOf(p.id)))
      .map((p) => ({ p, score: p.vectors[using]!.reduce((s, x, i) => s + x * nq[i]!, 0) }))
      // Qdrant keeps scores strictly better than the threshold.
      .filter((h) => threshold === undefined || h.score > threshold)
      .sort((a, b) => b.score - a.score)
      .slice(offset, offset + limit);
    return ok({ points: hits.map((h) => scored(h.p, h.score)) });
  }

  function upsert(c: Collection, body: Json): Reply {
    const vectors = c.created.vectors as Record<string, { size: number; distance: string }>;
    const points = body.points as Array<{ id: PointId; vector: Record<string, number[]>; payload?: Json }>;
    for (const p of points) {
      for (const [name, v] of Object.entries(p.vector)) {
        const params = vectors[name];
        if (!params) return badInput(`Not existing vector name error: ${name}`);
        if (v.length !== params.size) return badInput(`Vector dimension error: expected dim: ${params.size}, got ${v.length}`);
      }
    }
    version++;
    for (const p of points) {
      const normalisedVectors = Object.fromEntries(Object.entries(p.vector).map(([name, v]) => [name, normalised(v, vectors[name]!.distance)]));
      c.points.set(keyOf(p.id), { id: typeof p.id === 'string' ? p.id.toLowerCase() : p.id, vectors: normalisedVectors, payload: p.payload ?? {}, version });
    }
    return ok({ operation_id: version, status: 'completed' });
  }

  function onPoints(c: Collection, op: string, method: string, body: Json): Reply {
    switch (`${method} ${op}`) {
      case 'PUT /points':
        return upsert(c, body);
      case 'POST /points': {
        const ids = (body.ids as PointId[]).map(keyOf);
        const found = ids.flatMap((id) => (c.points.has(id) ? [c.points.get(id)!] : []));
        return ok(found.map((p) => ({ id: p.id, payload: selectPayload(p, body.with_payload), vector: selectVectors(p, body.with_vector) })));
      }
      case 'POST /points/count': {
        const pass = predicate(body.filter);
        return ok({ count: [...c.points.values()].filter((p) => pass(p.payload, keyOf(p.id))).length });
      }
      case 'POST /points/delete': {
        const pass = 'points' in body ? ((_: unknown, id: string) => (body.points as PointId[]).map(keyOf).includes(id)) : predicate(body.filter);
        version++;
        for (const [id, p] of c.points) if (pass(p.payload, id)) c.points.delete(id);
        return ok({ operation_id: version, status: 'completed' });
      }
      case 'POST /points/query':
        return query(c, body);
      case 'PUT /index':
        version++;
        c.payloadSchema[body.field_name as string] = { data_type: body.field_schema, points: c.points.size };
        return ok({ operation_id: version, status: 'completed' });
      default:
        return qdrantReplies.error(501, `fake Qdrant: ${method} ${op} is not implemented`);
    }
  }

  function route(method: string, template: string, params: Record<string, string>, body: Json): Reply {
    if (template === '/') return { status: 200, json: { title: 'qdrant - vector search engine', version: options.version ?? '1.18.3', commit: 'fake' } };
    if (template === '/collections' && method === 'GET') return ok({ collections: [...collections.keys()].map((name) => ({ name })) });
    const name = params.collection_name!;
    const c = collections.get(name);
    if (template === '/collections/{collection_name}/exists') return ok({ exists: c !== undefined });
    if (template === '/collections/{collection_name}') {
      if (method === 'PUT') {
        if (c) return qdrantReplies.error(409, `Wrong input: Collection \`${name}\` already exists!`);
        collections.set(name, { created: body, points: new Map(), payloadSchema: {} });
        return ok(true);
      }
      if (!c) return missing(name);
      if (method === 'DELETE') return (collections.delete(name), ok(true));
      return ok(collectionInfo(c));
    }
    if (!c) return missing(name);
    return onPoints(c, template.slice('/collections/{collection_name}'.length), method, body);
  }

  function takeFault(method: string, path: string): Reply | undefined {
    const fault = faults.find((f) => f.times > 0 && (!f.method || f.method === method) && f.path.test(path));
    if (!fault) return undefined;
    fault.times--;
    return fault.reply;
  }

  function answer(req: http.IncomingMessage, raw: string): Reply {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const denied = authorised(req, url.pathname);
    if (denied) return denied;
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch (err) {
        violations.push(`${method} ${url.pathname}: body is not JSON`);
        return qdrantReplies.error(400, `Json deserialize error: ${String(err)}`);
      }
    }
    const op = spec.match({ method, path: url.pathname, query: url.searchParams, body });
    if (!op) {
      violations.push(`${method} ${url.pathname}: no such path in the document`);
      return { status: 404, text: '' };
    }
    if (op.problems.length > 0) {
      violations.push(...op.problems);
      const kind = op.refusal === 422 ? 'Validation error in JSON body' : 'Json deserialize error';
      return qdrantReplies.error(op.refusal, `${kind}: ${op.problems.join('; ')}`);
    }
    requests.push({ method, path: url.pathname, operation: op.template, query: Object.fromEntries(url.searchParams), body });
    const reply = takeFault(method, url.pathname) ?? route(method, op.template, op.pathParams, (body ?? {}) as Json);
    if (reply.status === 200) violations.push(...op.checkResponse(reply.json));
    return reply;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let reply: Reply;
      try {
        reply = answer(req, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        violations.push(`fake Qdrant failed: ${err instanceof Error ? err.stack : String(err)}`);
        reply = qdrantReplies.error(500, `Service internal error: ${String(err)}`);
      }
      const type = reply.text !== undefined ? 'text/plain; charset=utf-8' : 'application/json';
      setTimeout(() => {
        res.writeHead(reply.status, { 'content-type': type, ...reply.headers });
        res.end(reply.text ?? JSON.stringify(reply.json));
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Requests the document refused, and answers of the fake it would refuse; tests assert this empty. */
    violations,
    /** Every request the document accepted, in order. */
    requests,
    collections,
    fail(fault: Fault) {
      faults.push(fault);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeQdrant = Awaited<ReturnType<typeof startFakeQdrant>>;
