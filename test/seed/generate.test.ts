import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as mupdf from 'mupdf';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../seed/catalogue.ts';
import { generateSeedFiles } from '../../seed/generate.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sightline-seed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('demo catalogue', () => {
  const catalogue = loadCatalogue();

  it('lists 50 products with unique skus and the fields the seed passes through', () => {
    expect(catalogue.products).toHaveLength(50);
    expect(new Set(catalogue.products.map((p) => p.sku)).size).toBe(50);
    for (const p of catalogue.products) {
      expect(p).toMatchObject({ sku: expect.any(String), name: expect.any(String), category: expect.any(String), brand: expect.any(String) });
      expect(p.price).toBeGreaterThan(0);
      expect(p.tags.length).toBeGreaterThan(0);
    }
  });

  it('generates 50 decodable 512×512 images, distinct from one another, and 2–3 multi-page PDFs', async () => {
    const files = await generateSeedFiles(catalogue, dir);
    expect(files.images.size).toBe(50);
    const digests = new Set<string>();
    for (const file of files.images.values()) {
      const meta = await sharp(file).metadata();
      expect(meta).toMatchObject({ format: 'png', width: 512, height: 512 });
      const { data } = await sharp(file).resize(16, 16).raw().toBuffer({ resolveWithObject: true });
      digests.add(data.toString('base64'));
    }
    expect(digests.size).toBe(50);

    expect(files.pdfs.size).toBeGreaterThanOrEqual(2);
    expect(files.pdfs.size).toBeLessThanOrEqual(3);
    for (const [name, file] of files.pdfs) {
      const doc = mupdf.Document.openDocument(readFileSync(file), 'application/pdf');
      try {
        const expected = catalogue.specSheets.find((s) => s.file === name)!.pages;
        expect(doc.countPages()).toBe(expected);
        expect(expected).toBeGreaterThan(1);
        expect(doc.loadPage(0).toStructuredText('preserve-whitespace').asText()).toContain('specification sheet');
      } finally {
        doc.destroy();
      }
    }
  });
});
