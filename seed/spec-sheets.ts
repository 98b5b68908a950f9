/**
 * Multi-page PDF spec sheets drawn with mupdf: a cover with the product's
 * photo, then pages of specifications. Ingested, each page becomes its own
 * document (page_number, total_pages), which is what the seed demonstrates.
 */
import * as mupdf from 'mupdf';
import type { Product, SpecSheet } from './catalogue.ts';
import { IMAGE_SIZE } from './product-images.ts';

/** A4 in points. */
const PAGE: [number, number, number, number] = [0, 0, 595, 842];

function pdfText(text: string): string {
  return text.replace(/[\\()]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, '?');
}

function textLines(lines: string[], x: number, top: number, size: number, leading: number): string {
  return lines.map((line, i) => `BT /F1 ${size} Tf ${x} ${top - i * leading} Td (${pdfText(line)}) Tj ET`).join('\n');
}

function coverPage(sheet: SpecSheet, product: Product, total: number): string {
  const banner = `0.12 0.16 0.22 rg 0 772 595 70 re f`;
  const title = `1 1 1 rg ${textLines([sheet.title], 40, 798, 22, 0)}`;
  const photo = `q ${IMAGE_SIZE * 0.8} 0 0 ${IMAGE_SIZE * 0.8} 93 300 cm /Photo Do Q`;
  const facts = textLines(
    [product.name, `SKU ${product.sku}  |  ${product.brand}  |  ${product.category}`, `Page 1 of ${total}`],
    40,
    250,
    14,
    22,
  );
  return [banner, title, photo, `0 0 0 rg ${facts}`].join('\n');
}

function specPage(sheet: SpecSheet, product: Product, page: number, total: number): string {
  const rows =
    page === 2
      ? [
          `Model: ${product.name}`,
          `Colour: ${product.colour}`,
          `Price: ${product.price.toFixed(2)} EUR`,
          `Tags: ${product.tags.join(', ')}`,
          'Materials: recycled polyester, natural rubber, aluminium',
          'Warranty: 2 years',
        ]
      : ['Care: wipe clean with a damp cloth.', 'Do not machine wash.', 'Store away from direct sunlight.', 'Recycle the packaging.'];
  // A coloured band per page so the pages differ as images too.
  const band = page === 2 ? '0.85 0.9 0.95 rg' : '0.95 0.9 0.8 rg';
  return [
    `${band} 0 0 595 842 re f`,
    `0 0 0 rg ${textLines([page === 2 ? 'Specifications' : 'Care and recycling'], 40, 780, 24, 0)}`,
    textLines(rows, 40, 720, 14, 26),
    textLines([`${sheet.title}  -  page ${page} of ${total}`], 40, 40, 10, 0),
  ].join('\n');
}

/** The sheet as PDF bytes; `photo` is the product's PNG. */
export function renderSpecSheet(sheet: SpecSheet, product: Product, photo: Buffer): Uint8Array {
  const doc = new mupdf.PDFDocument();
  try {
    const font = doc.addSimpleFont(new mupdf.Font('Helvetica'));
    const image = doc.addImage(new mupdf.Image(photo));
    for (let page = 1; page <= sheet.pages; page++) {
      const contents = page === 1 ? coverPage(sheet, product, sheet.pages) : specPage(sheet, product, page, sheet.pages);
      const resources = { Font: { F1: font }, XObject: { Photo: image } };
      doc.insertPage(-1, doc.addPage(PAGE, 0, resources, contents));
    }
    return doc.saveToBuffer('compress').asUint8Array().slice();
  } finally {
    doc.destroy();
  }
}
