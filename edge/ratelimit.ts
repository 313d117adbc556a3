/**
 * A per-client-address rate limit: a fixed window of `limit` requests per
 * `windowSeconds`, counted in this isolate's memory. The address is the
 * connection's remote address (Hono's `getConnInfo` for Deno, which Deno
 * Deploy fills with the real client address), never a spoofable header.
 *
 * On Deno Deploy each isolate counts on its own, so the effective limit is
 * per isolate: a cap on abuse, not an exact global quota.
 *
 * @module
 */
import { createMiddleware } from "hono/factory";
import type { Context } from "hono";
import { tooManyRequests } from "./problem.ts";

/** Most addresses remembered before expired windows are swept. */
const MAX_TRACKED = 10_000;

/** The client address of `c`, or "unknown" (as under `app.request()`). */
export function clientAddress(c: Context): string {
  // What Hono's getConnInfo for Deno reads (Deno.serve's handler info), without
  // importing hono/deno, whose static-file, SSG and WebSocket helpers cost ~7 ms
  // of start-up.
  const info = c.env as Deno.ServeHandlerInfo<Deno.NetAddr> | undefined;
  return info?.remoteAddr?.hostname ?? "unknown";
}

/**
 * Middleware allowing `limit` requests per client address per window, then
 * answering 429 with `Retry-After` until the window ends. Each response
 * carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`.
 * A `limit` of 0 lets everything through.
 */
export function rateLimit(
  limit: number,
  windowSeconds: number,
  now: () => number = Date.now,
) {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return createMiddleware(async (c, next) => {
    if (limit === 0) return await next();
    const t = now();
    if (windows.size >= MAX_TRACKED) {
      for (const [key, w] of windows) if (w.resetAt <= t) windows.delete(key);
      // Still full: forget the oldest window rather than grow without bound.
      if (windows.size >= MAX_TRACKED) {
        windows.delete(windows.keys().next().value!);
      }
    }
    const key = clientAddress(c);
    let w = windows.get(key);
    if (!w || w.resetAt <= t) {
      w = { count: 0, resetAt: t + windowSeconds * 1000 };
      windows.set(key, w);
    }
    w.count++;
    const reset = Math.ceil((w.resetAt - t) / 1000);
    if (w.count > limit) throw tooManyRequests(reset);
    await next();
    c.header("RateLimit-Limit", String(limit));
    c.header("RateLimit-Remaining", String(limit - w.count));
    c.header("RateLimit-Reset", String(reset));
  });
}
