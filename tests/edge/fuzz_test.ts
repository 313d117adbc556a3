/**
 * Property tests over every query parameter and body field: random strings,
 * unicode, huge and negative numbers, NaN and Infinity, malformed escapes,
 * nested arrays of the wrong shape, duplicated and unknown parameters, a
 * 10 MB body. Each must be a 4xx problem+json naming the culprit, never a
 * 5xx, and the app must serve exactly as before afterwards. Inputs come from
 * a seeded PRNG, so a failure can be replayed.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { createApp } from "@gan-edge/edge/app";
import { loadSampler } from "@gan-edge/edge/sampler";
import { Prng } from "@gan-edge/shared/prng";
import { SHIPPED_RING8 } from "../helpers/fixtures.ts";
import { conditionalFixture } from "./fixtures.ts";

const ring8 = createApp(await loadSampler(SHIPPED_RING8));
const dir = await conditionalFixture();
const conditional = createApp(await loadSampler(dir));
await Deno.remove(dir, { recursive: true });
const prng = new Prng(20260101);
const pick = <T>(list: readonly T[]): T => list[prng.nextUint32() % list.length];
const ROUNDS = 25;

/** Characters no valid value of any parameter contains. */
const WEIRD = [
  "é",
  "ß",
  "٣",
  "１",
  "😀",
  "\u202e",
  "\u0000",
  "\n",
  " ",
  "<",
  "'",
  '"',
  "\\",
  "{",
  "%",
  "&",
  "=",
  "#",
  "/",
  "+",
];
const ANY = [...WEIRD, ..."0123456789abcdefxyzAZ-_.,eE"];
const NUMBERS = [
  "-1",
  "-0",
  "1e309",
  "-1e309",
  "NaN",
  "Infinity",
  "-Infinity",
  "9".repeat(400),
  "0x1F",
  "1.5.5",
  "-1.5",
  " 1",
  "1 ",
  "+1",
  "1e3",
  "",
  "null",
  "true",
  "[1]",
  "4294967296",
  "99999999999",
];

/** A value that is invalid for every parameter (it holds a weird char). */
function badValue(): string {
  if (prng.uniform() < 0.4) return pick(NUMBERS);
  const length = prng.nextUint32() % 60;
  let text = "";
  for (let i = 0; i < length; i++) text += pick(ANY);
  const at = prng.nextUint32() % (text.length + 1);
  return text.slice(0, at) + pick(WEIRD) + text.slice(at);
}

/** The required parameters of `route`, with valid values. */
const required = (route: string): Record<string, string> =>
  route.endsWith("interpolate") ? { from: "1", to: "2" } : {};

