import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { createApp } from "@gan-edge/edge/app";
import { loadSampler, ModelLoadError } from "@gan-edge/edge/sampler";
import { latents } from "@gan-edge/shared/prng";
import { decodeLatent, encodeLatent, type SampleResponse } from "@gan-edge/shared/api";
import { copyOfShippedModel, readModelJson, SHIPPED_RING8 } from "../helpers/fixtures.ts";
import { writeFixtureModel } from "./fixtures.ts";
import { sha256Hex, SHARD_NAME } from "@gan-edge/shared/artifact";

const sampler = await loadSampler(SHIPPED_RING8);
const app = createApp(sampler);

async function problem(path: string, param: RegExp) {
  const res = await app.request(path);
  assert.equal(res.status, 400, path);
  assert.equal(res.headers.get("content-type"), "application/problem+json");
  const body = await res.json();
  assert.equal(body.status, 400);
  assert.match(body.param, param, path);
  return body;
}

Deno.test("GET /v1/sample?seed&n returns n points with their latents", async () => {
  const res = await app.request("/v1/sample?seed=7&n=5");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-seed"), "7");
  const body = await res.json() as Extract<SampleResponse, { samples: unknown }>;
  assert.equal(body.seed, 7);
  assert.deepEqual(body.shape, [5, 2]);
  assert.equal(body.samples.length, 5);
  assert.ok(
    (body.samples as number[][]).every((p) => p.length === 2 && p.every(Number.isFinite)),
  );
  assert.deepEqual(body.z.flat(), Array.from(latents(7, 5, 8, "normal")));
});

Deno.test("the same seed gives the same samples; another seed does not", async () => {
  const get = async (q: string) => (await (await app.request(`/v1/sample?${q}`)).json()).samples;
  assert.deepEqual(await get("seed=11&n=3"), await get("seed=11&n=3"));
  assert.notDeepEqual(await get("seed=11&n=3"), await get("seed=12&n=3"));
  // Sample i depends only on (seed, i).
  assert.deepEqual(
    (await get("seed=11&n=4")).slice(0, 3),
    await get("seed=11&n=3"),
  );
});

Deno.test("without a seed, one is drawn and returned in X-Seed", async () => {
  const res = await app.request("/v1/sample");
  const seed = res.headers.get("x-seed");
  assert.match(seed ?? "", /^\d+$/);
  const again = await (await app.request(`/v1/sample?seed=${seed}`)).json();
  assert.deepEqual((await res.json()).samples, again.samples);
});

Deno.test("bad query parameters get a 400 problem naming the parameter", async () => {
  await problem("/v1/sample?n=0", /^n$/);
  await problem("/v1/sample?n=65", /^n$/);
  await problem("/v1/sample?n=abc", /^n$/);
  await problem("/v1/sample?seed=-1", /^seed$/);
  await problem("/v1/sample?seed=4294967296", /^seed$/);
  await problem("/v1/sample?seed=1e3", /^seed$/);
  await problem("/v1/sample?seed=1&seed=2", /^seed$/);
  const typo = await problem("/v1/sample?sede=1", /^sede$/);
  assert.match(
    typo.detail,
    /unknown parameter sede; allowed: seed, n, z, format, encoding, scale, class, truncation/,
  );
});

Deno.test("GET /v1/model and /healthz report the model and the wasm backend", async () => {
  const model = await (await app.request("/v1/model")).json();
  const json = await readModelJson(SHIPPED_RING8) as {
    userDefinedMetadata: unknown;
  };
  assert.deepEqual({ ...model, hash: undefined, api: undefined }, {
    ...json.userDefinedMetadata as object,
    hash: undefined,
    api: undefined,
  });
  // What the API serves for it; the demo page reads its routes and limits here.
  assert.deepEqual(model.api, {
    formats: ["json", "svg"],
    maxN: 64,
    maxSteps: 64,
    sample: `/v1/models/${model.hash}/sample`,
    interpolate: `/v1/models/${model.hash}/interpolate`,
    openapi: `/v1/models/${model.hash}/openapi.json`,
  });
  const health = await (await app.request("/healthz")).json();
  assert.equal(health.backend, "wasm");
  assert.equal(health.simd, true);
  assert.equal(tf.getBackend(), "wasm");
  const missing = await app.request("/nope");
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get("content-type"), "application/problem+json");
});

Deno.test("a method a route does not answer is a 405 problem with Allow; an unknown path stays a 404", async () => {
  const expectations: [string, string, string][] = [
    ["PUT", "/v1/sample", "GET, HEAD, POST"],
    ["DELETE", "/v1/sample?seed=1", "GET, HEAD, POST"],
    ["OPTIONS", "/v1/sample", "GET, HEAD, POST"],
    ["PATCH", "/v1/interpolate", "GET, HEAD"],
    ["POST", "/healthz", "GET, HEAD"],
    ["DELETE", "/", "GET, HEAD"],
  ];
  for (const [method, path, allow] of expectations) {
    const res = await app.request(path, { method });
    assert.equal(res.status, 405, `${method} ${path}`);
    assert.equal(res.headers.get("allow"), allow, `${method} ${path}`);
    assert.equal(res.headers.get("content-type"), "application/problem+json");
    assert.equal(
      (await res.json()).detail,
      `${method} is not allowed on ${path.split("?")[0]}; allowed: ${allow}`,
    );
  }
  const missing = await app.request("/v1/nothing", { method: "PUT" });
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get("allow"), null);
  await missing.body?.cancel();
  // A CORS preflight is still answered by the CORS middleware.
  const preflight = await app.request("/v1/sample", {
    method: "OPTIONS",
    headers: { origin: "https://example.org", "access-control-request-method": "GET" },
  });
  assert.equal(preflight.status, 204);
});

