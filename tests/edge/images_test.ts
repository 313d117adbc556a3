/**
 * Image samples made to be looked at: `scale` upscales PNGs by nearest
 * neighbour within a pixel budget, and `encoding=png-base64` puts one PNG per
 * sample in a JSON body, as image APIs return base64 images.
 */
import assert from "node:assert/strict";
import { decode } from "fast-png";
import { createApp } from "@gan-edge/edge/app";
import { DEFAULT_CONFIG } from "@gan-edge/edge/config";
import { apiFacts } from "@gan-edge/edge/facts";
import { loadSampler } from "@gan-edge/edge/sampler";
import { MAX_PNG_PIXELS } from "@gan-edge/shared/api";
import { SHIPPED_RING8 } from "../helpers/fixtures.ts";
import { imageFixture } from "./fixtures.ts";

const dir = await imageFixture(); // 28 × 28 × 1
const sampler = await loadSampler(dir);
await Deno.remove(dir, { recursive: true });
const app = createApp(sampler, { ...DEFAULT_CONFIG, rateLimit: 0 });
const facts = apiFacts(sampler, DEFAULT_CONFIG);
const points = createApp(await loadSampler(SHIPPED_RING8));

const ok = async (path: string, init?: RequestInit) => {
  const res = await app.request(path, init);
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
  return res;
};
const picture = async (path: string, init?: RequestInit) => {
  const res = await ok(path, init);
  assert.equal(res.headers.get("content-type"), "image/png");
  return decode(new Uint8Array(await res.arrayBuffer()));
};
const problem = async (target: typeof app, path: string, init?: RequestInit) => {
  const res = await target.request(path, init);
  assert.equal(res.status, 400, path);
  return await res.json();
};

/** Whether `big` is `small` with every pixel a `scale` × `scale` block (one channel). */
function isUpscaled(
  small: { width: number; height: number; data: ArrayLike<number> },
  big: { width: number; height: number; data: ArrayLike<number> },
  scale: number,
) {
  if (big.width !== small.width * scale || big.height !== small.height * scale) return false;
  for (let y = 0; y < big.height; y++) {
    for (let x = 0; x < big.width; x++) {
      const source = Math.floor(y / scale) * small.width + Math.floor(x / scale);
      if (big.data[y * big.width + x] !== small.data[source]) return false;
    }
  }
  return true;
}

Deno.test("scale upscales a PNG by nearest neighbour: one sample, a grid, a strip", async () => {
  for (
    const [path, scale] of [
      ["/v1/sample?seed=4&format=png", 4],
      ["/v1/sample?seed=4&format=png", 16],
      ["/v1/sample?seed=4&n=4&format=png", 2],
      ["/v1/interpolate?from=1&to=2&steps=3&format=png", 3],
    ] as const
  ) {
    const small = await picture(path);
    const big = await picture(`${path}&scale=${scale}`);
    assert.ok(isUpscaled(small, big, scale), `${path} at scale ${scale}`);
  }
  // The format from Accept: a browser's <img> asks for images.
  const img = await picture("/v1/sample?seed=4&scale=2", { headers: { accept: "image/png" } });
  assert.deepEqual([img.width, img.height], [56, 56]);
});

Deno.test("scale is an integer in [1, 16]; otherwise a 400 naming scale", async () => {
  for (const scale of ["0", "17", "2.5", "x", "", "-1", "1e1"]) {
    const body = await problem(app, `/v1/sample?seed=1&format=png&scale=${scale}`);
    assert.equal(body.param, "scale");
    assert.match(body.detail, /^scale: expected an integer in \[1, 16\]$/, scale);
  }
});

Deno.test("scale stays within the pixel budget, and the refusal says the largest that fits", async () => {
  // 64 samples of 28 × 28 = 50,176 pixels: scale 4 fits 2^20, scale 5 does not.
  await ok("/v1/sample?seed=1&n=64&format=png&scale=4");
  const body = await problem(app, "/v1/sample?seed=1&n=64&format=png&scale=5");
  assert.equal(body.param, "scale");
  assert.equal(
    body.detail,
    `scale: scale 5 makes 1254400 pixels for 64 samples; at most ${MAX_PNG_PIXELS} (scale ≤ 4 here)`,
  );
  // Interpolation counts its frames (8 by default).
  await ok("/v1/interpolate?from=1&to=2&format=png&scale=12");
  const frames = await problem(app, "/v1/interpolate?from=1&to=2&format=png&scale=13");
  assert.match(frames.detail, /for 8 samples; .*\(scale ≤ 12 here\)/);
  // POST counts its rows, once the body is read.
  const rows = JSON.stringify({ z: Array(64).fill(Array(8).fill(0)) });
  const post = (query: string) =>
    app.request(`/v1/sample?${query}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: rows,
    });
  const fits = await post("format=png&scale=4");
  assert.equal(fits.status, 200);
  assert.equal(decode(new Uint8Array(await fits.arrayBuffer())).width, (8 * 28 + 7 * 2) * 4);
  const tooBig = await post("format=png&scale=5");
  assert.equal(tooBig.status, 400);
  assert.match((await tooBig.json()).detail, /^scale: scale 5 makes 1254400 pixels/);
});

Deno.test("scale applies to PNG images only; a points model refuses it and png-base64", async () => {
  const needsPng =
    "scale: scale applies to PNG images: ask for format=png (or Accept: image/png) or encoding=png-base64";
  for (
    const [path, init] of [
      ["/v1/sample?seed=1&format=json&scale=2"],
      ["/v1/sample?seed=1&scale=2"], // JSON by default
      ["/v1/sample?seed=1&scale=2", { headers: { accept: "application/json" } }],
      ["/v1/interpolate?from=1&to=2&format=json&scale=2"],
    ] as const
  ) {
    const body = await problem(app, path, init);
    assert.deepEqual([body.param, body.detail], ["scale", needsPng], path);
  }
  for (
    const [param, path] of [["scale", "/v1/sample?scale=2"], [
      "encoding",
      "/v1/sample?encoding=png-base64",
    ]]
  ) {
    const body = await problem(points, path);
    assert.equal(body.param, param);
    assert.equal(
      body.detail,
      `${param}: this model's samples are points, not images; it takes no ${param}`,
    );
  }
});

