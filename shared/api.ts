/**
 * HTTP API v1 request and response shapes, shared by the edge (which
 * validates with them) and clients such as tests and the trainer's tooling.
 *
 * @module
 */
import { z } from "zod";
import { MAX_SEED } from "./prng.ts";

/** Largest `n` a sample request may ask for. */
export const MAX_SAMPLES = 64;

const decimal = (what: string) =>
  z.string().regex(/^\d{1,10}$/, { error: `expected ${what}` }).transform(
    Number,
  );

/** `GET /v1/sample` query parameters (all strings on the wire). */
export const SampleQuerySchema = z.object({
  seed: decimal(`an integer in [0, ${MAX_SEED}]`).refine((v) => v <= MAX_SEED, {
    error: `expected an integer in [0, ${MAX_SEED}]`,
  }).optional(),
  n: decimal(`an integer in [1, ${MAX_SAMPLES}]`).refine(
    (v) => v >= 1 && v <= MAX_SAMPLES,
    {
      error: `expected an integer in [1, ${MAX_SAMPLES}]`,
    },
  ).optional().default(1),
  format: z.enum(["json"], { error: 'expected "json"' }).optional(),
}).strict();
export type SampleQuery = z.infer<typeof SampleQuerySchema>;

/** `GET /v1/sample` JSON response. */
export interface SampleResponse {
  seed: number;
  /** The latent vectors used, one row per sample. */
  z: number[][];
  /** Shape of `samples`: [n, ...sample shape]. */
  shape: number[];
  /** One entry per sample: a point, or an image as nested [h][w][c] arrays. */
  samples: unknown[];
}
