/**
 * Qdrant v1.18's own OpenAPI document (../shared/qdrant/openapi-v1.18.x.json,
 * from qdrant/qdrant's docs/redoc/v1.18.x/openapi.json) as a request and
 * response checker, with ajv. The document is OpenAPI 3.0: its `nullable`
 * (alone in an `anyOf` for Rust's Option) is rewritten to JSON Schema's
 * `null` type, and its integer and float formats become range checks.
 *
 * Stricter than Qdrant in one way, on purpose: an object field the document
 * does not name is refused. Qdrant's serde ignores most unknown fields, which
 * hides a misspelt setting; here it fails the test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const SPEC_FILE = path.join('qdrant', 'openapi-v1.18.x.json');

/** shared/ sits beside the repository (CI, /work/main) or beside the folder of worktrees. */
function specPath(): string {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const tried = [path.resolve(root, '..', 'shared', SPEC_FILE), path.resolve(root, '..', '..', 'shared', SPEC_FILE)];
  const found = tried.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`Qdrant's OpenAPI document is missing; the Qdrant tests need it at one of:\n  ${tried.join('\n  ')}`);
  return found;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

const ANNOTATIONS = ['description', 'example', 'default', 'nullable'];
/** Constraints Qdrant checks after parsing, with its validator (422); anything else fails parsing (400). */
const BOUNDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minItems', 'maxItems', 'minLength', 'maxLength'];

function isSchema(value: Json): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** OpenAPI 3.0 → JSON Schema, recursively. */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!isSchema(node)) return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') out.$ref = `qdrant${value}`;
    else if (key === 'properties' && isSchema(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v)]));
    } else out[key] = toJsonSchema(value);
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  if (node.nullable !== true) return out;
  delete out.nullable;
  const meaningful = Object.keys(out).filter((k) => !ANNOTATIONS.includes(k));
  if (meaningful.length === 0) return { type: 'null' };
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

interface Operation {
  parameters?: Array<{ name: string; in: string; required?: boolean; schema: Json }>;
  requestBody?: { content: { 'application/json'?: { schema: Json } } };
  responses: Record<string, { content?: { 'application/json'?: { schema: Json } } }>;
}

interface Route {
  template: string;
  pattern: RegExp;
  params: string[];
  methods: Record<string, Operation>;
}

export interface SpecRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export interface MatchedOperation {
  template: string;
  pathParams: Record<string, string>;
  /** Why the document refuses the request; empty when it accepts it. */
  problems: string[];
  /**
   * How Qdrant would refuse it: 422 when only bounds are broken (its
   * validator's "Validation error in JSON body"), 400 when the shape is wrong
   * (serde's "Json deserialize error").
   */
  refusal: 400 | 422;
  /** Why the document refuses this as the operation's 200 answer; empty when it accepts it. */
  checkResponse(body: unknown): string[];
}

/** A query string value as Qdrant's serde reads it: numbers and booleans from their text. */
function queryValue(text: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

export function loadQdrantSpec() {
  const doc = JSON.parse(fs.readFileSync(specPath(), 'utf8')) as { paths: Record<string, Record<string, Operation>>; components: Json };
  const ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
  addFormats(ajv);
  const integer = (min: number, max: number) => ({ type: 'number' as const, validate: (n: number) => Number.isInteger(n) && n >= min && n <= max });
  ajv.addFormat('uint', integer(0, Number.MAX_SAFE_INTEGER));
  ajv.addFormat('uint64', integer(0, Number.MAX_SAFE_INTEGER));
  ajv.addFormat('uint32', integer(0, 2 ** 32 - 1));
  ajv.addFormat('uint8', integer(0, 255));
  ajv.addFormat('int64', integer(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
  ajv.addFormat('float', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addFormat('partial-date-time', true);
  ajv.addFormat('binary', true);
  ajv.addSchema({ $id: 'qdrant', components: toJsonSchema(doc.components) });

  const compiled = new Map<Json, ValidateFunction>();
  const validator = (schema: Json): ValidateFunction => {
    let fn = compiled.get(schema);
    if (!fn) {
      fn = ajv.compile(toJsonSchema(schema) as Schema);
      compiled.set(schema, fn);
    }
    return fn;
  };
  let boundsOnly = true;
  const check = (schema: Json, value: unknown, where: string): string[] => {
    const fn = validator(schema);
    if (fn(value)) return [];
    const errors = fn.errors ?? [];
    boundsOnly &&= errors.every((e) => BOUNDS.includes(e.keyword));
    return errors.map((e) => `${where}${e.instancePath} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params)}`);
  };

  // Literal segments win over parameters (/collections/aliases before /collections/{name}).
  const routes: Route[] = Object.entries(doc.paths)
    .map(([template, methods]) => {
      const params: string[] = [];
      const source = template.replace(/\{([^}]+)\}/g, (_, name: string) => (params.push(name), '([^/]+)'));
      return { template, pattern: new RegExp(`^${source}$`), params, methods };
    })
    .sort((a, b) => a.params.length - b.params.length);

  return {
    /** The operation a request names, with the document's verdict on it; undefined when no path matches. */
    match(req: SpecRequest): MatchedOperation | undefined {
      for (const route of routes) {
        const m = route.pattern.exec(req.path);
        if (!m) continue;
        const pathParams = Object.fromEntries(route.params.map((name, i) => [name, decodeURIComponent(m[i + 1]!)]));
        const op = route.methods[req.method.toLowerCase()];
        const where = `${req.method} ${route.template}`;
        if (!op) return { template: route.template, pathParams, problems: [`${where}: no such operation`], refusal: 400, checkResponse: () => [] };
        boundsOnly = true;
        const problems = requestProblems(op, req, where);
        return {
          template: route.template,
          pathParams,
          problems,
          refusal: boundsOnly ? 422 : 400,
          checkResponse: (body) => responseProblems(op, body, where),
        };
      }
      return undefined;
    },
  };

  function requestProblems(op: Operation, req: SpecRequest, where: string): string[] {
    const problems: string[] = [];
    const declared = op.parameters ?? [];
    for (const name of new Set(req.query.keys())) {
      const param = declared.find((p) => p.in === 'query' && p.name === name);
      if (!param) {
        boundsOnly = false;
        problems.push(`${where}: query parameter "${name}" is not in the document`);
      }
      else problems.push(...check(param.schema, queryValue(req.query.get(name)!), `${where} ?${name}`));
    }
    for (const p of declared) {
      if (p.in === 'query' && p.required && !req.query.has(p.name)) (boundsOnly = false), problems.push(`${where}: ?${p.name} is required`);
    }
    const bodySchema = op.requestBody?.content['application/json']?.schema;
    if (bodySchema !== undefined && req.body !== undefined) problems.push(...check(bodySchema, req.body, `${where} body`));
    if (bodySchema === undefined && req.body !== undefined) (boundsOnly = false), problems.push(`${where}: takes no body`);
    return problems;
  }

  function responseProblems(op: Operation, body: unknown, where: string): string[] {
    const schema = op.responses['200']?.content?.['application/json']?.schema;
    return schema === undefined ? [] : check(schema, body, `${where} answer`);
  }
}

export type QdrantSpec = ReturnType<typeof loadQdrantSpec>;
