/**
 * Routes for operators' tools: `GET /readyz` (readiness: 200 while the
 * server takes traffic, 503 while it drains before stopping; `/healthz`,
 * liveness, stays 200) and `GET /metrics` (Prometheus). Neither is cached
 * or rate limited.
 *
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import { NO_STORE } from "../cache.ts";
import { ROUTES } from "../facts.ts";
import { CONTENT_TYPE } from "../metrics.ts";
import type { EdgeMetrics } from "../observe.ts";

/** The routes the rate limit exempts: health checks and scrapes. */
export const HEALTH_ROUTES = [ROUTES.health, ROUTES.ready, ROUTES.metrics];

/** `GET /readyz`'s body. */
export const ReadySchema = z.object({
  status: z.enum(["ready", "draining"]).describe("draining (with a 503) while the server stops."),
}).strict();

/** Readiness from `ready`, and `metrics`' exposition. */
export function opsRoutes(metrics: EdgeMetrics, ready: () => boolean) {
  return new Hono()
    .get(ROUTES.ready, (c) => {
      c.header("Cache-Control", NO_STORE);
      const body = (status: z.output<typeof ReadySchema>["status"]) => ({ status });
      return ready() ? c.json(body("ready")) : c.json(body("draining"), 503);
    })
    .get(ROUTES.metrics, (c) =>
      c.body(metrics.text(), 200, {
        "Content-Type": CONTENT_TYPE,
        "Cache-Control": NO_STORE,
      }));
}
