/**
 * The edge's Hono app: Hono's own middleware for the cross-cutting parts
 * (request id, compression, secure headers, CORS, timeout, ETag), our
 * access log and metrics, rate limit and body reader (size and time limits),
 * then each route module, the sample routes twice: plain (`/v1/sample`, the
 * default model) and versioned (`/v1/models/{hash}/sample`, each served
 * model by its hash; models.ts), and the model listing `/v1/models`. Every
 * error becomes a problem+json response, so bad input is a 4xx, never a 500.
 * HEAD is answered as GET (head.ts).
 *
 * @module
 */
import { Hono } from "hono";
import { compress } from "hono/compress";
import { cors } from "hono/cors";
import { etag } from "hono/etag";
import { secureHeaders } from "hono/secure-headers";
import { timeout } from "hono/timeout";
import { createMiddleware } from "hono/factory";
import { except } from "hono/combine";
import { requestId } from "hono/request-id";
import { DEFAULT_CONFIG, type EdgeConfig } from "./config.ts";
import { ROUTES } from "./facts.ts";
import { byHash, forModel, servedModels } from "./models.ts";
import { methodNotAllowed, notFound, problemResponse, timedOut, toProblem } from "./problem.ts";
import { allowedMethods } from "./allow.ts";
import { answerHeadAsGet } from "./head.ts";
import { readBody } from "./body.ts";
import { edgeMetrics, observe, timedSampler } from "./observe.ts";
import { rateLimit } from "./ratelimit.ts";
import type { Sampler } from "./sampler.ts";
import { interpolateRoutes } from "./routes/interpolate.ts";
import { metaRoutes } from "./routes/meta.ts";
import { HEALTH_ROUTES, opsRoutes } from "./routes/ops.ts";
import { modelsRoutes } from "./routes/models.ts";
import { openapiRoutes } from "./routes/openapi.ts";
import { PAGE_SCRIPT_SOURCES, pageRoutes } from "./routes/page.ts";
import { sampleRoutes } from "./routes/sample.ts";

/**
 * CORS for any origin, on the methods each path serves (`allowed`): a
 * preflight names them, and lets a cross-origin POST send its JSON
 * `Content-Type`. The API keeps no cookies or other credentials, so a request
 * from another site can do nothing a direct one could not. An OPTIONS that is
 * no preflight, or a preflight for a path nothing serves, goes on to the 405
 * or 404.
 */
function corsForRoutes(allowed: (path: string) => string[]) {
  const middleware = cors({
    origin: "*",
    allowMethods: (_origin, c) => allowed(c.req.path),
    allowHeaders: ["Content-Type"],
    exposeHeaders: [
      "X-Seed",
      "ETag",
      "Content-Location",
      "RateLimit-Remaining",
      "Retry-After",
      "X-Request-Id",
    ],
    maxAge: 86400,
  });
  return createMiddleware(async (c, next) => {
    const preflight = c.req.method === "OPTIONS" &&
      c.req.header("Access-Control-Request-Method") !== undefined;
    if (c.req.method === "OPTIONS" && (!preflight || allowed(c.req.path).length === 0)) {
      return await next();
    }
    return await middleware(c, next);
  });
}

/** What the app reports to, and asks of, the process that serves it. */
export interface AppHooks {
  /** Where each access-log line goes (one JSON object); nowhere by default. */
  log?: (line: string) => void;
  /** False while the server drains before stopping: `/readyz` answers 503. */
  ready?: () => boolean;
}

/**
 * The app serving `samplers` (one, or several: the first is the default,
 * served by the plain routes; see models.ts) under the limits in `config`.
 * Throws when two samplers are the same model.
 */
export function createApp(
  samplers: Sampler | readonly Sampler[],
  config: EdgeConfig = DEFAULT_CONFIG,
  { log, ready = () => true }: AppHooks = {},
): Hono {
  const list = Array.isArray(samplers) ? samplers : [samplers as Sampler];
  const metrics = edgeMetrics(list);
  const models = servedModels(list.map((s) => timedSampler(s, metrics.forward)), config);
  const main = models[0];
  const app = new Hono();
  const allowed = allowedMethods(app);
  app.use(requestId());
  app.use(observe(metrics, log));
  // gzip or deflate for text bodies (JSON, SVG, the page), as Accept-Encoding
  // asks; never PNG, which is already deflated. Not br: Deno's
  // CompressionStream has it (as "brotli"), but Hono's compress does not, and
  // it took 2-10 times gzip's time on sample JSON (1 to 64 Fashion-MNIST
  // samples) for 1-7 % fewer bytes.
  app.use(compress());
  app.use(secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      imgSrc: ["'self'", "data:", "blob:"],
      // The demo page's import map and its in-browser generator's wasm.
      scriptSrc: ["'self'", ...PAGE_SCRIPT_SOURCES],
      styleSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
    // Samples are meant to be embedded by other sites (with CORS).
    crossOriginResourcePolicy: "cross-origin",
  }));
  app.use(corsForRoutes(allowed));
  // Health checks come from load balancers and orchestrators: never limited.
  app.use(except(
    HEALTH_ROUTES,
    rateLimit(config.rateLimit, config.rateWindowSeconds, {
      trustProxyHops: config.trustProxyHops,
    }),
  ));
  // The largest valid body of any served model.
  const maxBodyBytes = Math.max(...models.map((m) => m.facts.maxBodyBytes));
  app.use(readBody(maxBodyBytes, config.bodyTimeoutMs));
  app.use(timeout(config.timeoutMs, () => timedOut(config.timeoutMs)));
  // The sample routes set their own ETags (none for random seeds; cache.ts).
  app.use(ROUTES.model, etag());
  app.use(ROUTES.models, etag());
  app.use(ROUTES.versioned, etag());
  // Which model a request is for: the default on plain routes, else its hash's.
  app.use(ROUTES.sample, forModel(main));
  app.use(ROUTES.interpolate, forModel(main));
  app.use(`${ROUTES.versioned}/*`, byHash(models));
  app.route(ROUTES.sample, sampleRoutes(false));
  app.route(ROUTES.interpolate, interpolateRoutes(false));
  app.route(`${ROUTES.versioned}/sample`, sampleRoutes(true));
  app.route(`${ROUTES.versioned}/interpolate`, interpolateRoutes(true));
  app.route("/", modelsRoutes(models));
  app.route("/", metaRoutes(main.sampler, main.facts));
  app.route("/", openapiRoutes(models));
  app.route("/", pageRoutes(models.map((m) => m.sampler)));
  app.route("/", opsRoutes(metrics, ready));
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
  answerHeadAsGet(app);
  return app;
}
