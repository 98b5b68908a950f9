import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '..', '..', 'src');
const SOURCES = path.join(SRC, 'sources');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

it('is reached from other folders through src/sources/index.ts only, so its limits and SSRF guard cannot be bypassed', () => {
  const reachingIn = sourceFiles(SRC)
    .filter((file) => !file.startsWith(SOURCES + path.sep))
    .flatMap((file) =>
      [...fs.readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)]
        .map((m) => path.resolve(path.dirname(file), m[1] ?? ''))
        .filter((target) => target.startsWith(SOURCES + path.sep) && target !== path.join(SOURCES, 'index.ts'))
        .map((target) => `${path.relative(SRC, file)} → ${path.relative(SRC, target)}`),
    );
  expect(reachingIn).toEqual([]);
});
