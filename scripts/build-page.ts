/**
 * Builds the search page (web/) with Vite into dist/page/, which the server
 * serves at `/`. Runs before `npm start` and before the tests, so the README's
 * two commands need no extra step; a build whose inputs have not changed is
 * skipped (a hash of web/ and the toolchain's versions, kept beside the output).
 *
 *   npx tsx scripts/build-page.ts [--force]
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { build } from 'vite';
import { PAGE_BASE, PAGE_DIST_DIR } from '../src/api/search-page.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEB_DIR = path.join(ROOT, 'web');
const STAMP = path.join(PAGE_DIST_DIR, 'build-stamp.json');

/** Every file under web/ (sorted), so any edit there changes the hash. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

function inputHash(): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles(WEB_DIR)) hash.update(path.relative(WEB_DIR, file)).update('\0').update(readFileSync(file)).update('\0');
  for (const pkg of ['vite', '@vitejs/plugin-react', 'react', 'react-dom']) {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string };
    hash.update(`${pkg}@${manifest.version}\0`);
  }
  return hash.digest('hex');
}

function builtHash(): string | null {
  try {
    return (JSON.parse(readFileSync(STAMP, 'utf8')) as { inputHash?: string }).inputHash ?? null;
  } catch {
    return null;
  }
}

/** Builds unless the output already matches web/; resolves with whether it built. */
export async function buildPage({ force = false } = {}): Promise<boolean> {
  const hash = inputHash();
  if (!force && builtHash() === hash) return false;
  // Built beside the output and swapped in whole: a running server never serves half a build.
  const temp = `${PAGE_DIST_DIR.replace(/\/$/, '')}.${process.pid}.tmp`;
  try {
    await build({
      root: WEB_DIR,
      configFile: false,
      logLevel: 'warn',
      base: PAGE_BASE,
      plugins: [react()],
      build: { outDir: temp, emptyOutDir: true, assetsDir: '' },
    });
    writeFileSync(path.join(temp, 'build-stamp.json'), `${JSON.stringify({ inputHash: hash })}\n`);
    rmSync(PAGE_DIST_DIR, { recursive: true, force: true });
    renameSync(temp, PAGE_DIST_DIR);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const built = await buildPage({ force: process.argv.includes('--force') });
  process.stderr.write(built ? `search page built into ${path.relative(ROOT, PAGE_DIST_DIR)}/\n` : 'search page is up to date\n');
}
