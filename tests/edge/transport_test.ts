/**
 * How responses travel: text bodies (JSON, SVG, the page) compressed as
 * Accept-Encoding asks, PNG never; HEAD answered with GET's headers and no
 * body, in-process and on the wire.
 */
import assert from "node:assert/strict";
import { gunzipSync, inflateSync } from "node:zlib";
import { createApp } from "@gan-edge/edge/app";
import { DEFAULT_CONFIG } from "@gan-edge/edge/config";
import { loadSampler, type Sampler } from "@gan-edge/edge/sampler";
import { SHIPPED_RING8 } from "../helpers/fixtures.ts";
import { imageFixture } from "./fixtures.ts";

const ring8 = await loadSampler(SHIPPED_RING8);
const dir = await imageFixture();
const image = await loadSampler(dir);
await Deno.remove(dir, { recursive: true });

/** `sampler`, counting its forward passes in `calls.n`. */
function counting(sampler: Sampler) {
  const calls = { n: 0 };
  const counted: Sampler = {
    ...sampler,
    generate: (z, n, labels) => {
      calls.n++;
      return sampler.generate(z, n, labels);
    },
  };
  return { calls, app: createApp(counted) };
}

/** A response's headers without Date and X-Request-Id, which change between two requests. */
const headersOf = (res: Response) =>
  Object.fromEntries(
    [...res.headers].filter(([name]) => name !== "date" && name !== "x-request-id"),
  );

Deno.test("JSON and SVG are gzip- or deflate-compressed as Accept-Encoding asks; the body is the same", async () => {
  const app = createApp(ring8);
  const path = "/v1/sample?seed=3&n=64";
  const plain = await app.request(path);
  const text = await plain.text();
  assert.equal(plain.headers.get("content-encoding"), null);
  assert.equal(plain.headers.get("vary"), "Accept, Accept-Encoding");
  for (
    const [accept, encoding, inflate] of [
      ["gzip, deflate, br, zstd", "gzip", gunzipSync], // what browsers send
      ["gzip;q=0.5, deflate", "deflate", inflateSync],
      ["deflate", "deflate", inflateSync],
    ] as const
  ) {
    const res = await app.request(path, { headers: { "accept-encoding": accept } });
    assert.equal(res.headers.get("content-encoding"), encoding, accept);
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.ok(bytes.length < text.length / 2, `${accept}: ${bytes.length} of ${text.length}`);
    assert.equal(new TextDecoder().decode(inflate(bytes)), text, accept);
    assert.equal(res.headers.get("vary"), "Accept, Accept-Encoding");
    // Compressed, the tag is weak; it still matches the plain one, and gets a 304.
    assert.equal(res.headers.get("etag"), `W/${plain.headers.get("etag")}`);
  }
  const tag = plain.headers.get("etag")!;
  const again = await app.request(path, {
    headers: { "accept-encoding": "gzip", "if-none-match": `W/${tag}` },
  });
  assert.equal(again.status, 304);
  // br alone is not offered (see app.ts): the body goes uncompressed.
  const br = await app.request(path, { headers: { "accept-encoding": "br" } });
  assert.equal(br.headers.get("content-encoding"), null);
  assert.equal(await br.text(), text);
  const svg = await app.request("/v1/sample?seed=3&n=64&format=svg", {
    headers: { "accept-encoding": "gzip" },
  });
  assert.equal(svg.headers.get("content-encoding"), "gzip");
  await svg.body?.cancel();
  for (const page of ["/", "/demo.js", "/openapi.json", "/v1/model"]) {
    const res = await app.request(page, { headers: { "accept-encoding": "gzip" } });
    assert.equal(res.headers.get("content-encoding"), "gzip", page);
    await res.body?.cancel();
  }
});

Deno.test("PNG is never compressed: it is deflated already", async () => {
  const app = createApp(image);
  for (
    const path of ["/v1/sample?seed=1&n=16&format=png", "/v1/interpolate?from=1&to=2&format=png"]
  ) {
    const plain = new Uint8Array(await (await app.request(path)).arrayBuffer());
    const res = await app.request(path, { headers: { "accept-encoding": "gzip, deflate, br" } });
    assert.equal(res.headers.get("content-type"), "image/png");
    assert.equal(res.headers.get("content-encoding"), null, path);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), plain, path);
    // The URL may answer JSON too: caches key it by Accept-Encoding on every format.
    assert.equal(res.headers.get("vary"), "Accept, Accept-Encoding");
  }
});

