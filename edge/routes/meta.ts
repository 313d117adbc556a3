/**
 * `GET /v1/model` (the artifact's metadata) and `GET /healthz`.
 *
 * @module
 */
import { Hono } from "hono";
import type { Sampler } from "../sampler.ts";

/** Metadata and health routes for `sampler`. */
export function metaRoutes(sampler: Sampler) {
  return new Hono()
    .get(
      "/v1/model",
      (c) => c.json({ ...sampler.metadata, hash: sampler.hash }),
    )
    .get("/healthz", (c) =>
      c.json({
        status: "ok",
        backend: sampler.backend.backend,
        simd: sampler.backend.simd,
        threads: sampler.backend.threads,
        model: sampler.hash,
      }));
}