Deno.test("encoding=png-base64: one PNG per sample in `images`, the same pixels as format=png", async () => {
  const res = await ok("/v1/sample?seed=6&n=3&encoding=png-base64", {
    headers: { accept: "image/png" }, // png-base64 answers JSON whatever Accept says
  });
  assert.equal(res.headers.get("content-type"), "application/json");
  const body = await res.json();
  facts.schemas.sampleResponse.parse(body);
  assert.deepEqual(Object.keys(body), ["seed", "z", "shape", "images"]);
  assert.deepEqual(body.shape, [3, 28, 28, 1]);
  assert.equal(body.images.length, 3);
  const arrays = await (await ok("/v1/sample?seed=6&n=3")).json();
  assert.deepEqual(body.z, arrays.z);
  for (let i = 0; i < 3; i++) {
    const image = decode(Uint8Array.fromBase64(body.images[i]));
    assert.deepEqual([image.width, image.height, image.channels], [28, 28, 1]);
    // Each image is its sample's values as bytes, as the PNG route writes them.
    const bytes = (arrays.samples[i] as number[][][]).flat(2)
      .map((v) => Math.min(255, Math.max(0, Math.round((v + 1) * 127.5))));
    assert.deepEqual([...image.data], bytes, `image ${i}`);
  }
  const scaled = await (await ok("/v1/sample?seed=6&n=3&encoding=png-base64&scale=3")).json();
  const first = decode(Uint8Array.fromBase64(scaled.images[0]));
  assert.ok(isUpscaled(decode(Uint8Array.fromBase64(body.images[0])), first, 3));
  const path = await (await ok("/v1/interpolate?from=1&to=2&steps=4&encoding=png-base64")).json();
  facts.schemas.interpolateResponse.parse(path);
  assert.equal(path.images.length, 4);
  const posted = await ok("/v1/sample?encoding=png-base64&scale=2", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ z: arrays.z }),
  });
  // The same latents, posted: the same images.
  const seeded = await (await ok("/v1/sample?seed=6&n=3&encoding=png-base64&scale=2")).json();
  assert.deepEqual((await posted.json()).images, seeded.images);
  // An explicit default is the default.
  assert.deepEqual(await (await ok("/v1/sample?seed=6&n=3&encoding=array")).json(), arrays);
  const wrong = await problem(app, "/v1/sample?seed=6&format=png&encoding=png-base64");
  assert.deepEqual(
    [wrong.param, wrong.detail],
    ["encoding", "encoding: png-base64 is how a JSON body carries images; not with format=png"],
  );
  const unknown = await problem(app, "/v1/sample?seed=6&encoding=png");
  assert.equal(unknown.detail, "encoding: expected one of array, png-base64");
});

Deno.test("scale and encoding name their responses: ETags and versioned URLs differ, defaults do not", async () => {
  const tag = async (path: string) => {
    const res = await ok(path);
    await res.body?.cancel();
    return [res.headers.get("etag"), res.headers.get("content-location")];
  };
  const [plain, plainUrl] = await tag("/v1/sample?seed=2&format=png");
  assert.deepEqual(await tag("/v1/sample?seed=2&format=png&scale=1"), [plain, plainUrl]);
  const [scaled, scaledUrl] = await tag("/v1/sample?seed=2&format=png&scale=2");
  assert.notEqual(scaled, plain);
  assert.match(scaledUrl!, /[?&]scale=2(&|$)/);
  assert.doesNotMatch(plainUrl!, /scale|encoding/);
  const [json] = await tag("/v1/sample?seed=2");
  assert.deepEqual((await tag("/v1/sample?seed=2&encoding=array"))[0], json);
  const [b64, b64Url] = await tag("/v1/sample?seed=2&encoding=png-base64");
  assert.notEqual(b64, json);
  assert.match(b64Url!, /encoding=png-base64/);
  // The versioned URL answers the same body.
  const again = await ok(scaledUrl!);
  assert.equal(again.headers.get("etag"), scaled);
  await again.body?.cancel();
});
