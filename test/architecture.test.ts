/**
 * The path of one image reads top to bottom (README, Architecture): each
 * folder imports only from the layers below it, so a change low down never
 * has to know who calls it. Imports are read with TypeScript's own scanner,
 * type-only imports included: a type that points upwards couples as surely
 * as a value does.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

/** Top to bottom. The last layer is the shared leaves, which may import one another. */
const LAYERS: readonly (readonly string[])[] = [
  ['main.ts', 'cli'],
  ['app'],
  ['api'],
  ['ingest', 'search'],
  ['collections'],
  ['sources'],
  ['media'],
  ['extractor'],
  ['store', 'blob'],
  ['config.ts', 'errors.ts', 'logger.ts', 'metrics.ts', 'scheduling', 'extractor/features'],
];
const LEAVES = LAYERS.length - 1;

/** The unit a file belongs to: its top-level folder (or file), with the features registry a leaf of its own. */
function unitOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  if (rel[0] === 'extractor' && rel[1] === 'features') return 'extractor/features';
  return rel[0] ?? '';
}

function layerOf(unit: string): number {
  const layer = LAYERS.findIndex((units) => units.includes(unit));
  if (layer === -1) throw new Error(`src/${unit} is in no layer: add it to LAYERS in test/architecture.test.ts`);
  return layer;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx|mjs)$/.test(entry.name) ? [full] : [];
  });
}

function relativeImports(file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName).filter((name) => name.startsWith('.'));
}

/** Every import that crosses units, as `from → to (file)`. */
function crossings(): { from: string; to: string; file: string }[] {
  return sourceFiles(SRC).flatMap((file) =>
    relativeImports(file)
      .map((spec) => ({ from: unitOf(file), to: unitOf(path.resolve(path.dirname(file), spec)), file: path.relative(SRC, file) }))
      .filter((c) => c.from !== c.to),
  );
}

const goesDown = (from: string, to: string) => {
  const [a, b] = [layerOf(from), layerOf(to)];
  return b > a || (a === LEAVES && b === LEAVES);
};

describe('the folder layering', () => {
  it('places every folder and top-level file of src/ in a layer', () => {
    for (const entry of fs.readdirSync(SRC)) expect(() => layerOf(entry), entry).not.toThrow();
  });

  it('has no import from a lower layer back up', () => {
    const found = crossings();
    expect(found.length).toBeGreaterThan(50);
    const upward = found.filter((c) => !goesDown(c.from, c.to)).map((c) => `${c.file} imports ${c.to}`);
    expect(upward).toEqual([]);
  });

  it('reads type-only imports too, so the check would see a type pointing upwards', () => {
    const file = path.join(SRC, 'store', 'vector-store.ts');
    expect(relativeImports(file)).toContain('../extractor/features/index.ts');
    expect(goesDown('store', 'api')).toBe(false);
  });
});
