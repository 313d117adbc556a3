/**
 * The demo page's routes (edge/routes/page.ts) through `app.request()`:
 * every module the page imports is served, as JavaScript, down the whole
 * import graph, and the edge's own modules among them match their sources; the CSP lets exactly the page's import map and wasm run;
 * the artifact and the npm files are immutable and byte for byte what is
 * on disk; compressible files are gzipped; nothing outside the list is
 * served; the OpenAPI document lists exactly the files that are served.
 */
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { createApp } from "@gan-edge/edge/app";
import { DEFAULT_CONFIG, DEFAULT_MODEL_DIR } from "@gan-edge/edge/config";
import { loadSampler } from "@gan-edge/edge/sampler";
import { IMMUTABLE } from "../../edge/cache.ts";
import { SHIPPED_RING8 } from "../helpers/fixtures.ts";
import { expectedModules } from "../../edge/tools/page_modules.ts";

const sampler = await loadSampler(DEFAULT_MODEL_DIR);
const app = createApp(sampler, { ...DEFAULT_CONFIG, rateLimit: 0 });
const html = await (await app.request("/")).text();
const imports: Record<string, string> = JSON.parse(
  html.match(/<script type="importmap">([^<]*)<\/script>/)![1],
).imports;

/**
 * The specifiers a JavaScript module imports or re-exports, statically or
 * dynamically (also in minified code: `import{a}from"b"`). Regular
 * expressions, not a parser; block comments (our doc examples) are dropped
 * first, except from the npm files, whose strings may hold a "/*".
 */
function specifiers(path: string, text: string): string[] {
  const source = path.startsWith("/vendor/") ? text : text.replace(/\/\*[\s\S]*?\*\//g, "");
  const statement = /(?:^|[;}\s])(?:import|export)\b[^"'();]*?\bfrom\s*"([^"]+)"/gm;
  const dynamic = /\bimport\s*\(\s*"([^"]+)"\s*\)/g;
  return [...source.matchAll(statement), ...source.matchAll(dynamic)].map((m) => m[1]);
}

Deno.test("page: every module in the page's import graph is served as JavaScript", async () => {
  const entry = html.match(/<script type="module" src="([^"]+)"><\/script>/)![1];
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const path = queue.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const res = await app.request(path);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get("content-type") ?? "", /^text\/javascript/, path);
    for (const spec of specifiers(path, await res.text())) {
      const resolved = imports[spec] ??
        (/^\.{1,2}\//.test(spec) ? new URL(spec, `http://page${path}`).pathname : undefined);
      assert.ok(resolved, `${path} imports ${spec}, which the import map does not name`);
      queue.push(resolved);
    }
  }
  // What the page preloads is part of that graph (no stale or misspelt path).
  const preloads = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) =>
    m[1]
  );
  assert.ok(preloads.length >= 10, `${preloads.length} preloads`);
  for (const path of preloads) assert.ok(seen.has(path), `preload ${path}`);
  // The page's own modules, the edge's forward pass and kernels, and tfjs.
  for (
    const path of [
      "/edge/page/generator.js",
      "/edge/page/stripped/edge/inference.js",
      "/edge/page/stripped/kernels/inference/conv2d_backprop_input.js",
      imports["@tensorflow/tfjs-backend-wasm"],
    ]
  ) assert.ok(seen.has(path), path);
  // The stripped modules are JavaScript: no type annotations left.
  const generate = await (await app.request("/edge/page/stripped/edge/generate.js")).text();
  assert.match(generate, /export function forward\(net, dim, classes\)/);
  const wasm = await app.request(imports["@tensorflow/tfjs-backend-wasm"].replace(
    "tf-backend-wasm.fesm.min.js",
    "tfjs-backend-wasm-simd.wasm",
  ));
  assert.equal(wasm.headers.get("content-type"), "application/wasm");
  assert.ok(WebAssembly.validate(new Uint8Array(await wasm.arrayBuffer())));
});

Deno.test("page: the served JavaScript of the edge's modules is current with their sources", async () => {
  const root = new URL("../../", import.meta.url);
  for (const [file, text] of await expectedModules()) {
    assert.equal(
      await Deno.readTextFile(new URL(file, root)),
      text,
      `${file} is out of date: deno run --allow-read --allow-write edge/tools/page_modules.ts`,
    );
  }
});

Deno.test("page: the CSP allows the page's import map by hash, and wasm, and no other script", async () => {
  const csp = (await app.request("/")).headers.get("content-security-policy") ?? "";
  const scripts = csp.match(/script-src ([^;]*)/)![1].split(" ");
  const map = html.match(/<script type="importmap">([^<]*)<\/script>/)![1];
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(map));
  const hash = `'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`;
  assert.deepEqual(scripts.sort(), ["'self'", "'wasm-unsafe-eval'", hash].sort());
  assert.equal(html.match(/<script/g)?.length, 2, "the import map and the module, nothing inline");
});

