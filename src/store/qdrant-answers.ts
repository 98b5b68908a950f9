/**
 * The parts of Qdrant's answers the store reads, as schemas (shapes from
 * Qdrant v1.18's OpenAPI document). Fields Sightline does
 * not read are let through unchecked, so a newer Qdrant adding some is fine.
 */
import { z } from 'zod';
import { featureBindingSchema, payloadSchema } from './stored-data.ts';

/** Any answer whose result Sightline does not read (writes acknowledged with `wait=true`). */
export const anyAnswer = z.unknown();

export const versionAnswer = z.object({ version: z.string() });

export const countAnswer = z.object({ count: z.number().int().nonnegative() });

export const existenceAnswer = z.object({ exists: z.boolean() });

export const collectionsAnswer = z.object({ collections: z.array(z.object({ name: z.string() })) });

/** GET /collections/{name}: its vectors' parameters and the metadata Sightline wrote, both read back below. */
export const collectionInfoAnswer = z.object({
  config: z.object({
    params: z.object({ vectors: z.unknown().optional() }),
    metadata: z.unknown().optional(),
  }),
});

/** What createCollection writes into the collection's metadata, under `sightline`. */
export const sightlineMetadataSchema = z.object({
  feature: featureBindingSchema,
  config: payloadSchema,
  created_at: z.string(),
});
export type SightlineMetadata = z.infer<typeof sightlineMetadataSchema>;

/** A collection's `metadata`: Sightline's entry, absent when the collection was made outside Sightline. */
export const metadataSchema = z.object({ sightline: sightlineMetadataSchema.optional() }).nullish();

/** Named dense vectors (VectorsConfig's map form), the form Sightline creates. */
export const namedVectorsSchema = z.record(z.string(), z.object({ size: z.number().int().nonnegative() }));

const point = z.object({
  id: z.union([z.string(), z.number().int().nonnegative()]),
  payload: payloadSchema.nullish(),
  // Named vectors asked for by name come back as `{ name: number[] }`.
  vector: z.record(z.string(), z.unknown()).nullish(),
});
export type QdrantPoint = z.infer<typeof point>;

export const pointsAnswer = z.array(point);

export const queryAnswer = z.object({ points: z.array(point.extend({ score: z.number() })) });

/** The dense vector of `name` in a point's `vector`; absent when it was not asked for. */
export const denseVectorSchema = z.array(z.number());
