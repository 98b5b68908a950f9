/**
 * Issue 11 item 1: the search page at `/`, in Debian's headless Chromium
 * against a whole Sightline (tiny generated model, embedded store, local
 * thumbnails). Every expected grid is the GraphQL API's own answer to the same
 * search, asked directly: the page must show those hits, in that order.
 * Screenshots go to .cache/screenshots/search-page/ (git-ignored).
 */
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_DIST_DIR } from '../../src/api/search-page.ts';
import { createHttpServer, type SightlineHttpServer } from '../../src/api/server.ts';
import { createApiServices } from '../../src/app/api-services.ts';
import { adminKey, type ApiKeyGrant } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { startTestApp } from '../app/harness.ts';
import { startStubServer, stopStubServers } from './http-harness.ts';
import { CHROMIUM, hasChromium, launchChromium, type Chromium } from '../fixtures/chromium.ts';
import { encode, halves, type Rgb } from '../fixtures/images.ts';
import { multiPagePdf } from '../fixtures/pdfs.ts';

const SHOTS = fileURLToPath(new URL('../../.cache/screenshots/search-page/', import.meta.url));

const PALETTE: Rgb[] = [
  [200, 30, 30], [30, 160, 60], [30, 60, 200], [230, 200, 40], [150, 40, 170],
  [20, 170, 170], [240, 130, 20], [90, 90, 90], [245, 245, 245], [15, 15, 15],
];
const CATEGORIES = ['shoes', 'kitchen', 'garden'];

const EXTRACTOR = {
  feature_extractor_name: 'image_extractor',
  version: 'v1',
  input_mappings: { image: 'image' },
  field_passthrough: [
    { source_path: 'name', type: 'keyword' },
    { source_path: 'category', type: 'keyword' },
    { source_path: 'price', type: 'float' },
    { source_path: 'in_stock', type: 'bool' },
  ],
  parameters: { enable_thumbnails: true },
};

interface ApiHit {
  id: string;
  source: string;
  fields: Record<string, unknown>;
}

/** 30 distinct two-colour images: product i is PALETTE[i % 10] beside another colour. */
async function productImage(i: number): Promise<Buffer> {
  const right = PALETTE[(i + 1 + Math.floor(i / 10)) % 10]!;
  return encode(halves(96, 96, PALETTE[i % 10]!, right), 'png');
}

function dataUri(bytes: Uint8Array, type: string): string {
  return `data:${type};base64,${Buffer.from(bytes).toString('base64')}`;
}

/** A port for the server, known before the app is made, so thumbnail URLs point at it. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A whole Sightline behind its HTTP server; `call` speaks GraphQL with an optional key. */
async function startSightline(apiKeys: ApiKeyGrant[] = [], env: Record<string, string> = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const app = await startTestApp({ ...env, PUBLIC_BASE_URL: url });
  const server = await createHttpServer({
    services: createApiServices(app),
    config: { ...app.config.server, port, host: '127.0.0.1', apiKeys, syncMaxObjects: app.config.ingest.syncMaxObjects },
    logger: silentLogger,
  });
  await server.listen();
  async function call<T>(query: string, variables: Record<string, unknown> = {}, key?: string): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (key) headers['authorization'] = `Bearer ${key}`;
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: T; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data as T;
  }
  return {
    url,
    app,
    call,
    async stop() {
      await server.close();
      await app.dispose();
    },
  };
}

type Sightline = Awaited<ReturnType<typeof startSightline>>;

const SEARCH = `query($collection: String!, $query: SearchQueryInput, $filter: FilterInput, $limit: Int) {
  search(collection: $collection, query: $query, filter: $filter, limit: $limit) { hits { id source fields } }
}`;

async function apiHits(s: Sightline, collection: string, query: unknown, filter: unknown = null, limit = 100, key?: string): Promise<ApiHit[]> {
  const data = await s.call<{ search: { hits: ApiHit[] } }>(SEARCH, { collection, query, filter, limit }, key);
  return data.search.hits;
}

async function ingest(s: Sightline, collection: string, objects: unknown[], key?: string): Promise<void> {
  const data = await s.call<{ ingest: { results: Array<{ status: string; error: unknown }> } }>(
    `mutation($collection: String!, $objects: [JSON!]!) { ingest(collection: $collection, objects: $objects) { results { status error { code message } } } }`,
    { collection, objects },
    key,
  );
  expect(data.ingest.results.filter((r) => r.status !== 'STORED')).toEqual([]);
}

