/**
 * HEAD answered as GET is, through the whole app, so that its headers are
 * GET's (RFC 9110 §9.3.2): Content-Type, Content-Length, Content-Encoding and
 * Vary from compression, ETag, caching, X-Seed, CORS, rate limit. Hono's own
 * HEAD runs the GET route with the method still HEAD, so its compress
 * middleware skips it, and drops the body before the server sees it, so Deno
 * sends `Content-Length: 0`. Here a HEAD costs what its GET does, the model
 * run once (a 304 runs none), and middleware sees the method GET; the access
 * log and metrics still say HEAD ({@link clientMethod}).
 *
 * @module
 */
import type { Context, Hono } from "hono";

/** The GET requests made from a HEAD. */
const fromHead = new WeakSet<Request>();

/** The method the client sent: HEAD for a HEAD answered as GET, else the request's. */
export function clientMethod(c: Context): string {
  return fromHead.has(c.req.raw) ? "HEAD" : c.req.method;
}

/** Makes `app.fetch` (and so `app.request`) answer HEAD with GET's headers and no body. */
export function answerHeadAsGet(app: Hono): void {
  const dispatch = app.fetch;
  app.fetch = async (request, env, executionCtx) => {
    if (request.method !== "HEAD") return await dispatch(request, env, executionCtx);
    const get = new Request(request.url, { method: "GET", headers: request.headers });
    fromHead.add(get);
    return await withoutBody(await dispatch(get, env, executionCtx));
  };
}

/**
 * `res` without its body, its length said as the server would say GET's: a
 * Content-Length for a body held whole, none for a compressed one, which
 * streams (Deno sends no length for a HEAD whose body is a stream).
 */
async function withoutBody(res: Response): Promise<Response> {
  if (!res.body) return res;
  const init = {
    status: res.status,
    statusText: res.statusText,
    headers: new Headers(res.headers),
  };
  if (res.headers.has("Content-Encoding")) {
    await res.body.cancel();
    return new Response(new ReadableStream({ start: (controller) => controller.close() }), init);
  }
  init.headers.set("Content-Length", String((await res.arrayBuffer()).byteLength));
  return new Response(null, init);
}
