/**
 * Seed-addressed responses are deterministic and cacheable for a year; the
 * ETag comes from (model hash, normalised parameters); If-None-Match gives
 * 304. Random-seed and POST responses are never stored.
 */
import assert from "node:assert/strict";
import { createApp } from "@gan-edge/edge/app";
import { loadSampler } from "@gan-edge/edge/sampler";
import { SHIPPED_RING8 } from "../helpers/fixtures.ts";
import { imageFixture } from "./fixtures.ts";

const IMMUTABLE = "public, max-age=31536000, immutable";
const ring8 = createApp(await loadSampler(SHIPPED_RING8));

const head = async (app: typeof ring8, path: string, headers: HeadersInit = {}) => {
  const res = await app.request(path, { headers });
  await res.body?.cancel();
  return res;
};

Deno.test("a seeded sample has an ETag and immutable Cache-Control; the bytes repeat", async () => {
  const a = await ring8.request("/v1/sample?seed=5&n=3&format=svg");
  const b = await ring8.request("/v1/sample?seed=5&n=3&format=svg");
  assert.equal(a.headers.get("cache-control"), IMMUTABLE);
  assert.match(a.headers.get("etag") ?? "", /^"[0-9a-f]{32}"$/);
  assert.equal(a.headers.get("etag"), b.headers.get("etag"));
  assert.equal(await a.text(), await b.text());
  for (const path of ["/v1/interpolate?from=1&to=2", "/v1/sample?z=0,0,0,0,0,0,0,1"]) {
    const res = await head(ring8, path);
    assert.equal(res.headers.get("cache-control"), IMMUTABLE, path);
    assert.ok(res.headers.get("etag"), path);
  }
});

Deno.test("the ETag depends on normalised parameters and the model, nothing else", async () => {
  const tag = async (app: typeof ring8, path: string, headers: HeadersInit = {}) =>
    (await head(app, path, headers)).headers.get("etag");
  const base = await tag(ring8, "/v1/sample?seed=5&n=3");
  // Same parameters written differently: same tag.
  assert.equal(await tag(ring8, "/v1/sample?n=3&seed=5"), base);
  assert.equal(await tag(ring8, "/v1/sample?seed=005&n=03"), base);
  assert.equal(await tag(ring8, "/v1/sample?seed=5&n=3&format=json"), base);
  assert.equal(await tag(ring8, "/v1/sample?seed=5&n=3", { accept: "application/json" }), base);
  assert.equal(await tag(ring8, "/v1/sample?seed=1"), await tag(ring8, "/v1/sample?seed=1&n=1"));
  // Different samples or another format: another tag.
  const others = await Promise.all([
    tag(ring8, "/v1/sample?seed=6&n=3"),
    tag(ring8, "/v1/sample?seed=5&n=4"),
    tag(ring8, "/v1/sample?seed=5&n=3&format=svg"),
    tag(ring8, "/v1/sample?seed=5&n=3&truncation=1"),
  ]);
  assert.equal(new Set([base, ...others]).size, 5);
  // The format is normalised whether it came from format= or from Accept.
  assert.equal(await tag(ring8, "/v1/sample?seed=5&n=3", { accept: "image/svg+xml" }), others[2]);
  // Another model, same parameters: another tag.
  const dir = await imageFixture();
  const image = createApp(await loadSampler(dir));
  await Deno.remove(dir, { recursive: true });
  assert.notEqual(await tag(image, "/v1/sample?seed=5&n=3"), base);
});

Deno.test("If-None-Match with the ETag gives 304 with the caching headers, no body", async () => {
  const first = await head(ring8, "/v1/sample?seed=8&format=svg");
  const etag = first.headers.get("etag")!;
  for (const inm of [etag, `"x", ${etag}`, `W/${etag}`, "*"]) {
    const res = await ring8.request("/v1/sample?seed=8&format=svg", {
      headers: { "if-none-match": inm },
    });
    assert.equal(res.status, 304, inm);
    assert.equal(await res.text(), "");
    assert.equal(res.headers.get("etag"), etag);
    assert.equal(res.headers.get("cache-control"), IMMUTABLE);
    assert.equal(res.headers.get("vary"), "Accept");
  }
  const stale = await head(ring8, "/v1/sample?seed=8&format=svg", { "if-none-match": '"x"' });
  assert.equal(stale.status, 200);
});

Deno.test("a 304 does not run the model; a stale tag does", async () => {
  const sampler = await loadSampler(SHIPPED_RING8);
  let runs = 0;
  const counting = Object.assign(Object.create(sampler), {
    generate: (...args: Parameters<typeof sampler.generate>) => {
      runs++;
      return sampler.generate(...args);
    },
  });
  const app = createApp(counting);
  for (const path of ["/v1/sample?seed=8&n=4", "/v1/interpolate?from=1&to=2"]) {
    const etag = (await head(app, path)).headers.get("etag")!;
    assert.equal(runs, 1, `${path}: the first request runs the model`);
    for (const inm of [etag, `W/${etag}`, `"x", ${etag}`, "*"]) {
      assert.equal((await head(app, path, { "if-none-match": inm })).status, 304, inm);
    }
    assert.equal(runs, 1, `${path}: 304s do not`);
    assert.equal((await head(app, path, { "if-none-match": '"x"' })).status, 200);
    assert.equal(runs, 2, `${path}: a stale tag does`);
    runs = 0;
  }
});

Deno.test("random-seed and POST responses are not cached", async () => {
  const random = await head(ring8, "/v1/sample?n=2");
  assert.equal(random.headers.get("cache-control"), "no-store");
  assert.ok(random.headers.get("x-seed"));
  const post = await ring8.request("/v1/sample", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ z: [[0, 0, 0, 0, 0, 0, 0, 0]] }),
  });
  await post.body?.cancel();
  assert.equal(post.status, 200);
  assert.equal(post.headers.get("cache-control"), "no-store");
  assert.equal(post.headers.get("etag"), null);
  const problem = await head(ring8, "/v1/sample?seed=x");
  assert.equal(problem.headers.get("cache-control"), "no-store");
});
