/**
 * Files uploaded for `ingest` (multipart.ts puts each one's bytes where the map
 * named it) may only stand where the collection reads its image: anywhere else a
 * passthrough rule would copy raw bytes into the document's fields.
 */
import { ErrorCode, SightlineError } from '../errors.ts';
import type { Services } from './services.ts';

/** Dotted paths, inside each object, of the files it holds. */
function filePaths(value: unknown, path: string[] = []): string[] {
  if (Buffer.isBuffer(value)) return [path.join('.')];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => filePaths(v, [...path, key]));
}

/** Throws BAD_USER_INPUT naming the first file outside the image field. */
export async function checkIngestFiles(services: Services, collection: string, objects: unknown[]): Promise<void> {
  const files = objects.flatMap((object, index) => filePaths(object).map((path) => ({ index, path })));
  if (files.length === 0) return;
  // A missing collection is the ingest service's to report, with its own code.
  const imageField = (await services.collections.get(collection))?.featureExtractor.input_mappings.image;
  if (imageField === undefined) return;
  const misplaced = files.find((f) => f.path !== imageField);
  if (misplaced) {
    throw new SightlineError(
      ErrorCode.BAD_USER_INPUT,
      `objects.${misplaced.index}.${misplaced.path} is an uploaded file; files may only stand in the image field "${imageField}"`,
      { index: misplaced.index, path: misplaced.path, imageField },
    );
  }
}
