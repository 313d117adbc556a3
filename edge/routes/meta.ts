/**
 * `GET /v1/model` (the artifact's metadata, which changes only with the
 * model) and `GET /healthz` (never cached).
 *
 * @module
 */
import { Hono } from "hono";
import { memory } from "@tensorflow/tfjs-core";
import type { Sampler } from "../sampler.ts";
import { NO_STORE } from "../cache.ts";

/** The health routes, which the rate limit exempts. */
export const HEALTH_ROUTES = ["/healthz"];

/** Metadata and health routes for `sampler`. */
export function metaRoutes(sampler: Sampler) {
  return new Hono()
    .get("/v1/model", (c) => {
      c.header("Cache-Control", "public, max-age=300");
      c.header("ETag", `"${sampler.hash.slice(0, 32)}"`);
      return c.json({ ...sampler.metadata, hash: sampler.hash });
    })
    .get("/healthz", (c) => {
      c.header("Cache-Control", NO_STORE);
      return c.json({
        status: "ok",
        backend: sampler.backend.backend,
        simd: sampler.backend.simd,
        threads: sampler.backend.threads,
        model: sampler.hash,
        // Live tensors and resident memory: flat under load unless something leaks.
        tensors: memory().numTensors,
        rss: Deno.memoryUsage().rss,
      });
    });
}