Deno.test("HEAD has GET's headers and no body, on every GET route", async () => {
  // No rate limit: its headers count requests and seconds.
  const app = createApp(image, { ...DEFAULT_CONFIG, rateLimit: 0 });
  const paths = [
    "/v1/sample?seed=5&n=4",
    "/v1/sample?seed=5&n=4&format=png",
    `/v1/models/${image.hash}/sample?seed=5`,
    "/v1/interpolate?from=1&to=2",
    `/v1/models/${image.hash}/interpolate?from=1&to=2&format=png`,
    "/v1/model",
    "/v1/models",
    `/v1/models/${image.hash}`,
    `/v1/models/${image.hash}/openapi.json`,
    "/openapi.json",
    "/healthz",
    "/readyz",
    "/",
    "/demo.js",
    "/demo.css",
    "/shared/latent_codec.js",
    "/v1/sample?seed=x", // a 400 too
  ];
  for (const path of paths) {
    for (const encoding of [undefined, "gzip"]) {
      const headers: Record<string, string> = encoding ? { "accept-encoding": encoding } : {};
      const get = await app.request(path, { headers });
      const body = new Uint8Array(await get.arrayBuffer());
      const head = await app.request(path, { method: "HEAD", headers });
      assert.equal(head.status, get.status, path);
      assert.equal((await head.arrayBuffer()).byteLength, 0, `${path}: HEAD has no body`);
      const expected = headersOf(get);
      if (!get.headers.has("content-encoding")) expected["content-length"] = String(body.length);
      // The health route's figures (tensors, rss) may change its length between two calls.
      if (path === "/healthz") delete expected["content-length"];
      const sent = headersOf(head);
      if (path === "/healthz") delete sent["content-length"];
      assert.deepEqual(sent, expected, `${path} (${encoding ?? "identity"})`);
    }
  }
});

Deno.test("HEAD of a sample runs the model once, as its GET does; a 304 runs it not at all", async () => {
  const { calls, app } = counting(image);
  const head = await app.request("/v1/sample?seed=9&n=4", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(calls.n, 1);
  const tag = head.headers.get("etag")!;
  const cached = await app.request("/v1/sample?seed=9&n=4", {
    method: "HEAD",
    headers: { "if-none-match": tag },
  });
  assert.equal(cached.status, 304);
  assert.equal(calls.n, 1);
});

Deno.test("the access log and metrics say HEAD for a HEAD, though it is answered as GET", async () => {
  const lines: string[] = [];
  const app = createApp(image, DEFAULT_CONFIG, { log: (line) => lines.push(line) });
  await (await app.request("/v1/model", { method: "HEAD" })).body?.cancel();
  await (await app.request("/v1/model")).body?.cancel();
  assert.deepEqual(lines.map((line) => JSON.parse(line).method), ["HEAD", "GET"]);
  const metrics = await (await app.request("/metrics")).text();
  assert.match(metrics, /method="HEAD",route="\/v1\/model",status="200"} 1/);
});

Deno.test("on the wire, HEAD's Content-Length is GET's, and a compressed HEAD sends none", async () => {
  const app = createApp(image);
  await using server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);
  const url = (path: string) => `http://127.0.0.1:${server.addr.port}${path}`;
  // Deno's fetch asks for gzip and br unless told otherwise.
  const identity = { "accept-encoding": "identity" };
  for (const path of ["/v1/sample?seed=5&n=4&format=png", "/v1/model", "/demo.js"]) {
    const get = await fetch(url(path), { headers: identity });
    const length = (await get.arrayBuffer()).byteLength;
    assert.equal(get.headers.get("content-length"), String(length), path);
    const head = await fetch(url(path), { method: "HEAD", headers: identity });
    assert.equal(head.headers.get("content-length"), String(length), path);
    await head.body?.cancel();
  }
  const head = await fetch(url("/v1/model"), {
    method: "HEAD",
    headers: { "accept-encoding": "gzip" },
  });
  assert.equal(head.headers.get("content-encoding"), "gzip");
  assert.equal(head.headers.get("content-length"), null);
  await head.body?.cancel();
});
