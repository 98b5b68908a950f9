/**
 * UI test of the playground in Debian's headless Chromium. The server runs on
 * port 0 with stub services that return one fixed hit: this checks that the
 * page loads offline from our own assets and that a search runs from it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type SightlineHttpServer } from '../../src/api/server.ts';
import { createLogger } from '../../src/logger.ts';
import { createStubServices } from './stub-services.ts';
import { loadConfig } from '../../src/config.ts';
import { CHROMIUM, hasChromium, launchChromium, type Chromium } from '../fixtures/chromium.ts';

describe.skipIf(!hasChromium)(
  hasChromium ? 'playground (UI test, stub services)' : `playground (UI test) skipped: ${CHROMIUM} is missing (apt-get install chromium)`,
  () => {
    let server: SightlineHttpServer;
    let url: string;
    let chromium: Chromium;
    const offsiteRequests: string[] = [];

    beforeAll(async () => {
      server = await createHttpServer({
        services: createStubServices(),
        logger: createLogger('silent'),
        config: { port: 0, host: '127.0.0.1', publicBaseUrl: undefined, apiKeys: [], graphql: loadConfig({}).server.graphql, syncMaxObjects: 64 },
      });
      url = await server.listen();
      chromium = await launchChromium();
    });

    afterAll(async () => {
      await chromium?.close();
      await server?.close();
    });

    it('loads from our own assets under Sightline\'s name, runs the example search and shows the hit', async () => {
      const page = await chromium.browser.newPage();
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
