/**
 * HTTP caching of samples. A response addressed by a seed (or a user latent)
 * is a pure function of the model and its parameters, so it gets an ETag
 * from (model hash, normalised parameters) and may be cached for a year as
 * immutable. A request whose `If-None-Match` already names that ETag gets
 * its 304 before the model runs ({@link notModified}); Hono's `etag`
 * middleware still formats the 304 (and answers for the other routes). A
 * response from a random seed must not be cached at all.
 *
 * @module
 */
import type { Context } from "hono";
import { sha256Hex } from "@gan-edge/shared/artifact";

/** Cache-Control of a deterministic response. */
export const IMMUTABLE = "public, max-age=31536000, immutable";
/** Cache-Control of a response that must not be reused. */
export const NO_STORE = "no-store";

/**
 * A strong ETag naming the response for `route` with `params` under the
 * model `modelHash`. Parameters are normalised: parsed values (so `n=07` and
 * `n=7` agree), defaults filled in, keys sorted, the format resolved.
 */
export async function sampleEtag(
  modelHash: string,
  route: string,
  params: Record<string, unknown>,
): Promise<string> {
  const entries = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    // Code-unit order: the same as localeCompare's for these ASCII names,
    // without the ICU collator that a first localeCompare loads (~5-10 ms).
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => [k, v instanceof Float32Array ? Array.from(v) : v]);
  const key = JSON.stringify([modelHash, route, entries]);
  const hex = await sha256Hex(new TextEncoder().encode(key));
  return `"${hex.slice(0, 32)}"`;
}

/**
 * True when the request's `If-None-Match` (a list of tags, weak or strong,
 * or `*`) names `etag` (weak comparison, RFC 9110 §13.1.2): the client holds
 * the response, so the route answers 304 without running the model.
 */
export function notModified(c: Context, etag: string | null): boolean {
  const header = c.req.header("if-none-match");
  if (!etag || !header) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.trim() === "*" || header.split(",").some((tag) => bare(tag) === bare(etag));
}

/**
 * Sets the caching headers: immutable with `etag`, or no-store without one.
 * Always `Vary: Accept`, since the format may come from content negotiation.
 */
export function setCaching(c: Context, etag: string | null): void {
  c.header("Vary", "Accept");
  c.header("Cache-Control", etag ? IMMUTABLE : NO_STORE);
  if (etag) c.header("ETag", etag);
}
