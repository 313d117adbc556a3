/**
 * Conditional models: the generator takes z and a class label; `class`
 * picks it by index or name, and without it samples cycle through classes.
 */
import assert from "node:assert/strict";
import { createApp } from "@gan-edge/edge/app";
import { loadSampler, ModelLoadError } from "@gan-edge/edge/sampler";
import { latents } from "@gan-edge/shared/prng";
import type { GanMetadata } from "@gan-edge/shared/schema";
import {
  CLASS_NAMES,
  conditionalFixture,
  type FixtureSpec,
  writeFixtureModel,
} from "./fixtures.ts";

const dir = await conditionalFixture();
const sampler = await loadSampler(dir);
await Deno.remove(dir, { recursive: true });
const app = createApp(sampler);

const get = async (path: string) => {
  const res = await app.request(path);
  const body = await res.json();
  assert.equal(res.status, 200, `${path}: ${JSON.stringify(body)}`);
  return body;
};
const bad = async (path: string, init?: RequestInit) => {
  const res = await app.request(path, init);
  assert.equal(res.status, 400, path);
  assert.equal(res.headers.get("content-type"), "application/problem+json");
  return await res.json();
};

Deno.test("the sampler feeds z and one label per sample; labels change the output", async () => {
  assert.deepEqual(sampler.classNames, CLASS_NAMES);
  const z = latents(3, 2, 8, "normal");
  const a = await sampler.generate(z, 2, [0, 0]);
  const b = await sampler.generate(z, 2, [1, 1]);
  assert.equal(a.length, 2 * 28 * 28);
  assert.notDeepEqual(a, b);
  assert.deepEqual(await sampler.generate(z, 2, [0, 1]).then((o) => o.slice(784)), b.slice(784));
  await assert.rejects(sampler.generate(z, 2), /expected 2 class labels/);
});

Deno.test("class by index or by name; without one, samples cycle through the classes", async () => {
  const byIndex = await get("/v1/sample?seed=8&n=4&class=1");
  const byName = await get(`/v1/sample?seed=8&n=4&class=${encodeURIComponent("Trouser")}`);
  assert.deepEqual(byIndex.class, [1, 1, 1, 1]);
  assert.deepEqual(byName.samples, byIndex.samples);
  const cycling = await get("/v1/sample?seed=8&n=4");
  assert.deepEqual(cycling.class, [0, 1, 2, 0]);
  assert.deepEqual(cycling.samples[1], byIndex.samples[1]);
  assert.notDeepEqual(cycling.samples[0], byIndex.samples[0]);
  const path = await get("/v1/interpolate?from=1&to=2&steps=3&class=2");
  assert.deepEqual(path.class, [2, 2, 2]);
});

Deno.test("a class name is read in any letter case", async () => {
  const exact = await get("/v1/sample?seed=8&class=T-shirt%2Ftop");
  for (const name of ["t-shirt/top", "T-SHIRT/TOP", "t-Shirt/Top"]) {
    const body = await get(`/v1/sample?seed=8&class=${encodeURIComponent(name)}`);
    assert.deepEqual(body.class, [0], name);
    assert.deepEqual(body.samples, exact.samples, name);
  }
  assert.deepEqual((await get("/v1/interpolate?from=1&to=2&steps=2&class=PULLOVER")).class, [2, 2]);
});

Deno.test("an unknown class is a 400 naming class and listing the classes", async () => {
  for (const cls of ["3", "999", "-1", "Dress", "trousers", " trouser", "1.0", ""]) {
    const body = await bad(`/v1/sample?class=${encodeURIComponent(cls)}`);
    assert.equal(body.param, "class");
    assert.match(
      body.detail,
      /unknown class .*expected 0 to 2 or one of T-shirt\/top, Trouser, Pullover \(any letter case\)/,
    );
  }
});

Deno.test("POST takes one class per latent, an index or a name in any letter case", async () => {
  const z = [Array.from(latents(8, 1, 8, "normal"))];
  const post = (body: unknown) =>
    app.request("/v1/sample", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const ok = await (await post({ z, class: [1] })).json();
  assert.deepEqual(ok.samples[0], (await get("/v1/sample?seed=8&class=1")).samples[0]);
  const three = [z[0], z[0], z[0]];
  const named = await (await post({ z: three, class: ["trouser", "PULLOVER", 0] })).json();
  assert.deepEqual(named.class, [1, 2, 0]);
  assert.deepEqual(named.samples[0], ok.samples[0]);
  const choices = "expected a class: 0 to 2 or one of T-shirt/top, Trouser, Pullover " +
    "\\(any letter case\\)";
  for (
    const [body, detail] of [
      [{ z, class: [1, 2] }, /class: expected one class per latent \(1\)/],
      [{ z, class: [3] }, new RegExp(`^class: class\\.0: ${choices}$`)],
      [{ z, class: [-1] }, new RegExp(`^class: class\\.0: ${choices}$`)],
      [{ z, class: [0.5] }, new RegExp(`^class: class\\.0: ${choices}$`)],
      [{ z, class: ["Dress"] }, new RegExp(`^class: class\\.0: ${choices}$`)],
      [{ z, class: ["1"] }, new RegExp(`^class: class\\.0: ${choices}$`)],
      [{ z, class: [null] }, new RegExp(`^class: class\\.0: ${choices}$`)],
      [{ z, class: "1" }, /class: expected an array of classes \(indices or names\)/],
    ] as const
  ) {
    const res = await post(body);
    assert.equal(res.status, 400);
    const problem = await res.json();
    assert.equal(problem.param, "class");
    assert.match(problem.detail, detail);
  }
});

Deno.test("metadata that disagrees with the network's inputs stops loading", async () => {
  // Conditional metadata on an unconditional network, and the reverse.
  const cases: [FixtureSpec, Partial<GanMetadata>][] = [
    [{}, { classNames: ["a", "b"] }],
    [{ classNames: ["a", "b"] }, { classNames: undefined }],
    [{}, { latent: { dim: 9, distribution: "normal" } }],
  ];
  for (const [spec, patch] of cases) {
    const model = await writeFixtureModel(spec, patch);
    await assert.rejects(
      loadSampler(model),
      (e: Error) => e instanceof ModelLoadError && /do not match its metadata/.test(e.message),
    );
    await Deno.remove(model, { recursive: true });
  }
});
