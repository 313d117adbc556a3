/**
 * Several models from one server: `GET /v1/models` lists them, the plain
 * routes serve the first (the default), and each is reachable by its hash
 * under `/v1/models/{hash}/…`, validated against its own schemas.
 */
import assert from "node:assert/strict";
import { createApp } from "@gan-edge/edge/app";
import { DEFAULT_CONFIG, modelDirsFromEnv } from "@gan-edge/edge/config";
import { loadSampler, loadSamplers, ModelLoadError } from "@gan-edge/edge/sampler";
import { largestSampleBody, ModelResponseSchema, ModelsResponseSchema } from "@gan-edge/shared/api";
import { SHIPPED_RING8 } from "../helpers/fixtures.ts";
import { CLASS_NAMES, writeFixtureModel } from "./fixtures.ts";

// An image model with a 4-long latent, a conditional one with the default 8, and ring8 (points).
const imageDir = await writeFixtureModel({ latentDim: 4, quantization: "uint8" });
const conditionalDir = await writeFixtureModel({ classNames: CLASS_NAMES });
const [image, conditional, ring8] = await loadSamplers([imageDir, conditionalDir, SHIPPED_RING8]);
await Deno.remove(imageDir, { recursive: true });
await Deno.remove(conditionalDir, { recursive: true });
const app = createApp([image, conditional, ring8], { ...DEFAULT_CONFIG, rateLimit: 0 });

const json = async (path: string, init?: RequestInit) => {
  const res = await app.request(path, init);
  const body = await res.json();
  return [res.status, body, res] as const;
};
const ok = async (path: string, init?: RequestInit) => {
  const [status, body] = await json(path, init);
  assert.equal(status, 200, `${path}: ${JSON.stringify(body)}`);
  return body;
};
const post = (path: string, body: unknown) =>
  app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

Deno.test("GET /v1/models lists every model, the default first, with working links", async () => {
  const list = ModelsResponseSchema.parse(await ok("/v1/models"));
  assert.equal(list.default, image.hash);
  assert.deepEqual(list.models.map((m) => m.hash), [image.hash, conditional.hash, ring8.hash]);
  const [first, second, third] = list.models;
  assert.deepEqual(first, {
    hash: image.hash,
    dataset: "fixture",
    kind: "image",
    sampleShape: [28, 28, 1],
    latentDim: 4,
    quantization: "uint8",
    links: {
      self: `/v1/models/${image.hash}`,
      sample: `/v1/models/${image.hash}/sample`,
      interpolate: `/v1/models/${image.hash}/interpolate`,
      openapi: `/v1/models/${image.hash}/openapi.json`,
    },
  });
  assert.deepEqual(second.classNames, CLASS_NAMES);
  assert.equal(second.quantization, "float16");
  assert.deepEqual([third.kind, third.sampleShape, third.latentDim], ["points", [2], 8]);
  assert.equal(third.classNames, undefined);
  for (const model of list.models) {
    const metadata = ModelResponseSchema.parse(await ok(model.links.self));
    assert.equal(metadata.hash, model.hash);
    assert.equal(metadata.api.sample, model.links.sample);
    assert.equal(metadata.api.openapi, model.links.openapi);
    assert.equal((await ok(`${model.links.sample}?seed=1`)).shape[0], 1);
    assert.equal((await ok(`${model.links.interpolate}?from=1&to=2&steps=2`)).shape[0], 2);
    const document = await ok(model.links.openapi);
    assert.match(document.info.description, new RegExp(model.hash));
  }
  // The default's metadata is also at /v1/model, as with one model.
  assert.equal((await ok("/v1/model")).hash, image.hash);
});

Deno.test("the plain routes serve the default model; each versioned route its own", async () => {
  const plain = await ok("/v1/sample?seed=5");
  const byHash = await ok(`/v1/models/${image.hash}/sample?seed=5`);
  assert.deepEqual(plain.samples, byHash.samples);
  assert.deepEqual(plain.shape, [1, 28, 28, 1]);
  assert.equal(plain.z[0].length, 4);
  const points = await ok(`/v1/models/${ring8.hash}/sample?seed=5&n=3`);
  assert.deepEqual(points.shape, [3, 2]);
  assert.equal(points.z[0].length, 8);
  const svg = await app.request(`/v1/models/${ring8.hash}/sample?seed=5&format=svg`);
  assert.equal(svg.headers.get("content-type"), "image/svg+xml");
  await svg.body?.cancel();
  const classed = await ok(`/v1/models/${conditional.hash}/sample?seed=5&n=2&class=trouser`);
  assert.deepEqual(classed.class, [1, 1]);
  // Each response is named by its own model: tags differ, locations name the hash.
  const [, , first] = await json(`/v1/models/${image.hash}/interpolate?from=1&to=2`);
  const [, , other] = await json(`/v1/models/${conditional.hash}/interpolate?from=1&to=2`);
  assert.notEqual(first.headers.get("etag"), other.headers.get("etag"));
  assert.match(
    other.headers.get("content-location")!,
    new RegExp(`^/v1/models/${conditional.hash}/`),
  );
});

