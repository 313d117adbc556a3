/**
 * Reads a request's whole body before any route sees it, under two limits:
 * its size (413) and the time it takes to arrive (408, not the request
 * timeout's 504: the client, not the server, is slow). A body Deno cannot
 * read, because its chunked framing is broken or its client aborted the
 * upload, is a 400 naming `body`; Deno raises both as an error of the body
 * stream, which would otherwise surface as a 500.
 *
 * Hono's `bodyLimit` counts bytes the same way, but holds its stream reader
 * to itself: a stalled body could not be cancelled, and Deno keeps such a
 * connection open after the 408. Hence this reader.
 *
 * @module
 */
import { createMiddleware } from "hono/factory";
import { bodyTimedOut, bodyTooLarge, unreadableBody } from "./problem.ts";

/** Middleware reading the body (at most `maxBytes`) within `timeoutMs`. */
export function readBody(maxBytes: number, timeoutMs: number) {
  return createMiddleware(async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return await next();
    const declared = c.req.header("content-length");
    if (declared !== undefined && Number(declared) > maxBytes) throw bodyTooLarge(maxBytes);
    const reader = body.getReader();
    let stalled = false;
    const timer = setTimeout(() => {
      stalled = true;
      reader.cancel().catch(() => {});
    }, timeoutMs);
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      while (true) {
        let chunk;
        try {
          chunk = await reader.read();
        } catch {
          throw stalled ? bodyTimedOut(timeoutMs) : unreadableBody();
        }
        if (stalled) throw bodyTimedOut(timeoutMs);
        if (chunk.done) break;
        size += chunk.value.length;
        if (size > maxBytes) {
          reader.cancel().catch(() => {});
          throw bodyTooLarge(maxBytes);
        }
        chunks.push(chunk.value);
      }
    } finally {
      clearTimeout(timer);
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    // A new Request from the parts, not from c.req.raw: copying a Request
    // reads its signal, which makes Deno warn about its legacy abort.
    const { url, method, headers } = c.req.raw;
    c.req.raw = new Request(url, { method, headers, body: bytes });
    await next();
  });
}
