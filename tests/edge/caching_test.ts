/**
 * Seed-addressed responses are deterministic: the ETag comes from (model
 * hash, normalised parameters) and Content-Location names the versioned URL,
 * `/v1/models/{hash}/…`, where the response is immutable for a year. Under
 * the plain URL it is revalidated on every use, so no cache can serve an old
 * model's sample after a redeploy. If-None-Match gives 304 before the model
 * runs. Random-seed and POST responses are never stored and have no ETag.
 */
import assert from "node:assert/strict";
import { createApp } from "@gan-edge/edge/app";
import { loadSampler } from "@gan-edge/edge/sampler";
import { SHIPPED_RING8 } from "../helpers/fixtures.ts";
import { imageFixture, writeFixtureModel } from "./fixtures.ts";

const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "public, no-cache";
const sampler = await loadSampler(SHIPPED_RING8);
const ring8 = createApp(sampler);
const versioned = `/v1/models/${sampler.hash}`;

const head = async (app: typeof ring8, path: string, headers: HeadersInit = {}) => {
  const res = await app.request(path, { headers });
  await res.body?.cancel();
  return res;
};

Deno.test("a seeded sample: immutable under its versioned URL, revalidated under the plain one", async () => {
  const plain = await ring8.request("/v1/sample?seed=5&n=3&format=svg");
  const again = await ring8.request("/v1/sample?n=3&seed=5&format=svg");
  assert.equal(plain.headers.get("cache-control"), REVALIDATE);
  assert.match(plain.headers.get("etag") ?? "", /^"[0-9a-f]{32}"$/);
  assert.equal(plain.headers.get("etag"), again.headers.get("etag"));
  const body = await plain.text();
  assert.equal(await again.text(), body);
  // Content-Location: the versioned URL, parameters in a fixed order; there it is immutable.
  const location = plain.headers.get("content-location")!;
  assert.equal(location, `${versioned}/sample?format=svg&n=3&seed=5`);
  const pinned = await ring8.request(location);
  assert.equal(pinned.headers.get("cache-control"), IMMUTABLE);
  assert.equal(pinned.headers.get("etag"), plain.headers.get("etag"));
  assert.equal(pinned.headers.get("content-location"), location);
  assert.equal(await pinned.text(), body);
  for (const path of ["/v1/interpolate?from=1&to=2", "/v1/sample?z=0,0,0,0,0,0,0,1"]) {
    const res = await head(ring8, path);
    assert.equal(res.headers.get("cache-control"), REVALIDATE, path);
    assert.ok(res.headers.get("etag"), path);
    const there = await head(ring8, res.headers.get("content-location")!);
    assert.equal(there.status, 200, path);
    assert.equal(there.headers.get("cache-control"), IMMUTABLE, path);
    assert.equal(there.headers.get("etag"), res.headers.get("etag"), path);
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
  assert.equal(await tag(ring8, `${versioned}/sample?seed=5&n=3`), base);
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
  for (const path of ["/v1/sample?seed=8&format=svg", `${versioned}/sample?seed=8&format=svg`]) {
    const first = await head(ring8, path);
    const etag = first.headers.get("etag")!;
    for (const inm of [etag, `"x", ${etag}`, `W/${etag}`, "*"]) {
      const res = await ring8.request(path, { headers: { "if-none-match": inm } });
      assert.equal(res.status, 304, inm);
      assert.equal(await res.text(), "");
      for (const name of ["etag", "cache-control", "vary", "content-location"]) {
        assert.equal(res.headers.get(name), first.headers.get(name), `${path}: ${name}`);
      }
    }
    const stale = await head(ring8, path, { "if-none-match": '"x"' });
    assert.equal(stale.status, 200);
  }
});

Deno.test("a 304 does not run the model; a stale tag does", async () => {
  let runs = 0;
  const counting = Object.assign(Object.create(sampler), {
    generate: (...args: Parameters<typeof sampler.generate>) => {
      runs++;
      return sampler.generate(...args);
    },
  });
  const app = createApp(counting);
  for (
    const path of [
      "/v1/sample?seed=8&n=4",
      "/v1/interpolate?from=1&to=2",
      `${versioned}/sample?seed=8&n=4`,
      `${versioned}/interpolate?from=1&to=2`,
    ]
  ) {
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

Deno.test("after a redeploy no cache can serve the old model's samples", async () => {
  // The same API (an 8-dimensional latent, 2-D points), another model.
  const dir = await writeFixtureModel({ output: { kind: "points", dim: 2 } });
  const next = await loadSampler(dir);
  await Deno.remove(dir, { recursive: true });
  const redeployed = createApp(next);
  const old = await head(ring8, "/v1/sample?seed=5");
  // The plain URL was never cacheable without asking; asked, the new model answers.
  assert.equal(old.headers.get("cache-control"), REVALIDATE);
  const asked = await head(redeployed, "/v1/sample?seed=5", {
    "if-none-match": old.headers.get("etag")!,
  });
  assert.equal(asked.status, 200);
  assert.notEqual(asked.headers.get("etag"), old.headers.get("etag"));
  assert.ok(asked.headers.get("content-location")!.startsWith(`/v1/models/${next.hash}/`));
  // The old model's immutable URL is not served by the new one.
  const gone = await redeployed.request(old.headers.get("content-location")!);
  assert.equal(gone.status, 404);
  const problem = await gone.json();
  assert.equal(problem.param, "hash");
  assert.match(problem.detail, new RegExp(`serves model ${next.hash}, not ${sampler.hash}`));
  assert.equal(gone.headers.get("cache-control"), "no-store");
});

Deno.test("random-seed and POST responses are not stored and have no ETag", async () => {
  for (const path of ["/v1/sample?n=2", `${versioned}/sample?n=2`]) {
    const random = await ring8.request(path);
    assert.equal(random.headers.get("cache-control"), "no-store");
    assert.equal(random.headers.get("etag"), null);
    const seed = random.headers.get("x-seed")!;
    assert.match(seed, /^\d+$/);
    // Content-Location names the seeded, immutable URL that reproduces it.
    const location = random.headers.get("content-location")!;
    assert.equal(location, `${versioned}/sample?format=json&n=2&seed=${seed}`);
    assert.deepEqual(await (await ring8.request(location)).json(), await random.json());
    // Nothing was stored, so nothing is "not modified": If-None-Match: * runs the model.
    const star = await head(ring8, path, { "if-none-match": "*" });
    assert.equal(star.status, 200);
  }
  const post = await ring8.request("/v1/sample", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ z: [[0, 0, 0, 0, 0, 0, 0, 0]] }),
  });
  await post.body?.cancel();
  assert.equal(post.status, 200);
  assert.equal(post.headers.get("cache-control"), "no-store");
  assert.equal(post.headers.get("etag"), null);
  assert.equal(post.headers.get("x-seed"), null);
  const problem = await head(ring8, "/v1/sample?seed=x");
  assert.equal(problem.headers.get("cache-control"), "no-store");
});
