/**
 * The edge's Hono app: mounts each route module, and turns every error into a
 * problem+json response, so that bad input is a 4xx, never a 500.
 *
 * @module
 */
import { Hono } from "hono";
import { ProblemError, problemResponse } from "./problem.ts";
import type { Sampler } from "./sampler.ts";
import { sampleRoutes } from "./routes/sample.ts";
import { metaRoutes } from "./routes/meta.ts";

/** The app serving `sampler`. */
export function createApp(sampler: Sampler): Hono {
  const app = new Hono();
  app.route("/v1/sample", sampleRoutes(sampler));
  app.route("/", metaRoutes(sampler));
  app.notFound((c) =>
    problemResponse(
      c,
      new ProblemError(
        404,
        "Not found",
        `no route for ${c.req.method} ${c.req.path}`,
      ),
    )
  );
  app.onError((error, c) => {
    if (error instanceof ProblemError) return problemResponse(c, error);
    console.error(error);
    return problemResponse(
      c,
      new ProblemError(500, "Internal error", "the server failed; see its log"),
    );
  });
  return app;
}
