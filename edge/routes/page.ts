/**
 * The demo page (`GET /`) and its two assets. They are read once, from fixed
 * paths beside this module; no part of a request ever names a file.
 *
 * @module
 */
import { Hono } from "hono";

const read = (name: string) => Deno.readTextFileSync(new URL(`../page/${name}`, import.meta.url));

/** The page, its script and its style sheet. */
export function pageRoutes() {
  const assets = {
    html: read("index.html"),
    js: read("demo.js"),
    css: read("demo.css"),
  };
  const cache = { "Cache-Control": "public, max-age=300" };
  return new Hono()
    .get("/", (c) => c.html(assets.html, 200, cache))
    .get("/demo.js", (c) =>
      c.body(assets.js, 200, {
        ...cache,
        "Content-Type": "text/javascript; charset=utf-8",
      }))
    .get("/demo.css", (c) =>
      c.body(assets.css, 200, {
        ...cache,
        "Content-Type": "text/css; charset=utf-8",
      }));
}
