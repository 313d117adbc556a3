/**
 * `GET /v1/sample`: G(z) for latents drawn from a seed with the shared PRNG,
 * or for one user latent `z`. Without a seed one is drawn at random and
 * returned in `X-Seed`, so any response can be reproduced.
 * `POST /v1/sample`: a batch of user latents as one forward pass.
 * The same routes serve under `/v1/models/{hash}/sample`, where seeded
 * responses are immutable (see cache.ts).
 *
 * @module
 */
import { Hono } from "hono";
import { latents, MAX_SEED } from "@gan-edge/shared/prng";
import { encodeLatent, scaleProblem } from "@gan-edge/shared/api";
import type { Sampler } from "../sampler.ts";
import { type ModelEnv, modelOf } from "../models.ts";
import { cacheKey, NO_STORE, notModified, setCaching, VARY } from "../cache.ts";
import { truncate } from "../latent.ts";
import { badParam } from "../problem.ts";
import { rendering, renderingParams, respond } from "../respond.ts";
import { jsonBody, validJson, validQuery } from "../validate.ts";

/**
 * Class labels for `n` samples of a conditional model: all `cls` when given,
 * else cycling through the classes (sample i has class i mod K), so a seed's
 * gallery shows every class. Undefined for an unconditional model.
 */
export function classLabels(
  sampler: Sampler,
  n: number,
  cls?: number,
): number[] | undefined {
  const k = sampler.classNames?.length;
  if (!k) return undefined;
  return Array.from({ length: n }, (_, i) => cls ?? i % k);
}

/**
 * The sample routes for the model each request is for (models.ts);
 * `versioned` when mounted under `/v1/models/{hash}`.
 */
export function sampleRoutes(versioned: boolean) {
  return new Hono<ModelEnv>()
    .get("/", validQuery((s) => s.sampleQuery), async (c) => {
      const { sampler, facts } = modelOf(c);
      const { dim, distribution } = sampler.metadata.latent;
      const q = c.req.valid("query");
      const how = rendering(c, q, facts);
      const random = q.seed === undefined && q.z === undefined;
      const seed = q.z ? null : q.seed ?? randomSeed();
      const n = q.n ?? 1;
      const key = await cacheKey(facts.hash, facts.versionedBase, "sample", {
        ...(q.z ? { z: encodeLatent(q.z) } : { seed: seed!, n }),
        class: q.class,
        truncation: q.truncation,
        ...renderingParams(how),
      });
      setCaching(c, key, { versioned, random });
      if (seed !== null) c.header("X-Seed", String(seed));
      if (!random && notModified(c, key.etag)) return c.body(null, 304);
      const z = truncate(q.z ?? latents(seed!, n, dim, distribution), q.truncation);
      const labels = classLabels(sampler, n, q.class);
      const out = await sampler.generate(z, n, labels);
      return respond(c, facts, { ...how, n, z, out, labels, head: { seed } });
    })
    .post(
      "/",
      jsonBody,
      validQuery((s) => s.postQuery),
      validJson((s) => s.sampleBody),
      async (c) => {
        const { sampler, facts } = modelOf(c);
        const q = c.req.valid("query");
        const body = c.req.valid("json");
        const how = rendering(c, q, facts);
        const n = body.z.length;
        const tooLarge = scaleProblem(facts, n, q.scale);
        if (tooLarge) throw badParam("scale", tooLarge);
        const z = truncate(Float32Array.from(body.z.flat()), q.truncation);
        const labels = body.class ?? classLabels(sampler, n);
        c.header("Cache-Control", NO_STORE);
        c.header("Vary", VARY);
        const out = await sampler.generate(z, n, labels);
        return respond(c, facts, { ...how, n, z, out, labels, head: { seed: null } });
      },
    );
}

/** A uniformly random seed in [0, MAX_SEED]. */
function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] % (MAX_SEED + 1);
}
