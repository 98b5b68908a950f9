/** The demo catalogue (seed/catalogue.json) and where its generated files go. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type ProductShape =
  | 'sneaker'
  | 'boot'
  | 'mug'
  | 'bottle'
  | 'backpack'
  | 'tote'
  | 'watch'
  | 'sunglasses'
  | 'headphones'
  | 'lamp';

export type ProductColour = 'red' | 'blue' | 'green' | 'yellow' | 'black';

export interface Product {
  sku: string;
  name: string;
  category: string;
  brand: string;
  price: number;
  tags: string[];
  colour: ProductColour;
  shape: ProductShape;
  /** File name of its generated image. */
  image: string;
}

export interface SpecSheet {
  /** File name of the generated PDF. */
  file: string;
  /** The product it describes. */
  sku: string;
  title: string;
  pages: number;
}

export interface Catalogue {
  products: Product[];
  specSheets: SpecSheet[];
}

/** Git-ignored (seed/.gitignore): images and PDFs are generated on demand, never committed. */
export const GENERATED_DIR = fileURLToPath(new URL('./generated/', import.meta.url));

export function loadCatalogue(): Catalogue {
  return JSON.parse(readFileSync(new URL('./catalogue.json', import.meta.url), 'utf8')) as Catalogue;
}