/**
 * What the tests touch in the browser, typed here: this project's TypeScript
 * has no DOM library, and these functions run in the page, not in Node.
 */
interface BrowserGlobals {
  DataTransfer: new () => { items: { add(file: unknown): void } };
  ClipboardEvent: new (type: string, init: { clipboardData: unknown; bubbles: boolean; cancelable: boolean }) => unknown;
  File: new (parts: Uint8Array[], name: string, options: { type: string }) => unknown;
  atob(base64: string): string;
  scrollTo(x: number, y: number): void;
  sessionStorage: { getItem(key: string): string | null };
  localStorage: { length: number };
  document: { cookie: string };
}
interface Picture {
  currentSrc: string;
  naturalWidth: number;
}

const gridIds = (page: Page) => page.locator('ol.grid > li').evaluateAll((items) => items.map((li) => li.getAttribute('data-id')));

/** The small print of the grid's card at this rank. */
const facts = (page: Page, rank: number) => page.locator('ol.grid > li').nth(rank).locator('.card-meta span').allInnerTexts();

/**
 * Waits until the grid begins with these hits, in this order. The grid loads
 * its next page whenever its end is near the viewport, which depends on the
 * layout at that moment: a first page may already have grown.
 */
async function expectGridStart(page: Page, hits: ApiHit[]): Promise<void> {
  await expect.poll(async () => (await gridIds(page)).slice(0, hits.length), { timeout: 30_000 }).toEqual(hits.map((h) => h.id));
}

/** Waits until the grid shows exactly these hits, in this order. */
async function expectGrid(page: Page, hits: ApiHit[]): Promise<void> {
  await expect.poll(() => gridIds(page), { timeout: 30_000 }).toEqual(hits.map((h) => h.id));
}

type FileBytes = { name: string; type: string; bytes: Uint8Array };

