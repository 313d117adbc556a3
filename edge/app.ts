/**
 * The edge's Hono app: Hono's own middleware for the cross-cutting parts
 * (secure headers, CORS for GET, timeout, ETag), our rate limit and body
 * reader (size and time limits), then each route module; every error becomes a problem+json response, so
 * bad input is a 4xx, never a 500.
 *
 * @module
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { etag } from "hono/etag";
import { secureHeaders } from "hono/secure-headers";
import { timeout } from "hono/timeout";
import { createMiddleware } from "hono/factory";
import { except } from "hono/combine";
import { largestSampleBody } from "@gan-edge/shared/api";
import { DEFAULT_CONFIG, type EdgeConfig } from "./config.ts";
import { methodNotAllowed, notFound, problemResponse, timedOut, toProblem } from "./problem.ts";
import { allowedMethods } from "./allow.ts";
import { readBody } from "./body.ts";
import { rateLimit } from "./ratelimit.ts";
import { apiFacts } from "./respond.ts";
import type { Sampler } from "./sampler.ts";
import { interpolateRoutes } from "./routes/interpolate.ts";
import { HEALTH_ROUTES, metaRoutes } from "./routes/meta.ts";
import { openapiRoutes } from "./routes/openapi.ts";
import { pageRoutes } from "./routes/page.ts";
import { sampleRoutes } from "./routes/sample.ts";

/** CORS for GET and HEAD (and their preflights) only; POST stays same-origin. */
function corsForGet() {
  const middleware = cors({
    origin: "*",
    allowMethods: ["GET", "HEAD"],
    exposeHeaders: ["X-Seed", "ETag", "RateLimit-Remaining", "Retry-After"],
    maxAge: 86400,
  });
  return createMiddleware(async (c, next) => {
    const method = c.req.method === "OPTIONS"
      ? c.req.header("Access-Control-Request-Method")
      : c.req.method;
    if (method === "GET" || method === "HEAD") return await middleware(c, next);
    await next();
  });
}

/** The app serving `sampler` under the limits in `config`. */
export function createApp(
  sampler: Sampler,
  config: EdgeConfig = DEFAULT_CONFIG,
): Hono {
  const facts = apiFacts(sampler, config);
  const app = new Hono();
  app.use(secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      imgSrc: ["'self'", "data:", "blob:"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
    // Samples are meant to be embedded by other sites (with CORS for GET).
    crossOriginResourcePolicy: "cross-origin",
  }));
  app.use(corsForGet());
  // Health checks come from load balancers and orchestrators: never limited.
  app.use(except(
    HEALTH_ROUTES,
    rateLimit(config.rateLimit, config.rateWindowSeconds, {
      trustProxyHops: config.trustProxyHops,
    }),
  ));
  app.use(readBody(config.maxBodyBytes ?? largestSampleBody(facts), config.bodyTimeoutMs));
  app.use(timeout(config.timeoutMs, () => timedOut(config.timeoutMs)));
  app.use("/v1/*", etag());
  app.route("/v1/sample", sampleRoutes(sampler, config));
  app.route("/v1/interpolate", interpolateRoutes(sampler, config));
  app.route("/", metaRoutes(sampler));
  app.route("/", openapiRoutes(facts, sampler.metadata.training.dataset));
  app.route("/", pageRoutes());
  const allowed = allowedMethods(app);
  app.notFound((c) => {
    const methods = allowed(c.req.path);
    return problemResponse(
      c,
      methods.length > 0
        ? methodNotAllowed(c.req.method, c.req.path, methods)
        : notFound(c.req.method, c.req.path),
    );
  });
  app.onError((error, c) => {
    const problem = toProblem(error);
    if (problem.status === 500) console.error(error); // a bug: log it
    return problemResponse(c, problem);
  });
  return app;
}
