/**
 * `/openapi.json` is generated from the zod schemas: it describes every route
 * the app serves and every parameter it accepts, passes Redocly's lint
 * rules, and says what the app does: its JSON bodies fit the documented
 * schemas, and the documented headers are the ones sent.
 */
import assert from "node:assert/strict";
import { createConfig, lintFromString } from "@redocly/openapi-core";
import { createApp } from "@gan-edge/edge/app";
import { DEFAULT_CONFIG } from "@gan-edge/edge/config";
import { apiFacts } from "@gan-edge/edge/facts";
import { loadSampler } from "@gan-edge/edge/sampler";
import { ModelResponseSchema, ModelsResponseSchema, ProblemSchema } from "@gan-edge/shared/api";
import { SHIPPED_RING8 } from "../helpers/fixtures.ts";
import { conditionalFixture } from "./fixtures.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const sampler = await loadSampler(SHIPPED_RING8);
const app = createApp(sampler);
const facts = apiFacts(sampler, DEFAULT_CONFIG);
const doc: Json = await (await app.request("/openapi.json")).json();
const conditionalDir = await conditionalFixture();
const conditionalSampler = await loadSampler(conditionalDir);
const conditional = createApp(conditionalSampler);
await Deno.remove(conditionalDir, { recursive: true });
const conditionalDoc: Json = await (await conditional.request("/openapi.json")).json();
// Two models from one server: ring8 the default, the conditional one by its hash.
const both = createApp([sampler, conditionalSampler]);
const bothDoc: Json = await (await both.request("/openapi.json")).json();
const secondDoc: Json = await (
  await both.request(`/v1/models/${conditionalSampler.hash}/openapi.json`)
).json();

/** A Hono path as OpenAPI writes it: `/v1/models/:hash/sample` → `/v1/models/{hash}/sample`. */
const openapiPath = (path: string) => path.replace(/\/$/, "").replace(/:(\w+)/g, "{$1}") || "/";

