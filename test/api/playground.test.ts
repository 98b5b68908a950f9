/**
 * UI test of the playground in Debian's headless Chromium. The server runs on
 * port 0 with stub services that return one fixed hit: this checks that the
 * page loads offline from our own assets and that a search runs from it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type SightlineHttpServer } from '../../src/api/server.ts';
import { createLogger } from '../../src/logger.ts';
import { createStubServices } from './stub-services.ts';
import { loadConfig } from '../../src/config.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);

describe.skipIf(!hasChromium)(
  hasChromium ? 'playground (UI test, stub services)' : `playground (UI test) skipped: ${CHROMIUM} is missing (apt-get install chromium)`,
  () => {
    let server: SightlineHttpServer;
    let url: string;
    let browser: BrowserContext;
    let profile: string;
    const offsiteRequests: string[] = [];

    beforeAll(async () => {
      server = await createHttpServer({
        services: createStubServices(),
        logger: createLogger('silent'),
        config: { port: 0, host: '127.0.0.1', publicBaseUrl: undefined, apiKeys: [], graphql: loadConfig({}).server.graphql, syncMaxObjects: 64 },
      });
      url = await server.listen();
      profile = mkdtempSync(path.join(os.tmpdir(), 'sightline-chromium-'));
      // A fresh profile per run (playwright passes it as --user-data-dir).
      browser = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    it('loads from our own assets under Sightline\'s name, runs the example search and shows the hit', async () => {
      const page = await browser.newPage();
      page.on('request', (req) => {
        if (!req.url().startsWith(url) && !req.url().startsWith('data:')) offsiteRequests.push(req.url());
      });
      await page.goto(`${url}/graphql`);
      await page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });
      // Sightline's name, not GraphiQL's, in the browser tab and the header.
      expect(await page.title()).toBe('Sightline playground');
      expect(await page.locator('.graphiql-logo').innerText()).toBe('Sightline');
      // The first tab says how to load the demo catalogue; the search is on the next one.
      await expect.poll(() => page.locator('.graphiql-query-editor').innerText(), { timeout: 30_000 }).toContain('npm run seed');
      await page.locator('.graphiql-tab-button', { hasText: 'TextSearch' }).click();
      await expect.poll(() => page.locator('.graphiql-query-editor').innerText(), { timeout: 30_000 }).toContain('TextSearch');
      // GraphiQL picks the tab's operation name after a short debounce and stores it; a Run before that sends the old one.
      await expect.poll(() => page.evaluate("localStorage.getItem('graphiql:operationName')"), { timeout: 30_000 }).toBe('TextSearch');
      await page.locator('.graphiql-execute-button').click();
      await expect
        .poll(() => page.locator('.graphiql-response').innerText(), { timeout: 30_000 })
        .toContain('stub-hit-ember-trail-runner');
      expect(offsiteRequests).toEqual([]);
    });
  },
);
