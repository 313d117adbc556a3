/**
 * Every way to ask for samples gives the same samples: seeds, user latents
 * (comma list or base64url), POST batches; PNG for image models, SVG for
 * points models, JSON for both; format= and Accept; interpolation.
 */
import assert from "node:assert/strict";
import { decode } from "fast-png";
import { createApp } from "@gan-edge/edge/app";
import { loadSampler } from "@gan-edge/edge/sampler";
import { encodeLatent, type SampleResponse } from "@gan-edge/shared/api";
import { latents } from "@gan-edge/shared/prng";
import { SHIPPED_RING8 } from "../helpers/fixtures.ts";
import { imageFixture } from "./fixtures.ts";

const ring8 = createApp(await loadSampler(SHIPPED_RING8));
const imageDir = await imageFixture();
const image = createApp(await loadSampler(imageDir));
await Deno.remove(imageDir, { recursive: true });

const json = async (app: typeof ring8, path: string, init?: RequestInit) => {
  const res = await app.request(path, init);
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return await res.json() as
    & Extract<SampleResponse, { samples: unknown }>
    & Record<string, unknown>;
};

const png = async (path: string, accept?: string) => {
  const res = await image.request(
    path,
    accept ? { headers: { accept } } : undefined,
  );
  assert.equal(res.status, 200, path);
  assert.equal(res.headers.get("content-type"), "image/png");
  return decode(new Uint8Array(await res.arrayBuffer()));
};

Deno.test("PNG: one 28×28 image for n=1, a grid for n>1, pixels from [-1, 1]", async () => {
  const one = await png("/v1/sample?seed=5&format=png");
  assert.deepEqual([one.width, one.height, one.channels], [28, 28, 1]);
  const body = await json(image, "/v1/sample?seed=5&format=json");
  const samples = (body.samples as number[][][][])[0].flat(2);
  samples.forEach((v, i) => assert.equal(one.data[i], Math.round((v + 1) * 127.5), `pixel ${i}`));
  // 5 images: 3 columns × 2 rows with 2-pixel gutters.
  const grid = await png("/v1/sample?seed=5&n=5&format=png");
  assert.deepEqual([grid.width, grid.height], [3 * 28 + 4, 2 * 28 + 2]);
  // The grid's first cell is the single image: sample i depends on (seed, i).
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      assert.equal(grid.data[y * grid.width + x], one.data[y * 28 + x]);
    }
  }
  const big = await png("/v1/sample?seed=5&n=64&format=png");
  assert.deepEqual([big.width, big.height], [8 * 28 + 14, 8 * 28 + 14]);
});

Deno.test("Accept picks the format when format= is absent; format= wins", async () => {
  await png("/v1/sample?seed=1", "image/png");
  await png("/v1/sample?seed=1", "image/*");
  await png(
    "/v1/sample?seed=1",
    "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
  );
  await png("/v1/sample?seed=1", "application/json;q=0.5, image/png");
  const type = async (app: typeof ring8, path: string, accept?: string) =>
    (await app.request(path, accept ? { headers: { accept } } : undefined))
      .headers.get("content-type");
  assert.equal(await type(image, "/v1/sample?seed=1"), "application/json");
  assert.equal(await type(image, "/v1/sample?seed=1", "*/*"), "application/json");
  assert.equal(await type(image, "/v1/sample?seed=1", "text/html"), "application/json");
  assert.equal(
    await type(image, "/v1/sample?seed=1&format=json", "image/png"),
    "application/json",
  );
  assert.equal(await type(ring8, "/v1/sample?seed=1", "image/*"), "image/svg+xml");
  assert.equal(
    await type(ring8, "/v1/sample?seed=1&n=3", "image/svg+xml"),
    "image/svg+xml",
  );
  const res = await image.request("/v1/sample?seed=1", {
    headers: { accept: "image/png" },
  });
  assert.equal(res.headers.get("vary"), "Accept, Accept-Encoding");
});

Deno.test("Accept: the most specific range's q rates each format, JSON on ties", async () => {
  const type = async (app: typeof ring8, accept: string) =>
    (await app.request("/v1/sample?seed=1", { headers: { accept } })).headers.get("content-type");
  assert.equal(await type(image, "image/*;q=0.9, application/json;q=0.8"), "image/png");
  // The all-types range rates JSON 1, above PNG's 0.1 (Hono's default match would pick PNG).
  assert.equal(await type(image, "image/png;q=0.1, */*"), "application/json");
  assert.equal(await type(image, "image/png;q=0, */*;q=0.5"), "application/json");
  assert.equal(await type(image, "IMAGE/PNG"), "image/png");
  assert.equal(await type(ring8, "image/webp, image/svg+xml"), "image/svg+xml");
  assert.equal(await type(image, "garbage;;q=x,,"), "application/json");
});