Deno.test("every mounted route (method and path) is in the OpenAPI paths, and no other", () => {
  const routes = app.routes.filter((r) => r.method !== "ALL");
  assert.ok(routes.length >= 12);
  const mounted = routes.map((r) => `${r.method} ${openapiPath(r.path)}`);
  const described = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`)
  );
  assert.deepEqual(described.sort(), [...new Set(mounted)].sort());
  assert.ok(mounted.includes("GET /v1/models/{hash}/sample"));
  // Serving several models mounts no other route.
  assert.deepEqual(Object.keys(bothDoc.paths).sort(), Object.keys(doc.paths).sort());
});

Deno.test("each model's own document gives its versioned routes with its parameters, no plain ones", () => {
  const paths = Object.keys(secondDoc.paths);
  for (const plain of ["/v1/sample", "/v1/interpolate", "/v1/model"]) {
    assert.ok(!paths.includes(plain), plain);
  }
  for (const path of ["/v1/models/{hash}/sample", "/v1/models", "/v1/models/{hash}"]) {
    assert.ok(paths.includes(path), path);
  }
  const params = (document: Json) =>
    Object.fromEntries(
      document.paths["/v1/models/{hash}/sample"].get.parameters.map((p: Json) => [p.name, p]),
    );
  // The conditional model's class names, and its hash, not the default's.
  assert.deepEqual(params(secondDoc).class.schema.anyOf[1].examples, [
    "T-shirt/top",
    "Trouser",
    "Pullover",
  ]);
  assert.deepEqual(params(secondDoc).hash.schema.enum, [conditionalSampler.hash]);
  assert.deepEqual(params(bothDoc).hash.schema.enum, [sampler.hash]);
  assert.match(params(bothDoc).class.description, /^Refused: this model is not conditional/);
  // A route of any served model takes any served hash.
  const anyHash = bothDoc.paths["/v1/models/{hash}"].get.parameters[0];
  assert.deepEqual(anyHash.schema.enum, [sampler.hash, conditionalSampler.hash]);
});

Deno.test("each route's parameters are exactly its schema's keys, typed as they parse", () => {
  const names = (path: string, method: string) =>
    doc.paths[path][method].parameters.map((p: { name: string }) => p.name).sort();
  const keys = (schema: { shape: object }) => Object.keys(schema.shape).sort();
  assert.deepEqual(names("/v1/sample", "get"), keys(facts.schemas.sampleQuery));
  assert.deepEqual(names("/v1/interpolate", "get"), keys(facts.schemas.interpolateQuery));
  assert.deepEqual(names("/v1/sample", "post"), keys(facts.schemas.postQuery));
  assert.deepEqual(
    names("/v1/models/{hash}/sample", "get"),
    ["hash", ...keys(facts.schemas.sampleQuery)].sort(),
  );
  assert.deepEqual(
    Object.keys(doc.components.schemas.SampleBody.properties).sort(),
    keys(facts.schemas.sampleBody),
  );
  const param = (name: string) =>
    doc.paths["/v1/sample"].get.parameters.find((p: { name: string }) => p.name === name);
  // Model facts appear: ring8 is a points model with an 8-dimensional latent.
  assert.deepEqual(param("format").schema.enum, ["json", "svg"]);
  assert.deepEqual(param("seed").schema, { type: "integer", minimum: 0, maximum: 4294967295 });
  assert.deepEqual(param("n").schema, { type: "integer", minimum: 1, maximum: 64 });
  assert.deepEqual(param("truncation").schema, {
    type: "number",
    exclusiveMinimum: 0,
    maximum: 100,
  });
  assert.match(param("seed").description, /random .* when absent/);
  const row = doc.components.schemas.SampleBody.properties.z;
  assert.deepEqual([row.minItems, row.maxItems], [1, 64]);
  assert.deepEqual([row.items.minItems, row.items.maxItems], [8, 8]);
  assert.deepEqual(row.items.items, { type: "number", minimum: -1000, maximum: 1000 });
  assert.equal(doc.openapi, "3.1.0");
  // A conditional model documents its class names; the versioned path its hash.
  const cls = conditionalDoc.paths["/v1/sample"].get.parameters
    .find((p: { name: string }) => p.name === "class");
  // Names in any letter case: examples, since JSON Schema has no case-insensitive enum.
  assert.deepEqual(cls.schema.anyOf[1], {
    type: "string",
    examples: ["T-shirt/top", "Trouser", "Pullover"],
  });
  // An image model documents scale and encoding; a points model says it refuses them.
  const imageParam = (name: string) =>
    conditionalDoc.paths["/v1/sample"].get.parameters.find((p: { name: string }) =>
      p.name === name
    );
  assert.deepEqual(imageParam("scale").schema, { type: "integer", minimum: 1, maximum: 16 });
  assert.deepEqual(imageParam("encoding").schema, {
    type: "string",
    enum: ["array", "png-base64"],
  });
  assert.match(param("scale").description, /^Refused: this model's samples are points/);
  const variants = conditionalDoc.components.schemas.SampleResponse.anyOf
    .map((v: Json) => Object.keys(v.properties).at(-1));
  assert.deepEqual(variants, ["samples", "images"]);
  const bodyClass = conditionalDoc.components.schemas.SampleBody.properties.class;
  assert.deepEqual(bodyClass.items.anyOf, [
    { type: "integer", minimum: 0, maximum: 2 },
    { type: "string", examples: ["T-shirt/top", "Trouser", "Pullover"] },
  ]);
  const hash = doc.paths["/v1/models/{hash}/sample"].get.parameters[0];
  // The document's parameters are its model's: the versioned routes it describes take its hash.
  assert.deepEqual([hash.in, hash.schema], ["path", { type: "string", enum: [sampler.hash] }]);
});

Deno.test("no parameter, property or item is documented as an empty (any-value) schema", () => {
  const empty: string[] = [];
  const walk = (node: unknown, path: string) => {
    if (typeof node !== "object" || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      const at = `${path}/${key}`;
      const isSchema = key === "schema" || key === "items" || path.endsWith("/properties");
      if (isSchema && value && typeof value === "object" && Object.keys(value).length === 0) {
        empty.push(at);
      }
      walk(value, at);
    }
  };
  for (const document of [doc, conditionalDoc, bothDoc, secondDoc]) walk(document, "#");
  assert.deepEqual(empty, []);
});

Deno.test("Redocly's recommended rules (structure included) find nothing but the health routes' missing 4xx", async () => {
  // The project names no license, so the license rule is off.
  const config = await createConfig({ extends: ["recommended"], rules: { "info-license": "off" } });
  for (
    const [name, document] of [
      ["ring8", doc],
      ["conditional", conditionalDoc],
      ["two models' default", bothDoc],
      ["two models' second", secondDoc],
    ] as const
  ) {
    const problems = await lintFromString({
      source: JSON.stringify(document),
      absoluteRef: `${name}/openapi.json`,
      config,
    });
    const found = problems.map((p) =>
      `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`
    );
    // GET /healthz, /readyz and /metrics have no 4xx: they take no input and
    // the rate limit exempts them.
    const no4xx = ["healthz", "readyz", "metrics"].map((path) =>
      "warn operation-4xx-response: Operation must have at least one `4XX` " +
      `response. at #/paths/~1${path}/get/responses`
    );
    assert.deepEqual(found, no4xx, name);
  }
});

