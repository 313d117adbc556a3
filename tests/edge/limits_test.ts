/**
 * What protects the edge: CORS for GET only, secure headers, the per-address
 * rate limit, the body limit, the request timeout, and their configuration.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { createApp } from "@gan-edge/edge/app";
import { configFromEnv, DEFAULT_CONFIG } from "@gan-edge/edge/config";
import { rateLimit } from "@gan-edge/edge/ratelimit";
import { loadSampler, type Sampler } from "@gan-edge/edge/sampler";
import { SHIPPED_RING8 } from "../helpers/fixtures.ts";

const sampler = await loadSampler(SHIPPED_RING8);
const app = createApp(sampler);
const json = { "content-type": "application/json" };
const body = JSON.stringify({ z: [[0, 0, 0, 0, 0, 0, 0, 0]] });

Deno.test("CORS: GET and its preflight are open to any origin; POST is not", async () => {
  const origin = { origin: "https://example.org" };
  const get = await app.request("/v1/sample?seed=1", { headers: origin });
  assert.equal(get.headers.get("access-control-allow-origin"), "*");
  assert.match(get.headers.get("access-control-expose-headers") ?? "", /X-Seed/);
  const preflightGet = await app.request("/v1/sample", {
    method: "OPTIONS",
    headers: { ...origin, "access-control-request-method": "GET" },
  });
  assert.equal(preflightGet.status, 204);
  assert.equal(preflightGet.headers.get("access-control-allow-methods"), "GET,HEAD");
  const preflightPost = await app.request("/v1/sample", {
    method: "OPTIONS",
    headers: {
      ...origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type",
    },
  });
  assert.equal(preflightPost.headers.get("access-control-allow-origin"), null);
  assert.equal(preflightPost.headers.get("access-control-allow-headers"), null);
  const post = await app.request("/v1/sample", {
    method: "POST",
    headers: { ...origin, ...json },
    body,
  });
  assert.equal(post.status, 200);
  assert.equal(post.headers.get("access-control-allow-origin"), null);
});

Deno.test("secure headers on pages, samples and problems alike", async () => {
  for (const path of ["/", "/v1/sample?seed=1", "/v1/sample?bad=1", "/nope"]) {
    const res = await app.request(path);
    await res.body?.cancel();
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
    assert.equal(res.headers.get("x-frame-options"), "SAMEORIGIN", path);
    assert.equal(res.headers.get("referrer-policy"), "no-referrer", path);
    assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'self'/, path);
    assert.equal(res.headers.get("cross-origin-resource-policy"), "cross-origin", path);
  }
});

Deno.test("rate limit: N requests per address per window, then 429 with Retry-After", async () => {
  let now = 0;
  const limited = new Hono()
    .use(rateLimit(3, 60, () => now))
    .get("/", (c) => c.text("ok"));
  limited.onError((e) => {
    const p = e as Error & { status: number; headers: Record<string, string> };
    return new Response(p.message, { status: p.status, headers: p.headers });
  });
  const hit = (address: string) =>
    limited.request("/", {}, { remoteAddr: { hostname: address, port: 1, transport: "tcp" } });
  for (let i = 0; i < 3; i++) {
    const res = await hit("10.0.0.1");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("ratelimit-remaining"), String(2 - i));
  }
  const over = await hit("10.0.0.1");
  assert.equal(over.status, 429);
  assert.equal(over.headers.get("retry-after"), "60");
  assert.equal((await hit("10.0.0.2")).status, 200, "another address has its own window");
  now += 59_000;
  assert.equal((await hit("10.0.0.1")).headers.get("retry-after"), "1");
  now += 1_000;
  assert.equal((await hit("10.0.0.1")).status, 200, "a new window");
});

Deno.test("the app's rate limit answers with a problem; 0 turns it off", async () => {
  const strict = createApp(sampler, { ...DEFAULT_CONFIG, rateLimit: 2 });
  const statuses = [];
  for (let i = 0; i < 3; i++) {
    const res = await strict.request("/healthz");
    statuses.push(res.status);
    if (res.status === 429) {
      assert.equal(res.headers.get("content-type"), "application/problem+json");
      assert.match((await res.json()).detail, /rate limit reached; retry in \d+ s/);
    } else await res.body?.cancel();
  }
  assert.deepEqual(statuses, [200, 200, 429]);
  const open = createApp(sampler, { ...DEFAULT_CONFIG, rateLimit: 0 });
  for (let i = 0; i < 5; i++) assert.equal((await open.request("/healthz")).status, 200);
});

Deno.test("body limit: configurable, 413 problem naming body, also without Content-Length", async () => {
  const small = createApp(sampler, { ...DEFAULT_CONFIG, maxBodyBytes: 1024 });
  const big = JSON.stringify({ z: [Array(8).fill(0.123456789)], pad: "x".repeat(2000) });
  const res = await small.request("/v1/sample", { method: "POST", headers: json, body: big });
  assert.equal(res.status, 413);
  const problem = await res.json();
  assert.equal(problem.param, "body");
  assert.match(problem.detail, /larger than the limit of 1024 bytes/);
  // A streamed body (no Content-Length) is counted as it arrives.
  const stream = new ReadableStream({
    start(controller) {
      for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode("x".repeat(512)));
      controller.close();
    },
  });
  const streamed = await small.request("/v1/sample", {
    method: "POST",
    headers: json,
    body: stream,
  });
  assert.equal(streamed.status, 413);
  await streamed.body?.cancel();
  assert.equal(
    (await small.request("/v1/sample", { method: "POST", headers: json, body }))
      .status,
    200,
  );
});

Deno.test("a request past the timeout is a 504 problem; the next one is fine", async () => {
  let delay = 300;
  const slow: Sampler = {
    ...sampler,
    generate: async (z, n, labels) => {
      await new Promise((r) => setTimeout(r, delay));
      return await sampler.generate(z, n, labels);
    },
  };
  const app = createApp(slow, { ...DEFAULT_CONFIG, timeoutMs: 100 });
  const res = await app.request("/v1/sample?seed=1");
  assert.equal(res.status, 504);
  assert.match((await res.json()).detail, /longer than 100 ms/);
  await new Promise((r) => setTimeout(r, 300)); // let the slow call finish
  delay = 0;
  assert.equal((await app.request("/v1/sample?seed=1")).status, 200);
});

Deno.test("limits come from the environment, bad values name the variable", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.deepEqual(configFromEnv(env({})), DEFAULT_CONFIG);
  assert.deepEqual(
    configFromEnv(env({
      MAX_N: "16",
      MAX_BODY_BYTES: "2048",
      REQUEST_TIMEOUT_MS: "500",
      RATE_LIMIT: "0",
      RATE_WINDOW_S: "10",
    })),
    { maxN: 16, maxBodyBytes: 2048, timeoutMs: 500, rateLimit: 0, rateWindowSeconds: 10 },
  );
  for (
    const [name, value] of [["MAX_N", "0"], ["MAX_N", "1e3"], ["RATE_LIMIT", "-1"], [
      "REQUEST_TIMEOUT_MS",
      "soon",
    ]]
  ) {
    assert.throws(
      () => configFromEnv(env({ [name]: value })),
      new RegExp(`^Error: ${name}: expected an integer in`),
    );
  }
});

Deno.test("MAX_N caps n and the rows of a POST body", async () => {
  const capped = createApp(sampler, { ...DEFAULT_CONFIG, maxN: 4 });
  assert.equal((await capped.request("/v1/sample?seed=1&n=4")).status, 200);
  const res = await capped.request("/v1/sample?seed=1&n=5");
  assert.equal(res.status, 400);
  assert.match((await res.json()).detail, /n: expected an integer in \[1, 4\]/);
  const post = await capped.request("/v1/sample", {
    method: "POST",
    headers: json,
    body: JSON.stringify({ z: Array(5).fill(Array(8).fill(0)) }),
  });
  assert.equal(post.status, 400);
  assert.equal((await post.json()).param, "z");
});
