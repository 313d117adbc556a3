/**
 * `GET /v1/model` (the artifact's metadata, its hash and what the API serves
 * for it; revalidated, since a redeploy changes it) and `GET /healthz`
 * (never cached).
 *
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import { memory } from "@tensorflow/tfjs-core";
import type { Sampler } from "../sampler.ts";
import { type ApiFacts, ROUTES } from "../facts.ts";
import { NO_STORE, REVALIDATE } from "../cache.ts";

/** `GET /healthz`'s body. */
export const HealthSchema = z.object({
  status: z.literal("ok"),
  backend: z.string().describe("The tfjs backend: wasm."),
  simd: z.boolean().describe("Whether the wasm backend runs with SIMD."),
  threads: z.boolean().describe("Whether the wasm backend runs with threads."),
  model: z.string().describe("The served model's hash."),
  tensors: z.int().min(0).describe("Live tensors: flat under load unless something leaks."),
  rss: z.int().min(0).describe("Resident memory, in bytes."),
}).strict();

/** Metadata and health routes for the model of `facts`, run by `sampler`. */
export function metaRoutes(sampler: Sampler, facts: ApiFacts) {
  return new Hono()
    .get(ROUTES.model, (c) => {
      // Its ETag is the body's digest (Hono's etag middleware, in app.ts).
      c.header("Cache-Control", REVALIDATE);
      return c.json(facts.model);
    })
    .get(ROUTES.health, (c) => {
      c.header("Cache-Control", NO_STORE);
      return c.json(
        {
          status: "ok",
          backend: sampler.backend.backend,
          simd: sampler.backend.simd,
          threads: sampler.backend.threads,
          model: sampler.hash,
          tensors: memory().numTensors,
          rss: Deno.memoryUsage().rss,
        } satisfies z.output<typeof HealthSchema>,
      );
    });
}
