/**
 * HEAD answered as GET is, through the whole app, so that its headers are
 * GET's (RFC 9110 §9.3.2): Content-Type, Content-Length, Content-Encoding and
 * Vary from compression, ETag, caching, X-Seed, CORS, rate limit. Hono's own
 * HEAD runs the GET route with the method still HEAD, so its compress
 * middleware skips it, and drops the body before the server sees it, so Deno
 * sends `Content-Length: 0`. Here a HEAD costs what its GET does, the model
 * run once (a 304 runs none), and middleware sees the method GET.
 *
 * @module
 */
import type { Hono } from "hono";

/** Makes `app.fetch` (and so `app.request`) answer HEAD with GET's headers and no body. */
export function answerHeadAsGet(app: Hono): void {
  const dispatch = app.fetch;
  app.fetch = async (request, env, executionCtx) => {
    if (request.method !== "HEAD") return await dispatch(request, env, executionCtx);
    const get = new Request(request.url, { method: "GET", headers: request.headers });
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
