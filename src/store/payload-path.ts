/**
 * Payload keys in Qdrant's JSON-path syntax: `a.b` walks nested objects,
 * `a[]` fans out over an array's elements, `a[2]` picks one, `"odd.key"`
 * quotes a key. A plain key never descends into an array (Qdrant's rule):
 * `items[].sku`, not `items.sku`, reaches the skus of an array of objects.
 */
export type PathStep = { key: string } | { index: number } | { each: true };

const RAW_KEY = /^[\p{L}\p{N}_-]+/u;

/** Parses a key; returns undefined when it is not valid Qdrant syntax. */
export function parsePayloadPath(text: string): PathStep[] | undefined {
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

/** Every value the path reaches in `payload` (a missing key reaches none). */
export function valuesAtPath(payload: unknown, steps: readonly PathStep[]): unknown[] {
  const out: unknown[] = [];
  const walk = (value: unknown, at: number): void => {
    if (at === steps.length) {
      out.push(value);
      return;
    }
    const step = steps[at]!;
    if ('key' in step) {
      if (isObject(value) && Object.hasOwn(value, step.key)) walk(value[step.key], at + 1);
    } else if ('index' in step) {
      if (Array.isArray(value) && step.index < value.length) walk(value[step.index], at + 1);
    } else if (Array.isArray(value)) {
      for (const element of value) walk(element, at + 1);
    }
  };
  walk(payload, 0);
  return out;
}
