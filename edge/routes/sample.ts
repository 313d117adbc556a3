/**
 * `GET /v1/sample`: G(z) for latents drawn from a seed with the shared PRNG.
 * Without a seed one is drawn at random and returned in `X-Seed`, so any
 * response can be reproduced.
 *
 * @module
 */
import { Hono } from "hono";
import { MAX_SEED } from "@gan-edge/shared/prng";
import { latents } from "@gan-edge/shared/prng";
import { SampleQuerySchema, type SampleResponse } from "@gan-edge/shared/api";
import type { Sampler } from "../sampler.ts";
import { validQuery } from "../validate.ts";

/** Splits a flat row-major buffer into `n` nested arrays of `shape`. */
export function nest(values: Float32Array, shape: number[]): unknown[] {
  const [head, ...rest] = shape;
  const size = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: head }, (_, i) => {
    const part = values.subarray(i * size, (i + 1) * size);
    return rest.length === 0
      ? part[0]
      : rest.length === 1
      ? Array.from(part)
      : nest(part, rest);
  });
}

/** The sample routes for `sampler`. */
export function sampleRoutes(sampler: Sampler) {
  const { dim, distribution } = sampler.metadata.latent;
  return new Hono().get("/", validQuery(SampleQuerySchema), async (c) => {
    const query = c.req.valid("query");
    const seed = query.seed ??
      crypto.getRandomValues(new Uint32Array(1))[0] % (MAX_SEED + 1);
    const n = query.n;
    const z = latents(seed, n, dim, distribution);
    const out = await sampler.generate(z, n);
    const shape = [n, ...sampler.sampleShape];
    const body: SampleResponse = {
      seed,
      z: nest(z, [n, dim]) as number[][],
      shape,
      samples: nest(out, shape),
    };
    c.header("X-Seed", String(seed));
    return c.json(body);
  });
}
