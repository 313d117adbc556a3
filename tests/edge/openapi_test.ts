/** `/openapi.json` describes every route the app serves and every parameter it accepts. */
import assert from "node:assert/strict";
import { createApp } from "@gan-edge/edge/app";
import { DEFAULT_CONFIG } from "@gan-edge/edge/config";
import { loadSampler } from "@gan-edge/edge/sampler";
import { apiFacts } from "@gan-edge/edge/respond";
import {
  interpolateQuerySchema,
  postQuerySchema,
  sampleBodySchema,
  sampleQuerySchema,
} from "@gan-edge/shared/api";
import { SHIPPED_RING8 } from "../helpers/fixtures.ts";

const sampler = await loadSampler(SHIPPED_RING8);
const app = createApp(sampler);
const doc = await (await app.request("/openapi.json")).json();

Deno.test("every mounted route (method and path) is in the OpenAPI paths", () => {
  const routes = app.routes.filter((r) => r.method !== "ALL");
  assert.ok(routes.length >= 9);
  for (const { method, path } of routes) {
    const key = path.replace(/\/$/, "") || "/";
    assert.ok(doc.paths[key]?.[method.toLowerCase()], `${method} ${key} is not described`);
  }
  const described = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`)
  );
  const mounted = routes.map((r) => `${r.method} ${r.path.replace(/\/$/, "") || "/"}`);
  assert.deepEqual(described.sort(), [...new Set(mounted)].sort());
});

Deno.test("each route's parameters are exactly its schema's keys", () => {
  const facts = apiFacts(sampler, DEFAULT_CONFIG);
  const names = (path: string, method: string) =>
    doc.paths[path][method].parameters.map((p: { name: string }) => p.name).sort();
  assert.deepEqual(
    names("/v1/sample", "get"),
    Object.keys(sampleQuerySchema(facts).shape).sort(),
  );
  assert.deepEqual(
    names("/v1/interpolate", "get"),
    Object.keys(interpolateQuerySchema(facts).shape).sort(),
  );
  assert.deepEqual(names("/v1/sample", "post"), Object.keys(postQuerySchema(facts).shape).sort());
  assert.deepEqual(
    Object.keys(doc.components.schemas.SampleBody.properties).sort(),
    Object.keys(sampleBodySchema(facts).shape).sort(),
  );
  // Model facts appear: ring8 is a points model with an 8-dimensional latent.
  assert.deepEqual(
    doc.paths["/v1/sample"].get.parameters.find((p: { name: string }) => p.name === "format")
      .schema.enum,
    ["json", "svg"],
  );
  assert.equal(doc.components.schemas.SampleBody.properties.z.items.minItems, 8);
  assert.equal(doc.openapi, "3.1.0");
});
