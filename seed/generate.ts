/** Writes the catalogue's images and spec sheets into seed/generated/ (skipping files already there). */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GENERATED_DIR, type Catalogue } from './catalogue.ts';
import { renderProductImage } from './product-images.ts';
import { renderSpecSheet } from './spec-sheets.ts';

export interface GeneratedFiles {
  /** sku → PNG path. */
  images: Map<string, string>;
  /** Spec sheet file name → PDF path. */
  pdfs: Map<string, string>;
}

export async function generateSeedFiles(catalogue: Catalogue, dir: string = GENERATED_DIR): Promise<GeneratedFiles> {
  await mkdir(dir, { recursive: true });
  const images = new Map<string, string>();
  for (const product of catalogue.products) {
    const file = path.join(dir, product.image);
    if (!existsSync(file)) await writeFile(file, await renderProductImage(product));
    images.set(product.sku, file);
  }
  const pdfs = new Map<string, string>();
  for (const sheet of catalogue.specSheets) {
    const product = catalogue.products.find((p) => p.sku === sheet.sku);
    if (!product) throw new Error(`spec sheet ${sheet.file} names unknown sku ${sheet.sku}`);
    const file = path.join(dir, sheet.file);
    if (!existsSync(file)) await writeFile(file, renderSpecSheet(sheet, product, await readFile(images.get(sheet.sku)!)));
    pdfs.set(sheet.file, file);
  }
  return { images, pdfs };
}
