/**
 * A per-client-address rate limit: a fixed window of `limit` requests per
 * `windowSeconds`, counted in this isolate's memory. The address is the
 * connection's remote address (Hono's `getConnInfo` for Deno, which Deno
 * Deploy fills with the real client address), never a spoofable header;
 * behind reverse proxies that the operator names (`TRUST_PROXY_HOPS`), it
 * is the address the last of them saw, read from `X-Forwarded-For`.
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

/**
 * The client address of `c`, or "unknown" (as under `app.request()`). With
 * `trustProxyHops` proxies in front, each appending the address it saw to
 * `X-Forwarded-For`, the client is the `trustProxyHops`-th entry from the
 * right (what the client itself wrote is further left, and ignored); the
 * connection's address when the header is absent.
 */
export function clientAddress(c: Context, trustProxyHops = 0): string {
  if (trustProxyHops > 0) {
    const chain = c.req.header("x-forwarded-for")?.split(",").map((a) => a.trim());
    if (chain) return chain[Math.max(0, chain.length - trustProxyHops)].slice(0, 64);
  }
  // What Hono's getConnInfo for Deno reads (Deno.serve's handler info), without
  // importing hono/deno, whose static-file, SSG and WebSocket helpers cost ~7 ms
  // of start-up.
  const info = c.env as Deno.ServeHandlerInfo<Deno.NetAddr> | undefined;
  return info?.remoteAddr?.hostname ?? "unknown";
}

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /** Reverse proxies in front whose `X-Forwarded-For` entries are trusted. */
  trustProxyHops?: number;
  /** The clock, in milliseconds (tests move it). */
  now?: () => number;
}

/**
 * Middleware allowing `limit` requests per client address per window, then
 * answering 429 with `Retry-After` until the window ends. Every response it
 * counts, the 429s included, carries the IETF draft's headers
 * (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Limit`,
 * `RateLimit-Remaining`, `RateLimit-Reset` (seconds) and `RateLimit-Policy`
 * (`limit;w=window`). A `limit` of 0 lets everything through.
 */
export function rateLimit(
  limit: number,
  windowSeconds: number,
  { trustProxyHops = 0, now = Date.now }: RateLimitOptions = {},
) {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const policy = `${limit};w=${windowSeconds}`;
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
    const key = clientAddress(c, trustProxyHops);
    let w = windows.get(key);
    if (!w || w.resetAt <= t) {
      w = { count: 0, resetAt: t + windowSeconds * 1000 };
      windows.set(key, w);
    }
    w.count++;
    const reset = Math.ceil((w.resetAt - t) / 1000);
    const headers = {
      "RateLimit-Limit": String(limit),
      "RateLimit-Remaining": String(Math.max(0, limit - w.count)),
      "RateLimit-Reset": String(reset),
      "RateLimit-Policy": policy,
    };
    if (w.count > limit) throw tooManyRequests(reset, headers);
    await next();
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
  });
}
