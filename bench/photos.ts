/**
 * The benchmark's photos: photo-like JPEGs of mixed sizes from the test
 * fixtures' generator (nothing downloaded), cached between runs.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { photoLikeJpeg } from '../test/fixtures/images.ts';

export const PHOTO_SIZES: ReadonlyArray<readonly [number, number]> = [
  [640, 480],
  [1024, 768],
  [1600, 1200],
  [1920, 1080],
  [2592, 1944],
  [4000, 3000],
];

export interface Photo {
  bytes: Buffer;
  width: number;
  height: number;
}

/** `count` photos cycling through PHOTO_SIZES. */
export async function photoSet(count: number, cacheDir: string): Promise<Photo[]> {
  await fs.mkdir(cacheDir, { recursive: true });
  const out: Photo[] = [];
  for (let i = 0; i < count; i++) {
    const [width, height] = PHOTO_SIZES[i % PHOTO_SIZES.length] as readonly [number, number];
    const file = path.join(cacheDir, `photo-${i + 1}-${width}x${height}.jpg`);
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file);
    } catch {
      bytes = await photoLikeJpeg(width, height, i + 1);
      await fs.writeFile(file, bytes);
    }
    out.push({ bytes, width, height });
  }
  return out;
}