Deno.test("SVG: a scatter plot with one circle per point for points models", async () => {
  const res = await ring8.request("/v1/sample?seed=3&n=10&format=svg");
  assert.equal(res.headers.get("content-type"), "image/svg+xml");
  const svg = await res.text();
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal(svg.match(/<circle /g)?.length, 10);
  const bad = await image.request("/v1/sample?format=svg");
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).detail, /format: expected one of json, png/);
});

Deno.test("a user latent, as a comma list or base64url, gives the seed's sample", async () => {
  const bySeed = await json(ring8, "/v1/sample?seed=9");
  const z = latents(9, 1, 8, "normal");
  const list = await json(ring8, `/v1/sample?z=${Array.from(z).join(",")}`);
  const b64 = await json(ring8, `/v1/sample?z=${encodeLatent(z)}`);
  assert.equal(list.seed, null);
  assert.deepEqual(list.samples, bySeed.samples);
  assert.deepEqual(b64.samples, bySeed.samples);
  assert.deepEqual(b64.z, bySeed.z);
  // Padding is optional.
  const padded = `${encodeLatent(z)}==`.slice(0, 44);
  assert.deepEqual((await json(ring8, `/v1/sample?z=${padded}`)).samples, bySeed.samples);
});

Deno.test("POST /v1/sample runs a batch as one forward pass, same samples as GET", async () => {
  const bySeed = await json(ring8, "/v1/sample?seed=21&n=6");
  const post = (body: unknown, q = "") =>
    json(ring8, `/v1/sample${q}`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(body),
    });
  const batch = await post({ z: bySeed.z });
  assert.deepEqual(batch.samples, bySeed.samples);
  assert.equal(batch.seed, null);
  const res = await ring8.request("/v1/sample?format=svg", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ z: bySeed.z }),
  });
  assert.equal(res.headers.get("content-type"), "image/svg+xml");
  assert.equal(res.headers.get("cache-control"), "no-store");
  const clipped = await post({ z: [[9, -9, 0, 0, 0, 0, 0, 0]] }, "?truncation=1");
  assert.deepEqual(clipped.z, [[1, -1, 0, 0, 0, 0, 0, 0]]);
});

Deno.test("truncation clips every coordinate to [-T, T]", async () => {
  const plain = await json(ring8, "/v1/sample?seed=4&n=16");
  const cut = await json(ring8, "/v1/sample?seed=4&n=16&truncation=0.5");
  plain.z.flat().forEach((v, i) =>
    assert.equal(cut.z.flat()[i], Math.fround(Math.max(-0.5, Math.min(0.5, v))))
  );
  assert.notDeepEqual(cut.samples, plain.samples);
});

Deno.test("interpolate: endpoints are the seeds' latents, a slerp between", async () => {
  const body = await json(ring8, "/v1/interpolate?from=1&to=2&steps=5");
  assert.deepEqual([body.from, body.to, body.steps], [1, 2, 5]);
  assert.deepEqual(body.shape, [5, 2]);
  const a = Array.from(latents(1, 1, 8, "normal"));
  const b = Array.from(latents(2, 1, 8, "normal"));
  body.z[0].forEach((v, i) => assert.ok(Math.abs(v - a[i]) < 1e-6));
  body.z[4].forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-6));
  const first = await json(ring8, "/v1/sample?seed=1");
  assert.deepEqual(body.samples[0], first.samples[0]);
  // Default steps, and a PNG strip: one row of `steps` images.
  assert.equal((await json(ring8, "/v1/interpolate?from=1&to=2")).steps, 8);
  const strip = await png("/v1/interpolate?from=1&to=2&steps=4&format=png");
  assert.deepEqual([strip.width, strip.height], [4 * 28 + 6, 28]);
  const svg = await (await ring8.request("/v1/interpolate?from=1&to=2&format=svg"))
    .text();
  assert.match(svg, /<polyline /);
  assert.equal(svg.match(/<circle /g)?.length, 8);
});