Deno.test("page: the artifact and the npm files are immutable and what is on disk", async () => {
  for (const name of ["model.json", "group1-shard1of1.bin"]) {
    const res = await app.request(`/models/${sampler.hash}/${name}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), IMMUTABLE);
    const disk = await Deno.readFile(`${DEFAULT_MODEL_DIR}/${name}`);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), disk, name);
  }
  const core = await app.request(imports["@tensorflow/tfjs-core"]);
  assert.equal(core.headers.get("cache-control"), IMMUTABLE);
  assert.match(imports["@tensorflow/tfjs-core"], /^\/vendor\/tfjs-core@4\.22\.0\//);
  const disk = await Deno.readFile(
    new URL("tf-core.fesm.min.js", import.meta.resolve("@tensorflow/tfjs-core")),
  );
  assert.deepEqual(new Uint8Array(await core.arrayBuffer()), disk);
  const page = await app.request("/edge/page/demo.js");
  assert.equal(page.headers.get("cache-control"), "public, max-age=300");
  // Revalidated after 5 minutes: unchanged, it is a 304 without a body.
  const tag = page.headers.get("etag");
  assert.match(tag ?? "", /^W\/"/);
  const again = await app.request("/edge/page/demo.js", { headers: { "If-None-Match": tag! } });
  assert.equal(again.status, 304);
});

Deno.test("page: with several models served, each one's artifact is served under its hash", async () => {
  const ring8 = await loadSampler(SHIPPED_RING8);
  const both = createApp([sampler, ring8], { ...DEFAULT_CONFIG, rateLimit: 0 });
  for (const [model, dir] of [[sampler, DEFAULT_MODEL_DIR], [ring8, SHIPPED_RING8]] as const) {
    const res = await both.request(`/models/${model.hash}/model.json`);
    assert.equal(res.status, 200);
    assert.deepEqual(
      new Uint8Array(await res.arrayBuffer()),
      await Deno.readFile(`${dir}/model.json`),
    );
  }
});

Deno.test("page: text and wasm are gzipped for a client that accepts it", async () => {
  const path = imports["@tensorflow/tfjs-core"];
  const res = await app.request(path, { headers: { "Accept-Encoding": "gzip" } });
  assert.equal(res.headers.get("content-encoding"), "gzip");
  const zipped = new Uint8Array(await res.arrayBuffer());
  const plain = await (await app.request(path)).arrayBuffer();
  assert.ok(zipped.byteLength < plain.byteLength / 2, `${zipped.byteLength} bytes`);
  assert.deepEqual(new Uint8Array(gunzipSync(zipped)), new Uint8Array(plain));
});

Deno.test("page: a path outside the page's files is a 404 problem", async () => {
  for (
    const path of [
      "/edge/sampler.ts",
      "/edge/serve.ts",
      "/edge/inference.ts",
      "/edge/page/stripped/edge/sampler.js",
      "/edge/page/stripped/kernels/training/mod.js",
      "/edge/page/index.html",
      "/edge/page/constructor",
      "/edge/page/__proto__",
      "/edge/page/..%2fsampler.ts",
      "/shared/api.ts",
      "/kernels/training/mod.ts",
      "/kernels/inference/..%2f..%2fdeno.json",
      "/vendor/tfjs-core@4.22.0/package.json",
      "/vendor/tfjs-core@4.21.0/tf-core.fesm.min.js",
      "/vendor/tfjs-layers@4.22.0/tf-layers.fesm.min.js",
      `/models/${sampler.hash}/eval.json`,
      `/models/${"0".repeat(64)}/model.json`,
    ]
  ) {
    const res = await app.request(path);
    assert.equal(res.status, 404, path);
    assert.equal(res.headers.get("content-type"), "application/problem+json", path);
    await res.body?.cancel();
  }
});

Deno.test("page: the OpenAPI document lists exactly the files the page routes serve", async () => {
  const doc = await (await app.request("/openapi.json")).json();
  let count = 0;
  for (
    const [path, ops] of Object.entries(doc.paths) as [string, { get: Record<string, never> }][]
  ) {
    const params: { name: string; in: string; schema: { enum?: string[] } }[] =
      ops.get?.parameters ?? [];
    const values = params.filter((p) => p.in === "path").map((p) => p.schema.enum);
    // A page route names files by path parameters with listed values; the API's routes are /v1/.
    if (path.startsWith("/v1/") || values.length === 0 || values.some((v) => !v)) continue;
    const combos = values.reduce<string[][]>(
      (acc, vs) => acc.flatMap((a) => vs!.map((v) => [...a, v])),
      [[]],
    );
    for (const combo of combos) {
      let url = path;
      params.forEach((p, i) => url = url.replace(`{${p.name}}`, combo[i]));
      const res = await app.request(url);
      assert.equal(res.status, 200, url);
      await res.body?.cancel();
      count++;
    }
  }
  assert.ok(count >= 19, `${count} files`);
});
