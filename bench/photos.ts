/**
 * Photo-like JPEGs of mixed sizes, generated (nothing downloaded): smooth
 * colour fields with blurred noise compress like photographs do, so decode
 * cost is realistic.
 */
import sharp from 'sharp';

export const PHOTO_SIZES: ReadonlyArray<readonly [number, number]> = [
  [640, 480],
  [1024, 768],
  [1600, 1200],
  [1920, 1080],
  [2592, 1944],
  [4000, 3000],
];

export async function photoJpeg(width: number, height: number, seed: number): Promise<Buffer> {
  const hue = (seed * 47) % 360;
  const gradient = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
      <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
        <stop offset="0" stop-color="hsl(${hue},70%,60%)"/><stop offset="1" stop-color="hsl(${(hue + 120) % 360},60%,30%)"/>
      </linearGradient></defs>
      <rect width="100%" height="100%" fill="url(#g)"/>
      <circle cx="${(seed * 131) % width}" cy="${(seed * 71) % height}" r="${Math.min(width, height) / 4}" fill="hsl(${(hue + 200) % 360},80%,50%)"/>
    </svg>`,
  );
  const noise = await sharp({ create: { width, height, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .blur(1.2)
    .png({ compressionLevel: 0 })
    .toBuffer();
  return sharp(gradient)
    .composite([{ input: noise, blend: 'soft-light' }])
    .jpeg({ quality: 88 })
    .toBuffer();
}

/** `count` photos cycling through PHOTO_SIZES. */
export async function photoSet(count: number): Promise<Array<{ bytes: Buffer; width: number; height: number }>> {
  const out = [];
  for (let i = 0; i < count; i++) {
    const [width, height] = PHOTO_SIZES[i % PHOTO_SIZES.length] as readonly [number, number];
    out.push({ bytes: await photoJpeg(width, height, i + 1), width, height });
  }
  return out;
}