Deno.test("a corrupt artifact stops loading with a message naming the problem", async () => {
  const dir = await copyOfShippedModel();
  const shard = `${dir}/group1-shard1of1.bin`;
  const bytes = await Deno.readFile(shard);
  bytes[3] ^= 0xff;
  await Deno.writeFile(shard, bytes);
  await assert.rejects(
    loadSampler(dir),
    (e: Error) => e instanceof ModelLoadError && /SHA-256 mismatch/.test(e.message),
  );
  await assert.rejects(
    loadSampler(`${dir}/absent`),
    /model\.json: cannot read/,
  );
  await Deno.remove(dir, { recursive: true });
});

/**
 * Overwrites value `index` of weight `name` in the artifact in `dir` as it is
 * stored (float32 or float16), and updates the shard's checksum: what the
 * exporter would refuse to write.
 */
async function storeWeightValue(dir: string, name: string, index: number, value: number) {
  const json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
  const shardPath = `${dir}/${SHARD_NAME}`;
  const shard = await Deno.readFile(shardPath);
  const view = new DataView(shard.buffer);
  let offset = 0;
  for (const w of json.weightsManifest[0].weights) {
    const size = w.shape.reduce((a: number, b: number) => a * b, 1);
    const half = w.quantization?.dtype === "float16";
    if (w.name === name) {
      if (half) view.setFloat16(offset + 2 * index, value, true);
      else view.setFloat32(offset + 4 * index, value, true);
    }
    offset += size * (half ? 2 : 4);
  }
  json.userDefinedMetadata.shards[0].sha256 = await sha256Hex(shard);
  await Deno.writeFile(shardPath, shard);
  await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify(json));
}

Deno.test("a model whose weights or warm-up output are not finite stops loading, naming the model and the problem", async () => {
  const refused = async (dir: string, problem: RegExp) => {
    try {
      await assert.rejects(loadSampler(dir), (e: Error) => {
        assert.ok(e instanceof ModelLoadError, String(e));
        assert.ok(e.message.startsWith(`${dir}: `), e.message);
        assert.match(e.message, problem);
        return true;
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  };
  for (const quantization of ["float32", "float16"] as const) {
    for (const [name, value] of [["g_out/kernel", NaN], ["g_dense0/bias", -Infinity]] as const) {
      const dir = await writeFixtureModel({ quantization });
      await storeWeightValue(dir, name, 3, value);
      await refused(dir, new RegExp(`weight ${name} holds ${value} \\(value 3\\)`));
    }
  }
  // A uint8 scale of 1e38: every stored value but 0 dequantizes past float32.
  const uint8 = await writeFixtureModel({ quantization: "uint8" });
  const path = `${uint8}/model.json`;
  await Deno.writeTextFile(
    path,
    (await Deno.readTextFile(path)).replace(
      /("dtype":"uint8","min":[^,]+,"scale":)[^,}]+/,
      "$11e38",
    ),
  );
  await refused(uint8, /weight g_dense0\/kernel: its uint8 range \[.*\] exceeds float32/);
  // Finite weights whose products overflow: +Inf and -Inf meet in one sum.
  const overflow = await writeFixtureModel({
    quantization: "float32",
    patchWeight: (name, values) => {
      if (name === "g_dense0/bias") values.fill(3e38);
      if (name === "g_out/kernel") {
        values.subarray(0, 784).fill(10);
        values.subarray(784, 2 * 784).fill(-10);
      }
    },
  });
  await refused(
    overflow,
    /the warm-up output is not finite \(NaN at value 0 of sample 0 for a zero latent\)/,
  );
});

Deno.test("the demo page's script imports the shared latent codec, which is served as JavaScript", async () => {
  const script = await (await app.request("/edge/page/demo.js")).text();
  const path = script.match(/from "([^"]*latent_codec\.js)"/)?.[1];
  assert.ok(path, "demo.js imports the codec");
  // The browser resolves the import against /edge/page/demo.js.
  const res = await app.request(new URL(path, "http://x/edge/page/demo.js").pathname);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/javascript/);
  const served = await res.text();
  const codec = await import(`data:text/javascript,${encodeURIComponent(served)}`);
  const z = new Float32Array([0.5, -1, 3.25]);
  assert.equal(codec.encodeLatent(z), encodeLatent(z));
  assert.deepEqual(decodeLatent(codec.encodeLatent(z), 3), z);
});
