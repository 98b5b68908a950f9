/**
 * Product photos drawn by code: a coloured silhouette per kind of product on a
 * studio-grey backdrop, rendered from SVG with sharp. Simple, but distinct
 * enough in shape and colour for SigLIP to tell a red sneaker from a blue mug.
 */
import sharp from 'sharp';
import type { Product, ProductColour, ProductShape } from './catalogue.ts';

export const IMAGE_SIZE = 512;

const FILL: Record<ProductColour, { main: string; dark: string }> = {
  red: { main: '#d62828', dark: '#8f1b1b' },
  blue: { main: '#1d4ed8', dark: '#1e3a8a' },
  green: { main: '#15803d', dark: '#14532d' },
  yellow: { main: '#eab308', dark: '#a16207' },
  black: { main: '#1f2937', dark: '#030712' },
};

/** Each shape in a 512×512 box; `M` is the main colour, `D` the darker trim. */
const SHAPES: Record<ProductShape, string> = {
  sneaker: `<path d="M70 330 C70 270 120 250 170 240 L250 200 C270 190 300 200 310 220 L340 260 C380 270 430 280 445 310 L450 345 L70 345 Z" fill="M"/>
    <rect x="60" y="340" width="400" height="30" rx="12" fill="#f8fafc" stroke="D" stroke-width="6"/>
    <path d="M230 215 L260 260 M255 205 L285 250 M280 205 L305 245" stroke="#f8fafc" stroke-width="8"/>`,
  boot: `<path d="M150 110 L290 110 L300 300 C360 305 420 320 430 360 L430 390 L130 390 L140 250 Z" fill="M"/>
    <rect x="120" y="385" width="320" height="30" rx="8" fill="D"/>
    <rect x="150" y="110" width="140" height="30" fill="D"/>`,
  mug: `<rect x="130" y="150" width="200" height="240" rx="18" fill="M"/>
    <path d="M330 200 C420 200 420 330 330 330" fill="none" stroke="D" stroke-width="28"/>
    <ellipse cx="230" cy="150" rx="100" ry="18" fill="D"/>`,
  bottle: `<rect x="205" y="70" width="100" height="50" rx="10" fill="D"/>
    <path d="M215 120 L295 120 L330 180 L330 430 C330 445 320 450 305 450 L205 450 C190 450 180 445 180 430 L180 180 Z" fill="M"/>
    <rect x="180" y="260" width="150" height="70" fill="#f8fafc" opacity="0.85"/>`,
  backpack: `<path d="M200 120 C200 70 312 70 312 120" fill="none" stroke="D" stroke-width="18"/>
    <rect x="140" y="120" width="232" height="310" rx="60" fill="M"/>
    <rect x="180" y="280" width="152" height="110" rx="20" fill="D"/>
    <rect x="240" y="300" width="32" height="10" rx="4" fill="#f8fafc"/>`,
  tote: `<path d="M190 200 C190 100 322 100 322 200" fill="none" stroke="D" stroke-width="16"/>
    <path d="M120 200 L392 200 L370 430 L142 430 Z" fill="M"/>
    <rect x="120" y="200" width="272" height="24" fill="D"/>`,
  watch: `<rect x="215" y="60" width="82" height="130" rx="12" fill="D"/>
    <rect x="215" y="322" width="82" height="130" rx="12" fill="D"/>
    <circle cx="256" cy="256" r="100" fill="M"/>
    <circle cx="256" cy="256" r="78" fill="#f8fafc"/>
    <path d="M256 256 L256 196 M256 256 L300 276" stroke="#111827" stroke-width="8" stroke-linecap="round"/>`,
  sunglasses: `<path d="M60 220 L452 220" stroke="D" stroke-width="14"/>
    <path d="M80 220 L230 220 L220 300 C210 340 110 340 95 300 Z" fill="M"/>
    <path d="M282 220 L432 220 L417 300 C402 340 302 340 292 300 Z" fill="M"/>
    <path d="M230 235 C245 220 267 220 282 235" fill="none" stroke="D" stroke-width="10"/>`,
  headphones: `<path d="M130 300 C130 120 382 120 382 300" fill="none" stroke="D" stroke-width="26"/>
    <rect x="95" y="270" width="80" height="130" rx="30" fill="M"/>
    <rect x="337" y="270" width="80" height="130" rx="30" fill="M"/>`,
  lamp: `<path d="M170 110 L300 110 L350 210 L120 210 Z" fill="M"/>
    <path d="M235 210 L235 400" stroke="D" stroke-width="16"/>
    <ellipse cx="235" cy="410" rx="110" ry="22" fill="D"/>
    <circle cx="235" cy="220" r="18" fill="#fde68a"/>`,
};

export function productSvg(product: Pick<Product, 'shape' | 'colour'>): string {
  const { main, dark } = FILL[product.colour];
  const shape = SHAPES[product.shape].replaceAll('"M"', `"${main}"`).replaceAll('"D"', `"${dark}"`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${IMAGE_SIZE}" height="${IMAGE_SIZE}" viewBox="0 0 512 512">
  <defs><radialGradient id="bg" cx="50%" cy="40%" r="75%"><stop offset="0" stop-color="#f1f5f9"/><stop offset="1" stop-color="#cbd5e1"/></radialGradient></defs>
  <rect width="512" height="512" fill="url(#bg)"/>
  <ellipse cx="256" cy="455" rx="190" ry="18" fill="#94a3b8" opacity="0.5"/>
  ${shape}
</svg>`;
}

/** The product's photo as a PNG. */
export function renderProductImage(product: Pick<Product, 'shape' | 'colour'>): Promise<Buffer> {
  return sharp(Buffer.from(productSvg(product))).png().toBuffer();
}
