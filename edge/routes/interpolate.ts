/**
 * `GET /v1/interpolate?from=S1&to=S2&steps=K`: K samples along the slerp
 * from seed S1's latent to seed S2's (sample 0 of each), as a PNG strip, an
 * SVG path or JSON. Deterministic, so always cacheable; immutable under
 * `/v1/models/{hash}/interpolate` (see cache.ts).
 *
 * @module
 */
import { Hono } from "hono";
import { latents } from "@gan-edge/shared/prng";
import { DEFAULT_STEPS } from "@gan-edge/shared/api";
import { type ModelEnv, modelOf } from "../models.ts";
import { cacheKey, notModified, setCaching } from "../cache.ts";
import { slerp, truncate } from "../latent.ts";
import { rendering, renderingParams, respond } from "../respond.ts";
import { validQuery } from "../validate.ts";

/**
 * The interpolation route for the model each request is for (models.ts);
 * `versioned` when mounted under `/v1/models/{hash}`.
 */
export function interpolateRoutes(versioned: boolean) {
  return new Hono<ModelEnv>().get(
    "/",
    validQuery((s) => s.interpolateQuery),
    async (c) => {
      const { sampler, facts } = modelOf(c);
      const { dim, distribution } = sampler.metadata.latent;
      const q = c.req.valid("query");
      const how = rendering(c, q, facts);
      const steps = q.steps ?? DEFAULT_STEPS;
      const key = await cacheKey(facts.hash, facts.versionedBase, "interpolate", {
        ...q,
        steps,
        ...renderingParams(how),
      });
      setCaching(c, key, { versioned, random: false });
      if (notModified(c, key.etag)) return c.body(null, 304);
      const end = (seed: number) => truncate(latents(seed, 1, dim, distribution), q.truncation);
      const z = slerp(end(q.from), end(q.to), steps);
      // One class along the whole path: the one asked for, else class 0.
      const labels = sampler.classNames ? new Array<number>(steps).fill(q.class ?? 0) : undefined;
      const out = await sampler.generate(z, steps, labels);
      return respond(c, facts, {
        ...how,
        n: steps,
        z,
        out,
        labels,
        head: { from: q.from, to: q.to, steps },
        strip: true,
      });
    },
  );
}
