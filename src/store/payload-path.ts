/**
 * The one owner of paths into JSON objects: input mappings, passthrough
 * source and target paths (plain dotted names) and filter keys (Qdrant's
 * JSON-path syntax) are all parsed, read and written here.
 *
 * Filter keys: `a.b` walks nested objects, `a[]` fans out over an array's
 * elements, `a[2]` picks one, `"odd.key"` quotes a key. A plain key never
 * descends into an array (Qdrant's rule): `items[].sku`, not `items.sku`,
 * reaches the skus of an array of objects.
 *
 * No path may name `__proto__`, `constructor` or `prototype`: reading or
 * writing through them reaches a prototype shared by the whole process (one
 * ingest could otherwise break every later request). Reads and writes also
 * touch own properties only, so an inherited name never resolves.
 */
export type PathStep = { key: string } | { index: number } | { each: true };

const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const RAW_KEY = /^[\p{L}\p{N}_-]+/u;
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

function prototypeKeyProblem(keys: readonly string[]): string | undefined {
  const bad = keys.find((k) => PROTOTYPE_KEYS.has(k));
  return bad === undefined ? undefined : `"${bad}" may not be used as a path segment (it would reach an object prototype)`;
}

/** Why `text` is not a field path (a dotted path of names, e.g. `metadata.sku`), or undefined when it is one. */
export function fieldPathProblem(text: string): string | undefined {
  if (!FIELD_PATH.test(text)) return 'must be a dotted path of names, e.g. "metadata.sku"';
  return prototypeKeyProblem(text.split('.'));
}

/** Why `text` is not a filter key, or undefined when it is one. */
export function payloadPathProblem(text: string): string | undefined {
  const steps = parseSteps(text);
  if (!steps) return 'expected a payload key such as "brand", "metadata.category" or "items[].sku"';
  return prototypeKeyProblem(steps.flatMap((s) => ('key' in s ? [s.key] : [])));
}

/** Parses a filter key; undefined when it is not valid Qdrant syntax or names a prototype. */
export function parsePayloadPath(text: string): PathStep[] | undefined {
  return payloadPathProblem(text) === undefined ? parseSteps(text) : undefined;
}

function parseSteps(text: string): PathStep[] | undefined {
  const steps: PathStep[] = [];
  let rest = text;
  const readKey = (): boolean => {
    if (rest.startsWith('"')) {
      const end = rest.indexOf('"', 1);
      const key = end < 0 ? '' : rest.slice(1, end);
      if (end < 0 || key.includes('\\')) return false;
      steps.push({ key });
      rest = rest.slice(end + 1);
      return true;
    }
    const raw = RAW_KEY.exec(rest);
    if (!raw) return false;
    steps.push({ key: raw[0] });
    rest = rest.slice(raw[0].length);
    return true;
  };
  if (!readKey()) return undefined;
  while (rest.length > 0) {
    if (rest.startsWith('.')) {
      rest = rest.slice(1);
      if (!readKey()) return undefined;
    } else if (rest.startsWith('[]')) {
      steps.push({ each: true });
      rest = rest.slice(2);
    } else {
      const index = /^\[(\d+)\]/.exec(rest);
      if (!index) return undefined;
      steps.push({ index: Number(index[1]) });
      rest = rest.slice(index[0].length);
    }
  }
  return steps;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Does any value the path reaches in `payload` pass `test`? (A missing key reaches none; `[]` reaches every element.) */
export function someAtPath(payload: unknown, steps: readonly PathStep[], test: (value: unknown) => boolean): boolean {
  return reachesSome(payload, steps, 0, test);
}

function reachesSome(value: unknown, steps: readonly PathStep[], at: number, test: (value: unknown) => boolean): boolean {
  if (at === steps.length) return test(value);
  const step = steps[at]!;
  if ('key' in step) return isObject(value) && Object.hasOwn(value, step.key) && reachesSome(value[step.key], steps, at + 1, test);
  if ('index' in step) return Array.isArray(value) && step.index < value.length && reachesSome(value[step.index], steps, at + 1, test);
  return Array.isArray(value) && value.some((element) => reachesSome(element, steps, at + 1, test));
}

function assertFieldPath(dotted: string): string[] {
  const problem = fieldPathProblem(dotted);
  // Paths are validated where a collection is created; reaching here is a programming error.
  if (problem !== undefined) throw new Error(`field path "${dotted}" ${problem}`);
  return dotted.split('.');
}

/** The value at a field path, through own properties of plain objects only; undefined when absent. */
export function readField(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const key of assertFieldPath(dotted)) {
    if (!isObject(cur) || !Object.hasOwn(cur, key)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/**
 * Sets the value at a field path, creating (or replacing non-object values
 * with) objects on the way. Intermediate objects it creates have no
 * prototype, and each property is defined as an own data property, so no
 * write can land on a shared prototype.
 */
export function writeField(obj: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = assertFieldPath(dotted);
  const last = keys.pop()!;
  let cur = obj;
  for (const key of keys) {
    const next = Object.hasOwn(cur, key) ? cur[key] : undefined;
    if (isObject(next)) cur = next;
    else {
      const created: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      define(cur, key, created);
      cur = created;
    }
  }
  define(cur, last, value);
}

function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}
