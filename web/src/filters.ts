/**
 * The filter panel's logic, free of the DOM: which control each passthrough
 * field gets (from its declared type, or from the values a sample of the
 * collection holds when it has none) and the FilterInput the settings make.
 */

export type FieldType = 'KEYWORD' | 'INTEGER' | 'FLOAT' | 'BOOL' | 'DATETIME';

export interface PassthroughField {
  sourcePath: string;
  targetPath: string | null;
  type: FieldType | null;
}

/** Keywords with more distinct values than this are typed in rather than ticked. */
export const MAX_CHOICES = 20;

export type FilterControl =
  | { kind: 'choices'; key: string; values: string[] }
  | { kind: 'words'; key: string }
  | { kind: 'range'; key: string; min: number; max: number; integer: boolean }
  | { kind: 'toggle'; key: string };

export type FilterSetting =
  | { kind: 'any'; values: string[] }
  | { kind: 'range'; gte: number | null; lte: number | null }
  | { kind: 'bool'; value: boolean };

export interface FilterInput {
  must: Array<Record<string, unknown>>;
}

/** The value at a dotted path of a document's fields (passthrough fields nest at their target paths). */
export function valueAt(fields: Record<string, unknown>, dotted: string): unknown {
  let at: unknown = fields;
  for (const part of dotted.split('.')) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

/** A field's values across the sample, arrays flattened, nulls left out. */
function sampledValues(sample: ReadonlyArray<Record<string, unknown>>, key: string): unknown[] {
  return sample.flatMap((fields) => {
    const value = valueAt(fields, key);
    return (Array.isArray(value) ? value : [value]).filter((v) => v !== undefined && v !== null);
  });
}

/** An undeclared field's type, read from what it holds; null when mixed, empty or not filterable here. */
function inferredType(values: unknown[]): FieldType | null {
  if (values.length === 0) return null;
  if (values.every((v) => typeof v === 'string')) return 'KEYWORD';
  if (values.every((v) => typeof v === 'number')) return 'FLOAT';
  if (values.every((v) => typeof v === 'boolean')) return 'BOOL';
  return null;
}

function controlFor(key: string, type: FieldType, values: unknown[]): FilterControl | null {
  switch (type) {
    case 'KEYWORD': {
      const distinct = [...new Set(values.filter((v): v is string => typeof v === 'string'))].sort((a, b) => a.localeCompare(b));
      if (distinct.length === 0) return null;
      return distinct.length > MAX_CHOICES ? { kind: 'words', key } : { kind: 'choices', key, values: distinct };
    }
    case 'INTEGER':
    case 'FLOAT': {
      const numbers = values.filter((v): v is number => typeof v === 'number');
      if (numbers.length === 0) return null;
      return { kind: 'range', key, min: Math.min(...numbers), max: Math.max(...numbers), integer: type === 'INTEGER' };
    }
    case 'BOOL':
      return { kind: 'toggle', key };
    case 'DATETIME':
      // The API's RangeInput holds numbers only: a date range cannot be asked through GraphQL.
      return null;
  }
}

/** One control per filterable passthrough field, in the collection's order. */
export function filterControls(fields: ReadonlyArray<PassthroughField>, sample: ReadonlyArray<Record<string, unknown>>): FilterControl[] {
  return fields.flatMap((field) => {
    const key = field.targetPath ?? field.sourcePath;
    const values = sampledValues(sample, key);
    const type = field.type ?? inferredType(values);
    const control = type === null ? null : controlFor(key, type, values);
    return control ? [control] : [];
  });
}

/** The conditions the settings make, all of which must hold; null when nothing is set. */
export function buildFilter(settings: Readonly<Record<string, FilterSetting>>): FilterInput | null {
  const must = Object.entries(settings).flatMap(([key, setting]): Array<Record<string, unknown>> => {
    switch (setting.kind) {
      case 'any':
        return setting.values.length === 0 ? [] : [{ key, any: setting.values }];
      case 'range': {
        const range: Record<string, number> = {};
        if (setting.gte !== null) range['gte'] = setting.gte;
        if (setting.lte !== null) range['lte'] = setting.lte;
        return Object.keys(range).length === 0 ? [] : [{ key, range }];
      }
      case 'bool':
        return [{ key, match: setting.value }];
    }
  });
  return must.length === 0 ? null : { must };
}
