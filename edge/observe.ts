/**
 * What operators see of each request: its `X-Request-Id` (set by Hono's
 * requestId: a client's own id when it is sane, else a new UUID), one JSON
 * access-log line (time, id, method, route, status, ms), and the Prometheus metrics
 * that `GET /metrics` exposes. Routes are label values by their pattern
 * (`/v1/sample`), never by their path, so the series stay few.
 *
 * @module
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import { memory } from "@tensorflow/tfjs-core";
import { clientMethod } from "./head.ts";
import { Counter, exposition, Gauge, Histogram } from "./metrics.ts";
import type { Sampler } from "./sampler.ts";

/** Methods named in labels and logs as they are; any other is "other". */
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** The edge's metrics, and their exposition. */
export interface EdgeMetrics {
  requests: Counter;
  duration: Histogram;
  forward: Histogram;
  /** The exposition of every metric, gauges read now. */
  text(): string;
}

/** Fresh metrics for the app serving `samplers`. */
export function edgeMetrics(samplers: readonly Sampler[]): EdgeMetrics {
  const requests = new Counter(
    "gan_edge_http_requests_total",
    "HTTP requests answered, by method, route and status.",
  );
  const duration = new Histogram(
    "gan_edge_http_request_duration_seconds",
    "Time from a request's arrival to its response headers, by method, route and status.",
  );
  const forward = new Histogram(
    "gan_edge_forward_pass_seconds",
    "Time of one generator forward pass (a whole batch).",
  );
  // One series per served model, under one HELP and TYPE.
  const info = {
    text: () =>
      [
        "# HELP gan_edge_model_info The served models (hash prefix) and backend; always 1.",
        "# TYPE gan_edge_model_info gauge",
        ...samplers.map((s) =>
          `gan_edge_model_info{model="${s.hash.slice(0, 12)}",backend="${s.backend.backend}"} 1`
        ),
      ].join("\n"),
  };
  const gauges = [
    new Gauge(
      "gan_edge_tensors",
      "Live tfjs tensors: flat unless something leaks.",
      () => memory().numTensors,
    ),
    new Gauge("gan_edge_heap_used_bytes", "V8 heap in use.", () => Deno.memoryUsage().heapUsed),
    new Gauge("process_resident_memory_bytes", "Resident memory.", () => Deno.memoryUsage().rss),
  ];
  return {
    requests,
    duration,
    forward,
    text: () => exposition([requests, duration, forward, ...gauges, info]),
  };
}

/** `sampler` with each forward pass timed into `forward`. */
export function timedSampler(sampler: Sampler, forward: Histogram): Sampler {
  // Named, not spread: a sampler's fields may be inherited (tests wrap one).
  const { metadata, hash, files, backend, sampleShape, classNames } = sampler;
  return {
    metadata,
    hash,
    files,
    backend,
    sampleShape,
    ...(classNames ? { classNames } : {}),
    async generate(z, n, labels) {
      const t0 = performance.now();
      try {
        return await sampler.generate(z, n, labels);
      } finally {
        forward.observe((performance.now() - t0) / 1000);
      }
    },
  };
}

/** The pattern of the route that answered `c`, or "(unmatched)" (404, 405). */
export function routeOf(c: Context): string {
  const route = matchedRoutes(c).findLast((r) => r.method !== "ALL");
  return route?.path ?? "(unmatched)";
}

/**
 * Middleware recording each request, once answered, in `metrics`, and
 * writing its access-log line to `log` (one JSON object per line, when
 * `log` is given). Mount Hono's `requestId()` before it.
 */
export function observe(metrics: EdgeMetrics, log?: (line: string) => void) {
  return createMiddleware(async (c, next) => {
    const t0 = performance.now();
    await next();
    const ms = performance.now() - t0;
    const sent = clientMethod(c); // HEAD, though answered as GET (head.ts)
    const method = METHODS.has(sent) ? sent : "other";
    const labels = { method, route: routeOf(c), status: String(c.res.status) };
    metrics.requests.inc(labels);
    metrics.duration.observe(ms / 1000, labels);
    log?.(JSON.stringify({
      time: new Date().toISOString(),
      id: c.get("requestId"),
      ...labels,
      status: c.res.status,
      ms: Math.round(ms * 10) / 10,
    }));
  });
}
