/**
 * The search page at `/`: a Vite build of web/ (scripts/build-page.ts, run by
 * `npm start` and the tests) served from dist/page/. Everything it loads comes
 * from this server, so it works offline; it holds no configuration and never a
 * key (the browser asks for one when the API answers 401).
 */
import { readFile, readdir } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the page's scripts and styles are served from (Vite's `base`). */
export const PAGE_BASE = '/page/';
export const PAGE_DIST_DIR = fileURLToPath(new URL('../../dist/page/', import.meta.url));

/**
 * Scripts and styles from this server only. Images may come from elsewhere:
 * a thumbnail CDN, S3, or an http(s) source shown when there is no thumbnail.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: http: https:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export async function sendSearchPage(res: ServerResponse): Promise<void> {
  let html: Buffer;
  try {
    html = await readFile(path.join(PAGE_DIST_DIR, 'index.html'));
  } catch {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' });
    res.end('The search page is not built: run `npm run build:page` (npm start does), then reload.\n');
    return;
  }
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'cache-control': 'no-cache',
  });
  res.end(html);
}

/**
 * One file of the build, by its name (Vite puts a content hash in it, so it
 * may be cached for good). Only names the build directory lists are served:
 * the URL never becomes a path. False when there is no such file.
 */
export async function sendSearchPageAsset(res: ServerResponse, name: string): Promise<boolean> {
  const type = CONTENT_TYPES[path.extname(name)];
  if (type === undefined) return false;
  const built = await readdir(PAGE_DIST_DIR).catch(() => [] as string[]);
  if (!built.includes(name)) return false;
  const body = await readFile(path.join(PAGE_DIST_DIR, name));
  res.writeHead(200, { 'content-type': type, 'cache-control': 'public, max-age=31536000, immutable' });
  res.end(body);
  return true;
}