async function expectProblem(
  app: typeof ring8,
  path: string,
  param: string | RegExp,
  init?: RequestInit,
) {
  const res = await app.request(path, init);
  const text = await res.text();
  assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status} ${text}`);
  assert.equal(res.headers.get("content-type"), "application/problem+json", path);
  const problem = JSON.parse(text);
  assert.equal(problem.status, res.status);
  if (typeof param === "string") assert.equal(problem.param, param, `${path}: ${text}`);
  else assert.match(problem.param ?? "", param, `${path}: ${text}`);
  return problem;
}

const ROUTES: [string, string[], typeof ring8][] = [
  ["/v1/sample", ["seed", "n", "z", "format", "class", "truncation"], ring8],
  ["/v1/sample", ["seed", "n", "z", "format", "class", "truncation"], conditional],
  ["/v1/interpolate", ["from", "to", "steps", "format", "class", "truncation"], ring8],
  ["/v1/interpolate", ["from", "to", "steps", "format", "class", "truncation"], conditional],
];

const before = await (await ring8.request("/v1/sample?seed=77&n=8")).text();
const tensorsBefore = tf.memory().numTensors;

Deno.test("every query parameter: random bad values are 400s naming it", async () => {
  for (const [route, params, app] of ROUTES) {
    for (const param of params) {
      for (let i = 0; i < ROUNDS; i++) {
        const query = new URLSearchParams(required(route));
        query.set(param, badValue());
        await expectProblem(app, `${route}?${query}`, param);
      }
    }
  }
});

Deno.test("raw malformed escapes and oversize values are 400s too", async () => {
  for (const raw of ["%", "%ZZ", "%E0%A4%A", "%00", "%C0%AF", "a".repeat(20_000)]) {
    await expectProblem(ring8, `/v1/sample?seed=${raw}`, "seed");
    await expectProblem(ring8, `/v1/sample?z=${raw}`, "z");
  }
});

Deno.test("duplicated and unknown parameters are 400s naming them", async () => {
  for (const [route, params, app] of ROUTES) {
    for (const param of params) {
      const q = route.endsWith("interpolate") ? "from=1&to=2&" : "";
      await expectProblem(app, `${route}?${q}${param}=1&${param}=1`, param);
    }
    for (let i = 0; i < ROUNDS; i++) {
      const name = `x${badValue()}`;
      const problem = await expectProblem(
        app,
        `${route}?${new URLSearchParams({ ...required(route), [name]: "1" })}`,
        /^x/,
      );
      assert.match(problem.detail, /unknown parameter .*; allowed: /s);
    }
  }
});

/** A random JSON value of the wrong kind or shape for a latent batch. */
function badJson(depth = 0): unknown {
  const kinds = [
    () => null,
    () => true,
    () => badValue(),
    () => 1e308,
    () => -1e308,
    () => 2000,
    () => ({ z: 1 }),
    () => [],
    () => Array(pick([0, 1, 7, 9, 16])).fill(0).map(() => prng.normal()),
    () => Array(3).fill(0).map(() => depth < 3 ? badJson(depth + 1) : 0),
  ];
  return pick(kinds)();
}

const post = (app: typeof ring8, body: string, type = "application/json") =>
  app.request("/v1/sample", { method: "POST", headers: { "content-type": type }, body });

Deno.test("every body field: wrong types and shapes are 400s naming the field", async () => {
  const row = () => Array(8).fill(0.5);
  for (let i = 0; i < ROUNDS * 4; i++) {
    // z of the wrong shape: a bad row among good ones, or a bad whole.
    const z = prng.uniform() < 0.5 ? badJson() : [row(), badJson(), row()];
    const check = async (app: typeof ring8, body: unknown, param: string) => {
      const res = await post(app, JSON.stringify(body));
      const text = await res.text();
      assert.equal(res.status, 400, text);
      assert.equal(JSON.parse(text).param, param, text);
    };
    await check(ring8, { z }, "z");
    await check(conditional, { z: [row()], class: badJson() }, "class");
  }
  const cases: [string, string][] = [
    ['{"z": [[1e999, 0, 0, 0, 0, 0, 0, 0]]}', "z"],
    ['{"z": [[NaN, 0, 0, 0, 0, 0, 0, 0]]}', "body"],
    ['{"z": [[Infinity, 0, 0, 0, 0, 0, 0, 0]]}', "body"],
    ['{"z": [[0,0,0,0,0,0,0,0]], "extra": 1}', "extra"],
    ['{"z": [[0,0,0,0,0,0,0,0]], "class": [0]}', "class"],
    [`{"z": ${JSON.stringify(Array(65).fill(Array(8).fill(0)))}}`, "z"],
    [`{"z": [${"[".repeat(6_000)}${"]".repeat(6_000)}]}`, "z"],
    ["[]", "body"],
    ["null", "body"],
    ['"z"', "body"],
    ["{}", "z"],
    ["", "body"],
    ["{", "body"],
    ["\u0000", "body"],
  ];
  for (const [body, param] of cases) {
    await expectProblem(ring8, "/v1/sample", param, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
  }
});

Deno.test("wrong content types are 415s naming content-type", async () => {
  const body = JSON.stringify({ z: [Array(8).fill(0)] });
  for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/jsonx", ""]) {
    await expectProblem(ring8, "/v1/sample", "content-type", {
      method: "POST",
      headers: type ? { "content-type": type } : {},
      body,
    });
  }
});

Deno.test("a 10 MB body is a 413, with or without Content-Length", async () => {
  const ten = "[".repeat(10 * 1024 * 1024);
  await expectProblem(ring8, "/v1/sample", "body", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: ten,
  });
  const chunk = new Uint8Array(1024 * 1024).fill(0x20);
  let sent = 0;
  const stream = new ReadableStream({
    pull(controller) {
      if (sent++ < 10) controller.enqueue(chunk);
      else controller.close();
    },
  });
  await expectProblem(ring8, "/v1/sample", "body", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: stream,
  });
});

Deno.test("no request path reaches the file system", async () => {
  for (
    const path of [
      "/../../etc/passwd",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/edge/page/demo.js/../../../deno.json",
      "/page/index.html",
      "/models/ring8/model.json",
      "/edge/models/ring8/model.json",
    ]
  ) {
    const res = await ring8.request(path);
    const text = await res.text();
    assert.ok(!/root:|"modelTopology"|"workspace"/.test(text), path);
    assert.ok(res.status === 404 || res.status === 200, path);
  }
});

Deno.test("after all that, the app serves the same bytes and holds no more tensors", async () => {
  assert.equal(await (await ring8.request("/v1/sample?seed=77&n=8")).text(), before);
  assert.equal(tf.memory().numTensors, tensorsBefore);
});