Deno.test("each model's requests are validated against its own schemas", async () => {
  const refused = async (path: string, param: string, detail: RegExp, init?: RequestInit) => {
    const [status, body] = await json(path, init);
    assert.equal(status, 400, path);
    assert.equal(body.param, param, path);
    assert.match(body.detail, detail, path);
  };
  // Classes: only the conditional model takes one.
  await refused("/v1/sample?class=1", "class", /not conditional/);
  await refused(`/v1/models/${ring8.hash}/sample?class=1`, "class", /not conditional/);
  await refused(`/v1/models/${conditional.hash}/sample?class=9`, "class", /unknown class/);
  // Formats: PNG for images, SVG for points.
  await refused(`/v1/models/${ring8.hash}/sample?format=png`, "format", /json, svg/);
  await refused("/v1/sample?format=svg", "format", /json, png/);
  await refused(`/v1/models/${ring8.hash}/sample?scale=2`, "scale", /points, not images/);
  // Latent lengths: 4 for the default, 8 for the others.
  const z4 = "0,0,0,1";
  assert.equal((await ok(`/v1/sample?z=${z4}`)).z[0].length, 4);
  await refused(`/v1/models/${ring8.hash}/sample?z=${z4}`, "z", /expected 8 comma-separated/);
  const four = await post("/v1/sample", { z: [[0, 0, 0, 1]] });
  assert.equal(four.status, 200);
  await four.body?.cancel();
  const eight = [[0, 0, 0, 0, 0, 0, 0, 1]];
  const wrong = await post("/v1/sample", { z: eight });
  assert.equal(wrong.status, 400);
  assert.match((await wrong.json()).detail, /expected an array of 4 numbers/);
  const named = await post(`/v1/models/${conditional.hash}/sample`, { z: eight, class: ["bag"] });
  assert.equal(named.status, 400);
  assert.match((await named.json()).detail, /expected a class: 0 to 2 or one of T-shirt/);
  const right = await post(`/v1/models/${conditional.hash}/sample`, {
    z: eight,
    class: ["PULLOVER"],
  });
  assert.deepEqual((await right.json()).class, [2]);
});

Deno.test("a hash no served model has is a 404 naming the served ones", async () => {
  const other = "0".repeat(64);
  for (
    const path of [
      `/v1/models/${other}/sample`,
      `/v1/models/${other}`,
      `/v1/models/${other}/openapi.json`,
    ]
  ) {
    const [status, body] = await json(path);
    assert.equal(status, 404, path);
    assert.equal(body.param, "hash");
    assert.equal(
      body.detail,
      `hash: this server serves models ${image.hash}, ${conditional.hash}, ${ring8.hash}, ` +
        `not ${other}; see GET /v1/models`,
    );
  }
});

Deno.test("the body limit is the largest valid body of any served model", async () => {
  // The conditional model's bodies are the largest: 8 values and a class name a row.
  const largest = largestSampleBody({
    dim: 8,
    maxN: DEFAULT_CONFIG.maxN,
    classNames: CLASS_NAMES,
    formats: [],
  });
  const body = "x".repeat(largest + 1);
  const res = await app.request("/v1/sample", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  assert.equal(res.status, 413);
  assert.match((await res.json()).detail, new RegExp(`limit of ${largest} bytes`));
});

Deno.test("one model given twice is refused, naming both folders", async () => {
  const dir = await writeFixtureModel();
  try {
    const once = await loadSampler(dir);
    await assert.rejects(
      loadSamplers([dir, SHIPPED_RING8, dir]),
      (e: Error) =>
        e instanceof ModelLoadError &&
        e.message === `${dir} and ${dir} hold the same model (${once.hash.slice(0, 12)}); ` +
            "give each model once",
    );
    const twice = await loadSampler(dir);
    assert.throws(() => createApp([once, twice]), new RegExp(`model ${once.hash} is given twice`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MODEL_DIR takes several folders separated by commas, the first the default", () => {
  assert.deepEqual(modelDirsFromEnv("a, b ,c"), ["a", "b", "c"]);
  assert.deepEqual(modelDirsFromEnv("a,,b,"), ["a", "b"]);
  assert.equal(modelDirsFromEnv(undefined).length, 1);
  assert.match(modelDirsFromEnv("")[0], /edge\/models\/fashion-mnist$/);
});

Deno.test("/metrics names every served model", async () => {
  const text = await (await app.request("/metrics")).text();
  for (const sampler of [image, conditional, ring8]) {
    assert.match(
      text,
      new RegExp(`gan_edge_model_info\\{model="${sampler.hash.slice(0, 12)}",backend="wasm"\\} 1`),
    );
  }
  assert.equal(text.match(/# TYPE gan_edge_model_info gauge/g)?.length, 1);
});
