/**
 * The demo page (`GET /`) and its three assets. They are read once, from
 * fixed paths (beside this module, and shared's latent codec, which the page
 * shares with the API); no part of a request ever names a file.
 *
 * @module
 */
import { Hono } from "hono";

const read = (name: string) => Deno.readTextFileSync(new URL(`../page/${name}`, import.meta.url));

/** The page, its scripts and its style sheet. */
export function pageRoutes() {
  const assets = {
    html: read("index.html"),
    js: read("demo.js"),
    css: read("demo.css"),
    codec: Deno.readTextFileSync(new URL(import.meta.resolve("@gan-edge/shared/latent-codec"))),
  };
  const cache = { "Cache-Control": "public, max-age=300" };
  const script = { ...cache, "Content-Type": "text/javascript; charset=utf-8" };
  return new Hono()
    .get("/", (c) => c.html(assets.html, 200, cache))
    .get("/demo.js", (c) => c.body(assets.js, 200, script))
    .get("/shared/latent_codec.js", (c) => c.body(assets.codec, 200, script))
    .get("/demo.css", (c) =>
      c.body(assets.css, 200, {
        ...cache,
        "Content-Type": "text/css; charset=utf-8",
      }));
}
