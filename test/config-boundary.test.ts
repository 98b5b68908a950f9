import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return /\.(ts|mts|mjs|js)$/.test(entry.name) ? [file] : [];
  });
}

it('reads the environment only in src/config.ts, so every option is parsed, checked and documented once', () => {
  const readers = sourceFiles(SRC)
    .filter((file) => /process\.env\b/.test(fs.readFileSync(file, 'utf8')))
    .map((file) => path.relative(SRC, file));
  expect(readers).toEqual(['config.ts']);
});
