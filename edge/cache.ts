/**
 * HTTP caching of samples. A response addressed by a seed (or a user latent)
 * is a pure function of the model and its parameters, so it gets an ETag
 * from (model hash, normalised parameters), and `Content-Location` names its
 * versioned URL, `/v1/models/{hash}/…`. Under that URL, which names the model,
 * it is immutable for a year. Under a plain URL (`/v1/sample`), whose answer a
 * redeploy changes, it may be stored but must be revalidated before each use
 * (`no-cache`): a new model gives new tags, so no cache can serve an old
 * model's sample. A request whose `If-None-Match` names the tag gets its 304
 * before the model runs ({@link notModified}). A response from a random seed
 * is not stored at all and has no ETag.
 *
 * @module
 */
import type { Context } from "hono";
import { sha256Hex } from "@gan-edge/shared/artifact";

/** Cache-Control of a deterministic response under a versioned URL. */
export const IMMUTABLE = "public, max-age=31536000, immutable";
/** Cache-Control of a deterministic response under a plain URL. */
export const REVALIDATE = "public, no-cache";
/** Cache-Control of a response that must not be reused. */
export const NO_STORE = "no-store";

/**
 * Vary of a samples response: its format may come from Accept, and a JSON or
 * SVG body is compressed as Accept-Encoding asks. Sent on every format and on
 * a 304 alike (RFC 9110 §15.4.5), so a cache keys each URL the same way.
 */
export const VARY = "Accept, Accept-Encoding";

/** Normalised parameters: parsed values, defaults filled in, the format resolved. */
export type Params = Record<string, string | number | undefined>;

/** What names a deterministic response. */
export interface CacheKey {
  /** A strong ETag from (model hash, route, parameters). */
  etag: string;
  /** The response's versioned URL, its parameters in a fixed order. */
  location: string;
}

/**
 * The cache key of `route`'s response (`sample` or `interpolate`) with
 * `params` under the model `hash`, whose versioned routes start with
 * `versionedBase`. Parameters written differently (`n=07`, `n=7`, format
 * from `format=` or from Accept) give the same key, since they arrive parsed.
 */
export async function cacheKey(
  hash: string,
  versionedBase: string,
  route: string,
  params: Params,
): Promise<CacheKey> {
  const entries = Object.entries(params)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    // Code-unit order: the same as localeCompare's for these ASCII names,
    // without the ICU collator that a first localeCompare loads (~5-10 ms).
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const key = JSON.stringify([hash, route, entries]);
  const hex = await sha256Hex(new TextEncoder().encode(key));
  const query = new URLSearchParams(entries.map(([k, v]) => [k, String(v)]));
  return { etag: `"${hex.slice(0, 32)}"`, location: `${versionedBase}/${route}?${query}` };
}

/**
 * True when the request's `If-None-Match` (a list of tags, weak or strong,
 * or `*`) names `etag` (weak comparison, RFC 9110 §13.1.2): the client holds
 * the response, so the route answers 304 without running the model.
 */
export function notModified(c: Context, etag: string): boolean {
  const header = c.req.header("if-none-match");
  if (!header) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.trim() === "*" || header.split(",").some((tag) => bare(tag) === bare(etag));
}

/**
 * Sets the caching headers of a samples response named by `key`: immutable
 * when the URL is `versioned`, revalidated otherwise; `random` ones (a seed
 * drawn for this request) are not stored and carry no ETag, but still name
 * the versioned URL that reproduces them. Always {@link VARY}.
 */
export function setCaching(
  c: Context,
  key: CacheKey,
  how: { versioned: boolean; random: boolean },
): void {
  c.header("Vary", VARY);
  c.header("Content-Location", key.location);
  if (how.random) {
    c.header("Cache-Control", NO_STORE);
    return;
  }
  c.header("Cache-Control", how.versioned ? IMMUTABLE : REVALIDATE);
  c.header("ETag", key.etag);
}
