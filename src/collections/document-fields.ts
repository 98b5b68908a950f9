/**
 * The fields Sightline writes on every document, beside its passthrough
 * fields: one schema for the ingest pipeline that writes them and the API that
 * reads them back from the store.
 */
import { z } from 'zod';

export const documentFieldsSchema = z.object({
  /** The source's label (its URL, s3:// URI, or a digest of uploaded bytes). */
  source: z.string(),
  content_type: z.string(),
  /** 1-based; null for an image. */
  page_number: z.number().int().positive().nullable(),
  total_pages: z.number().int().positive().nullable(),
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
  /** null when the collection makes no thumbnails. */
  thumbnail_url: z.string().nullable(),
  processing_time_ms: z.number().nonnegative(),
  /** ISO 8601. */
  ingested_at: z.string(),
});

export type DocumentFields = z.infer<typeof documentFieldsSchema>;

/** Passthrough may not overwrite these. */
export const SYSTEM_FIELDS = documentFieldsSchema.keyof().options;