/** Files made in the page from bytes, held as drag and drop or the clipboard hold them. */
function dataTransfer(page: Page, files: FileBytes[]) {
  const payload = files.map((f) => ({ name: f.name, type: f.type, base64: Buffer.from(f.bytes).toString('base64') }));
  return page.evaluateHandle((list) => {
    const browser = globalThis as unknown as BrowserGlobals;
    const transfer = new browser.DataTransfer();
    for (const f of list) transfer.items.add(new browser.File([Uint8Array.from(browser.atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    return transfer;
  }, payload);
}

/** Drops files onto an element, as a user's drag and drop does. */
async function dropFiles(page: Page, selector: string, files: FileBytes[]): Promise<void> {
  await page.locator(selector).first().dispatchEvent('drop', { dataTransfer: await dataTransfer(page, files) });
}

/** A page that records what a user would never want: requests elsewhere, console errors (CSP refusals among them). */
async function openPage(chromium: Chromium, base: string) {
  const page = await chromium.browser.newPage();
  const problems: string[] = [];
  page.on('request', (req) => {
    const target = req.url();
    if (!target.startsWith(base) && !/^(data|blob):/.test(target)) problems.push(`offsite request ${target}`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/status of 40[13]/.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return { page, problems };
}

const shoot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

describe('the built search page', () => {
  it('loads nothing from elsewhere: its HTML and styles name no outside URL', () => {
    const files = readdirSync(PAGE_DIST_DIR).filter((f) => /\.(html|css)$/.test(f));
    expect(files.some((f) => f.endsWith('.css'))).toBe(true);
    for (const file of files) {
      const text = readFileSync(path.join(PAGE_DIST_DIR, file), 'utf8');
      expect({ file, urls: text.match(/(https?:)?\/\/[\w.-]+\.[a-z]{2,}[^\s"')]*/gi) ?? [] }).toEqual({ file, urls: [] });
      expect(text).not.toMatch(/@import/);
    }
    const html = readFileSync(path.join(PAGE_DIST_DIR, 'index.html'), 'utf8');
    for (const [, ref] of html.matchAll(/(?:src|href)="([^"]+)"/g)) expect(ref).toMatch(/^(\/page\/[\w.-]+|data:,)$/);
  });

  it('is served at / with a policy that lets scripts and styles come from this server only, and its files under /page/', async () => {
    const { url } = await startStubServer({ apiKeys: [adminKey('page-route-key')] });
    // The page is open like the playground (keys guard the API it calls), and it holds no key.
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'; style-src 'self'");
    const html = await page.text();
    expect(html).toBe(readFileSync(path.join(PAGE_DIST_DIR, 'index.html'), 'utf8'));
    expect(html).not.toContain('page-route-key');
    const script = /src="\/page\/([\w.-]+\.js)"/.exec(html)![1]!;
    const asset = await fetch(`${url}/page/${script}`);
    expect([asset.status, asset.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(await asset.text()).toBe(readFileSync(path.join(PAGE_DIST_DIR, script), 'utf8'));
    // Only the build's own files: not its stamp, nothing outside it, nothing it does not hold.
    // HEAD answers as GET does, without the body.
    const head = await fetch(`${url}/`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-type'), await head.text()]).toEqual([200, 'text/html; charset=utf-8', '']);
    expect((await fetch(`${url}/page/${script}`, { method: 'HEAD' })).status).toBe(200);
    for (const name of ['build-stamp.json', '..%2F..%2Fpackage.json', '../../package.json', 'missing.js', '%2e%2e/index.html']) {
      expect((await fetch(`${url}/page/${name}`)).status, name).toBe(404);
    }
    await stopStubServers();
  });
});

describe.skipIf(!hasChromium)(
  hasChromium ? 'search page (UI test in Chromium, tiny generated model)' : `search page (UI test) skipped: ${CHROMIUM} is missing (apt-get install chromium)`,
  () => {
    let chromium: Chromium;

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      chromium = await launchChromium({ viewport: { width: 1280, height: 900 } });
    });

    afterEach(async () => {
      for (const page of chromium.browser.pages()) await page.close();
    });

    afterAll(async () => {
      await chromium?.close();
    });

    describe('without API keys', () => {
      let s: Sightline;
      const images: Buffer[] = [];
      let pdf: Uint8Array;

      beforeAll(async () => {
        s = await startSightline();
        await s.app.collections.create('page-products', EXTRACTOR);
        for (let i = 0; i < 30; i++) images.push(await productImage(i));
        const objects: unknown[] = images.map((bytes, i) => ({
          image: dataUri(bytes, 'image/png'),
          name: `P-${String(i).padStart(2, '0')}`,
          category: CATEGORIES[i % 3],
          price: 5 + i * 2.5,
          in_stock: i % 2 === 0,
        }));
        pdf = multiPagePdf([[0.9, 0.1, 0.1], [0.1, 0.8, 0.2], [0.1, 0.2, 0.9]]);
        objects.push({ image: dataUri(pdf, 'application/pdf'), name: 'spec sheet', category: 'docs', price: 1, in_stock: true });
        await ingest(s, 'page-products', objects);
      });

      afterAll(async () => {
        await s?.stop();
      });

      it('searches by text (scrolling loads the rest), by a dropped image, with filters, and opens a hit', async () => {
        const { page, problems } = await openPage(chromium, s.url);
        await page.goto(`${s.url}/?collection=page-products`);
        // Before any query: the collection's documents, in the API's listing order, first page only.
        await expectGridStart(page, await apiHits(s, 'page-products', null, null, 24));

        await page.getByLabel('Search', { exact: true }).fill('red shoes');
        await page.getByLabel('Search', { exact: true }).press('Enter');
        const byText = await apiHits(s, 'page-products', { text: 'red shoes' });
        expect(byText).toHaveLength(33);
        await expectGridStart(page, byText.slice(0, 24));
        // A text query's hits carry SigLIP's match probability beside the cosine.
        await expect.poll(() => facts(page, 0)).toEqual([expect.stringMatching(/^[\d.]+ % match$/), expect.stringMatching(/^score -?\d\.\d{3}$/)]);
        await shoot(page, '1-text-search');
        await page.locator('.grid-end').scrollIntoViewIfNeeded();
        await expectGrid(page, byText);
        // The PDF's pages say where they are in their document.
        for (const n of [1, 2, 3]) await expect.poll(() => page.locator('ol.grid').innerText()).toContain(`page ${n} of 3`);

        await page.evaluate(() => (globalThis as unknown as BrowserGlobals).scrollTo(0, 0));
        await dropFiles(page, 'form[role=search]', [{ name: 'P-07.png', type: 'image/png', bytes: images[7]! }]);
        const byImage = await apiHits(s, 'page-products', { image: dataUri(images[7]!, 'image/png') }, null, 24);
        expect(byImage[0]!.fields['name']).toBe('P-07');
        await expectGridStart(page, byImage);
        expect(await page.locator('ol.grid > li .card-title').first().innerText()).toBe('P-07');
        expect(await facts(page, 0)).toEqual(['score 1.000']);
        expect(await page.locator('.anchor').innerText()).toContain('P-07.png');
        await shoot(page, '2-dropped-image');

        await page.locator('fieldset[data-key=category]').getByLabel('kitchen').check();
        const kitchen = { must: [{ key: 'category', any: ['kitchen'] }] };
        await expectGrid(page, await apiHits(s, 'page-products', { image: dataUri(images[7]!, 'image/png') }, kitchen, 24));
        await page.getByLabel('price from').fill('40');
        const kitchenFrom40 = { must: [{ key: 'category', any: ['kitchen'] }, { key: 'price', range: { gte: 40 } }] };
        const filtered = await apiHits(s, 'page-products', { image: dataUri(images[7]!, 'image/png') }, kitchenFrom40, 24);
        expect(filtered.length).toBeGreaterThan(0);
        expect(filtered.every((h) => h.fields['category'] === 'kitchen' && (h.fields['price'] as number) >= 40)).toBe(true);
        await expectGrid(page, filtered);
        await page.locator('fieldset[data-key=in_stock]').getByLabel('yes').check();
        const inStock = { must: [...kitchenFrom40.must, { key: 'in_stock', match: true }] };
        await expectGrid(page, await apiHits(s, 'page-products', { image: dataUri(images[7]!, 'image/png') }, inStock, 24));
        await shoot(page, '3-filters');

        const first = filtered[0]!;
        await page.locator('ol.grid > li').first().locator('.card-open').click();
        const dialog = page.getByRole('dialog');
        await expect.poll(() => dialog.innerText()).toContain(`${first.fields['name']}`);
        const detail = await dialog.innerText();
        expect(detail).toContain(first.source);
        expect(detail).toMatch(new RegExp(`price\\s+${first.fields['price']}`));
        expect(detail).toContain(first.id);
        await expect.poll(() => dialog.locator('img').evaluate((img) => (img as unknown as Picture).naturalWidth)).toBeGreaterThan(0);
        await shoot(page, '4-opened');
        await page.keyboard.press('Escape');
        expect(await page.getByRole('dialog').count()).toBe(0);
        expect(problems).toEqual([]);
      });

      it('finds more like a hit, then more like it with a few words (one combined query)', async () => {
        const { page, problems } = await openPage(chromium, s.url);
        await page.goto(`${s.url}/?collection=page-products`);
        const listing = await apiHits(s, 'page-products', null, null, 24);
        await expectGridStart(page, listing);
        const second = listing[1]!;
        await page.locator(`ol.grid > li[data-id="${second.id}"]`).getByRole('button', { name: 'More like this' }).click();
        await expectGridStart(page, await apiHits(s, 'page-products', { documentId: second.id }, null, 24));
        await page.getByLabel('Search', { exact: true }).fill('something blue');
        await page.getByLabel('Search', { exact: true }).press('Enter');
        const combined = { parts: [{ documentId: second.id, weight: 1 }, { text: 'something blue', weight: 1 }] };
        const expected = await apiHits(s, 'page-products', combined, null, 24);
        expect(expected.map((h) => h.id)).not.toEqual((await apiHits(s, 'page-products', { documentId: second.id }, null, 24)).map((h) => h.id));
        await expectGridStart(page, expected);
        await shoot(page, '5-more-like-this-with-words');
        expect(problems).toEqual([]);
      });

      it('searches by an image pasted into the search box, or chosen from disk', async () => {
        const { page, problems } = await openPage(chromium, s.url);
        await page.goto(`${s.url}/?collection=page-products`);
        const box = page.getByLabel('Search', { exact: true });
        await box.waitFor();
        const clipboard = await dataTransfer(page, [{ name: 'pasted.png', type: 'image/png', bytes: images[12]! }]);
        await box.evaluate((input, clipboardData) => {
          const browser = globalThis as unknown as BrowserGlobals;
          (input as unknown as { dispatchEvent(e: unknown): void }).dispatchEvent(
            new browser.ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true }),
          );
        }, clipboard);
        await expectGridStart(page, await apiHits(s, 'page-products', { image: dataUri(images[12]!, 'image/png') }, null, 24));
        expect(await page.locator('.anchor').innerText()).toContain('pasted.png');
        await page.getByLabel('Search with an image').setInputFiles({ name: 'chosen.png', mimeType: 'image/png', buffer: images[20]! });
        await expectGridStart(page, await apiHits(s, 'page-products', { image: dataUri(images[20]!, 'image/png') }, null, 24));
        expect(await page.locator('.anchor').innerText()).toContain('chosen.png');
        expect(problems).toEqual([]);
      });

      it('an empty collection says to drop files, takes them with progress and says why one failed', async () => {
        await s.app.collections.create('page-empty', EXTRACTOR);
        const { page, problems } = await openPage(chromium, s.url);
        await page.goto(`${s.url}/?collection=page-empty`);
        await expect.poll(() => page.locator('.drop-here').innerText()).toContain('Drop images or PDFs anywhere on this page');
        await shoot(page, '6-empty-collection');
        await dropFiles(page, '.page', [
          { name: 'first.png', type: 'image/png', bytes: images[0]! },
          { name: 'notes.txt', type: 'text/plain', bytes: Buffer.from('not an image') },
          { name: 'second.png', type: 'image/png', bytes: images[1]! },
        ]);
        const progress = page.getByRole('region', { name: 'adding files' });
        await expect.poll(() => progress.innerText(), { timeout: 30_000 }).toContain('Added 2 of 3 files');
        const failed = page.locator('.ingest li[data-state=failed]');
        expect(await failed.count()).toBe(1);
        expect(await failed.innerText()).toMatch(/notes\.txt\s+.*\w+ \w+ .*\(UNSUPPORTED_MEDIA_TYPE\)/);
        expect(await page.locator('.ingest li[data-state=stored]').allInnerTexts()).toEqual([
          expect.stringContaining('first.png'),
          expect.stringContaining('second.png'),
        ]);
        await expectGrid(page, await apiHits(s, 'page-empty', null, null, 24));
        expect(await gridIds(page)).toHaveLength(2);
        await shoot(page, '7-files-added');
        expect(problems).toEqual([]);
      });
    });

    describe('a collection without thumbnails, ingested from URLs', () => {
      let s: Sightline;
      let images: http.Server;
      let imageBase: string;

      beforeAll(async () => {
        const bytes = await Promise.all([0, 1, 2].map(productImage));
        images = http.createServer((req, res) => {
          const i = Number(/^\/img-(\d)\.png$/.exec(req.url ?? '')?.[1] ?? -1);
          if (!bytes[i]) return void res.writeHead(404).end();
          res.writeHead(200, { 'content-type': 'image/png' }).end(bytes[i]);
        });
        await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
        imageBase = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
        s = await startSightline();
        await s.app.collections.create('page-linked', { ...EXTRACTOR, parameters: { enable_thumbnails: false } });
        await ingest(s, 'page-linked', [0, 1, 2].map((i) => ({ image: `${imageBase}/img-${i}.png`, name: `linked ${i}` })));
      });

      afterAll(async () => {
        await s?.stop();
        await new Promise((resolve) => images?.close(resolve));
      });

      it('shows each source image itself, scaled into the grid', async () => {
        const { page } = await openPage(chromium, s.url);
        await page.goto(`${s.url}/?collection=page-linked`);
        const listing = await apiHits(s, 'page-linked', null);
        await expectGrid(page, listing);
        const pictures = page.locator('ol.grid > li img');
        await expect
          .poll(() => pictures.evaluateAll((imgs) => (imgs as unknown as Picture[]).map((img) => [img.currentSrc, img.naturalWidth])))
          .toEqual(listing.map((h) => [h.source, 96]));
        await shoot(page, '8-no-thumbnails');
      });
    });

    describe('with batches larger than INGEST_SYNC_MAX_OBJECTS', () => {
      let s: Sightline;

      beforeAll(async () => {
        s = await startSightline([], { INGEST_SYNC_MAX_OBJECTS: '1' });
        await s.app.collections.create('page-jobs', EXTRACTOR);
      });

      afterAll(async () => {
        await s?.stop();
      });

      it('follows the ingest job the server makes of a drop, to each file\'s end', async () => {
        const { page, problems } = await openPage(chromium, s.url);
        await page.goto(`${s.url}/?collection=page-jobs`);
        await page.locator('.drop-here').waitFor();
        const files = await Promise.all([13, 14, 15].map(async (i) => ({ name: `job-${i}.png`, type: 'image/png', bytes: await productImage(i) })));
        await dropFiles(page, '.page', [...files, { name: 'broken.png', type: 'image/png', bytes: (await productImage(16)).subarray(0, 64) }]);
        await expect.poll(() => page.getByRole('region', { name: 'adding files' }).innerText(), { timeout: 30_000 }).toContain('Added 3 of 4 files');
        expect(await page.locator('.ingest li[data-state=failed]').innerText()).toMatch(/broken\.png\s+.+\(CORRUPT_IMAGE\)/);
        await expectGrid(page, await apiHits(s, 'page-jobs', null));
        expect(await gridIds(page)).toHaveLength(3);
        expect(problems).toEqual([]);
      });
    });

    describe('with API keys', () => {
      let s: Sightline;
      const SEARCH_KEY = 'page-search-only-key-5f2c';
      const ADMIN_KEY = 'page-admin-key-9a1e';

      beforeAll(async () => {
        s = await startSightline([adminKey(ADMIN_KEY), { key: SEARCH_KEY, scopes: ['search'], collections: null }]);
        await s.app.collections.create('page-keyed', EXTRACTOR);
        const objects = await Promise.all(
          [3, 4, 5].map(async (i) => ({ image: dataUri(await productImage(i), 'image/png'), name: `K-${i}`, category: 'shoes', price: i, in_stock: true })),
        );
        await ingest(s, 'page-keyed', objects, ADMIN_KEY);
      });

      afterAll(async () => {
        await s?.stop();
      });

      it('asks for a key, keeps it in the tab\'s sessionStorage only, searches with a search-only key and says adding needs an ingest key', async () => {
        const html = await (await fetch(`${s.url}/`)).text();
        expect(html).not.toContain(SEARCH_KEY);
        expect(html).not.toContain(ADMIN_KEY);

        const { page, problems } = await openPage(chromium, s.url);
        await page.goto(`${s.url}/`);
        await page.getByLabel('API key').fill('not-a-key');
        await page.getByRole('button', { name: 'Use this key' }).click();
        await expect.poll(() => page.locator('.key-prompt').innerText()).toContain('The server refused that key');
        await page.getByLabel('API key').fill(SEARCH_KEY);
        await shoot(page, '9-key-prompt');
        await page.getByRole('button', { name: 'Use this key' }).click();
        await expectGrid(page, await apiHits(s, 'page-keyed', null, null, 24, SEARCH_KEY));
        // Thumbnails need the key too: fetched with it and shown as blobs.
        await expect
          .poll(() => page.locator('ol.grid > li img').evaluateAll((imgs) => (imgs as unknown as Picture[]).map((i) => i.naturalWidth > 0 && i.currentSrc.startsWith('blob:'))))
          .toEqual([true, true, true]);
        const stored = await page.evaluate(() => {
          const browser = globalThis as unknown as BrowserGlobals;
          return { session: browser.sessionStorage.getItem('sightline.apiKey'), local: browser.localStorage.length, cookies: browser.document.cookie };
        });
        expect(stored)
          .toEqual({ session: SEARCH_KEY, local: 0, cookies: '' });

        await page.getByLabel('Add files').setInputFiles({ name: 'new.png', mimeType: 'image/png', buffer: await productImage(9) });
        await expect
          .poll(() => page.locator('.ingest li[data-state=failed]').innerText(), { timeout: 30_000 })
          .toContain('Adding files needs an API key with the ingest scope');
        await shoot(page, '10-search-only-key');
        expect(problems).toEqual([]);
      });
    });
  },
);
