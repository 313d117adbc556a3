/**
 * `GET /v1/interpolate?from=S1&to=S2&steps=K`: K samples along the slerp
 * from seed S1's latent to seed S2's (sample 0 of each), as a PNG strip, an
 * SVG path or JSON. Deterministic, so always cacheable.
 *
 * @module
 */
import { Hono } from "hono";
import { latents } from "@gan-edge/shared/prng";
import { DEFAULT_STEPS, interpolateQuerySchema } from "@gan-edge/shared/api";
import type { EdgeConfig } from "../config.ts";
import type { Sampler } from "../sampler.ts";
import { notModified, sampleEtag, setCaching } from "../cache.ts";
import { slerp, truncate } from "../latent.ts";
import { negotiate } from "../negotiate.ts";
import { apiFacts, respond } from "../respond.ts";
import { validQuery } from "../validate.ts";

/** The interpolation route for `sampler`. */
export function interpolateRoutes(sampler: Sampler, config: EdgeConfig) {
  const facts = apiFacts(sampler, config);
  const { dim, distribution } = sampler.metadata.latent;
  return new Hono().get(
    "/",
    validQuery(interpolateQuerySchema(facts)),
    async (c) => {
      const q = c.req.valid("query");
      const format = negotiate(q.format, c.req.header("accept"), facts.formats);
      const steps = q.steps ?? DEFAULT_STEPS;
      const end = (seed: number) => truncate(latents(seed, 1, dim, distribution), q.truncation);
      const z = slerp(end(q.from), end(q.to), steps);
      // One class along the whole path: the one asked for, else class 0.
      const labels = sampler.classNames ? new Array<number>(steps).fill(q.class ?? 0) : undefined;
      const etag = await sampleEtag(sampler.hash, "GET /v1/interpolate", { ...q, steps, format });
      setCaching(c, etag);
      if (notModified(c, etag)) return c.body(null, 304);
      const out = await sampler.generate(z, steps, labels);
      return respond(c, sampler, {
        format,
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