Deno.test("JSON bodies fit the schemas the document gives them", async () => {
  const json = async (path: string, init?: RequestInit) => {
    const res = await app.request(path, init);
    return [res.status, await res.json()] as const;
  };
  const post = {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ z: [[0, 0, 0, 0, 0, 0, 0, 1], [1, 0, 0, 0, 0, 0, 0, 0]] }),
  };
  for (const [path, init] of [["/v1/sample?seed=3&n=5"], ["/v1/sample"], ["/v1/sample", post]]) {
    const [status, body] = await json(path as string, init as RequestInit | undefined);
    assert.equal(status, 200);
    facts.schemas.sampleResponse.parse(body);
  }
  const [, strip] = await json("/v1/interpolate?from=1&to=2&steps=3");
  facts.schemas.interpolateResponse.parse(strip);
  const [, model] = await json("/v1/model");
  ModelResponseSchema.parse(model);
  const [, models] = await json("/v1/models");
  ModelsResponseSchema.parse(models);
  assert.deepEqual(doc.paths["/v1/models"].get.responses["200"].content["application/json"], {
    schema: { $ref: "#/components/schemas/Models" },
  });
  const [status, problem] = await json("/v1/sample?seed=x");
  assert.equal(status, 400);
  ProblemSchema.parse(problem);
  // Refs name the components that hold these schemas.
  const responses = doc.paths["/v1/sample"].post.responses;
  assert.deepEqual(responses["200"].content["application/json"].schema, {
    $ref: "#/components/schemas/SampleResponse",
  });
  assert.ok(doc.components.schemas.Model.properties.api);
});

Deno.test("the documented headers are the ones sent, with the documented values", async () => {
  const hashPath = `/v1/models/${sampler.hash}`;
  const cases: [string, string, string, RequestInit?][] = [
    ["/v1/sample", "get", "/v1/sample?seed=4&n=2"],
    ["/v1/sample", "get", "/v1/sample?n=2"], // random seed: no ETag
    ["/v1/models/{hash}/sample", "get", `${hashPath}/sample?seed=4`],
    ["/v1/interpolate", "get", "/v1/interpolate?from=1&to=2"],
    ["/v1/models/{hash}/interpolate", "get", `${hashPath}/interpolate?from=1&to=2`],
    ["/v1/sample", "post", "/v1/sample", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ z: [[0, 0, 0, 0, 0, 0, 0, 1]] }),
    }],
  ];
  const ours = ["x-seed", "etag", "cache-control", "content-location", "vary"];
  for (const [path, method, url, init] of cases) {
    const res = await app.request(url, init);
    await res.body?.cancel();
    assert.equal(res.status, 200, url);
    const documented: Record<string, { schema: { enum?: string[] } }> =
      doc.paths[path][method].responses["200"].headers;
    const names = Object.keys(documented).map((h) => h.toLowerCase());
    const random = url.endsWith("/v1/sample?n=2");
    for (const name of ours) {
      const sent = res.headers.get(name);
      if (!names.includes(name)) {
        assert.equal(sent, null, `${method} ${url}: ${name} sent but not documented`);
      } else if (!(random && name === "etag")) {
        assert.ok(sent !== null, `${method} ${url}: ${name} documented but not sent`);
      }
    }
    if (random) assert.equal(res.headers.get("etag"), null, "random seeds have no ETag");
    const cacheControl = Object.entries(documented)
      .find(([h]) => h.toLowerCase() === "cache-control")![1].schema.enum!;
    assert.ok(cacheControl.includes(res.headers.get("cache-control")!), url);
  }
  const post = doc.paths["/v1/sample"].post.responses["200"].headers;
  assert.deepEqual(Object.keys(post).sort(), ["Cache-Control", "Content-Encoding", "Vary"]);
  // Compressed, as documented: the encoding and the Vary values are the documented ones.
  const gzipped = await app.request("/v1/sample?seed=4&n=2", {
    headers: { "accept-encoding": "gzip" },
  });
  await gzipped.body?.cancel();
  const documented = doc.paths["/v1/sample"].get.responses["200"].headers;
  assert.ok(documented["Content-Encoding"].schema.enum.includes(
    gzipped.headers.get("content-encoding"),
  ));
  assert.ok(documented.Vary.schema.enum.includes(gzipped.headers.get("vary")));
  // A 429 sends every header its documentation names.
  const limited = createApp(sampler, { ...DEFAULT_CONFIG, rateLimit: 1 });
  await (await limited.request("/v1/sample?seed=1")).body?.cancel();
  const refused = await limited.request("/v1/sample?seed=1");
  await refused.body?.cancel();
  assert.equal(refused.status, 429);
  for (const name of Object.keys(doc.paths["/v1/sample"].get.responses["429"].headers)) {
    assert.ok(refused.headers.get(name), `429: ${name} documented but not sent`);
  }
});
