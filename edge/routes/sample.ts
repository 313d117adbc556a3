/**
 * `GET /v1/sample`: G(z) for latents drawn from a seed with the shared PRNG,
 * or for one user latent `z`. Without a seed one is drawn at random and
 * returned in `X-Seed`, so any response can be reproduced.
 * `POST /v1/sample`: a batch of user latents as one forward pass.
 *
 * @module
 */
import { Hono } from "hono";
import { latents, MAX_SEED } from "@gan-edge/shared/prng";
import { postQuerySchema, sampleBodySchema, sampleQuerySchema } from "@gan-edge/shared/api";
import type { EdgeConfig } from "../config.ts";
import type { Sampler } from "../sampler.ts";
import { notModified, sampleEtag, setCaching } from "../cache.ts";
import { truncate } from "../latent.ts";
import { negotiate } from "../negotiate.ts";
import { apiFacts, respond } from "../respond.ts";
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

/** The sample routes for `sampler`. */
export function sampleRoutes(sampler: Sampler, config: EdgeConfig) {
  const facts = apiFacts(sampler, config);
  const { dim, distribution } = sampler.metadata.latent;
  return new Hono()
    .get("/", validQuery(sampleQuerySchema(facts)), async (c) => {
      const q = c.req.valid("query");
      const format = negotiate(q.format, c.req.header("accept"), facts.formats);
      const random = q.seed === undefined && q.z === undefined;
      const seed = q.z ? null : q.seed ?? randomSeed();
      const n = q.n ?? 1;
      const z = truncate(
        q.z ?? latents(seed!, n, dim, distribution),
        q.truncation,
      );
      const labels = classLabels(sampler, n, q.class);
      const etag = random ? null : await sampleEtag(sampler.hash, "GET /v1/sample", {
        seed,
        n,
        z: q.z,
        format,
        class: q.class,
        truncation: q.truncation,
      });
      setCaching(c, etag);
      if (seed !== null) c.header("X-Seed", String(seed));
      if (notModified(c, etag)) return c.body(null, 304);
      const out = await sampler.generate(z, n, labels);
      return respond(c, sampler, { format, n, z, out, labels, head: { seed } });
    })
    .post(
      "/",
      jsonBody,
      validQuery(postQuerySchema(facts)),
      validJson(sampleBodySchema(facts)),
      async (c) => {
        const q = c.req.valid("query");
        const body = c.req.valid("json");
        const format = negotiate(
          q.format,
          c.req.header("accept"),
          facts.formats,
        );
        const n = body.z.length;
        const z = truncate(Float32Array.from(body.z.flat()), q.truncation);
        const labels = body.class ?? classLabels(sampler, n);
        setCaching(c, null);
        const out = await sampler.generate(z, n, labels);
        return respond(c, sampler, {
          format,
          n,
          z,
          out,
          labels,
          head: { seed: null },
        });
      },
    );
}

/** A uniformly random seed in [0, MAX_SEED]. */
function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] % (MAX_SEED + 1);
}
