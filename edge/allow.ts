/**
 * Which methods a path is served under, for a 405's `Allow` (RFC 9110
 * §15.5.6): read from the app's routes once all are mounted, and matched
 * with Hono's own pattern router, so a path with parameters matches too.
 *
 * @module
 */
import type { Hono } from "hono";
import { PatternRouter } from "hono/router/pattern-router";

/** The order methods are listed in `Allow`. */
const ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/**
 * A function from a path to the methods `app`'s routes answer on it (HEAD
 * wherever GET is, as Hono answers it); empty for a path no route serves.
 * The routes are read at its first call, so middleware mounted before them
 * may hold it.
 */
export function allowedMethods(app: Hono): (path: string) => string[] {
  let router: PatternRouter<string> | undefined;
  const build = () => {
    const built = new PatternRouter<string>();
    // Middleware is mounted for "ALL" methods; only routes say what is served.
    for (const route of app.routes) {
      if (route.method !== "ALL") built.add("ALL", route.path, route.method);
    }
    return built;
  };
  return (path) => {
    router ??= build();
    const methods = new Set(router.match("ALL", path)[0].map(([method]) => method));
    if (methods.has("GET")) methods.add("HEAD");
    return ORDER.filter((method) => methods.has(method));
  };
}
