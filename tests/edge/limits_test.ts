/**
 * What protects the edge: CORS, secure headers, the per-address
 * rate limit, the body limit, the request timeout, and their configuration.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { createApp } from "@gan-edge/edge/app";
import { configFromEnv, DEFAULT_CONFIG } from "@gan-edge/edge/config";
import { rateLimit } from "@gan-edge/edge/ratelimit";
import { loadSampler, type Sampler } from "@gan-edge/edge/sampler";
import { SHIPPED_RING8 } from "../helpers/fixtures.ts";
import { CLASS_NAMES, conditionalFixture, writeFixtureModel } from "./fixtures.ts";
import { largestSampleBody } from "@gan-edge/shared/api";

const sampler = await loadSampler(SHIPPED_RING8);
const app = createApp(sampler);
const json = { "content-type": "application/json" };
const body = JSON.stringify({ z: [[0, 0, 0, 0, 0, 0, 0, 0]] });

Deno.test("CORS: GET, HEAD and POST and their preflights are open to any origin", async () => {
  const origin = { origin: "https://example.org" };
  const get = await app.request("/v1/sample?seed=1", { headers: origin });
  await get.body?.cancel();
  assert.equal(get.headers.get("access-control-allow-origin"), "*");
  assert.match(get.headers.get("access-control-expose-headers") ?? "", /X-Seed/);
  const preflight = (path: string, method: string) =>
    app.request(path, {
      method: "OPTIONS",
      headers: {
        ...origin,
        "access-control-request-method": method,
        "access-control-request-headers": "content-type",
      },
    });
  const preflightPost = await preflight("/v1/sample", "POST");
  assert.equal(preflightPost.status, 204);
  assert.equal(preflightPost.headers.get("access-control-allow-origin"), "*");
  assert.equal(preflightPost.headers.get("access-control-allow-methods"), "GET,HEAD,POST");
  assert.equal(preflightPost.headers.get("access-control-allow-headers"), "Content-Type");
  assert.equal(preflightPost.headers.get("access-control-max-age"), "86400");
  const versioned = await preflight(`/v1/models/${sampler.hash}/sample`, "POST");
  assert.equal(versioned.headers.get("access-control-allow-methods"), "GET,HEAD,POST");
  // A path names only the methods it serves, so a browser refuses a POST there.
  const interpolate = await preflight("/v1/interpolate", "POST");
  assert.equal(interpolate.status, 204);
  assert.equal(interpolate.headers.get("access-control-allow-methods"), "GET,HEAD");
  // A preflight for a path nothing serves is a 404.
  const nowhere = await preflight("/v1/nothing", "POST");
  assert.equal(nowhere.status, 404);
  await nowhere.body?.cancel();
  const post = await app.request("/v1/sample", {
    method: "POST",
    headers: { ...origin, ...json },
    body,
  });
  assert.equal(post.status, 200);
  await post.body?.cancel();
  assert.equal(post.headers.get("access-control-allow-origin"), "*");
  // An error is readable cross-origin too.
  const bad = await app.request("/v1/sample?seed=x", { headers: origin });
  assert.equal(bad.status, 400);
  await bad.body?.cancel();
  assert.equal(bad.headers.get("access-control-allow-origin"), "*");
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
    .use(rateLimit(3, 60, { now: () => now }))
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
    const res = await strict.request("/v1/model");
    statuses.push(res.status);
    if (res.status === 429) {
      assert.equal(res.headers.get("content-type"), "application/problem+json");
      assert.match((await res.json()).detail, /rate limit reached; retry in \d+ s/);
    } else await res.body?.cancel();
  }
  assert.deepEqual(statuses, [200, 200, 429]);
  const open = createApp(sampler, { ...DEFAULT_CONFIG, rateLimit: 0 });
  for (let i = 0; i < 5; i++) assert.equal((await open.request("/v1/model")).status, 200);
});

Deno.test("every 429 carries RateLimit-Limit, -Remaining, -Reset, -Policy and Retry-After", async () => {
  const strict = createApp(sampler, { ...DEFAULT_CONFIG, rateLimit: 2, rateWindowSeconds: 30 });
  for (let i = 0; i < 2; i++) await (await strict.request("/v1/model")).body?.cancel();
  for (const path of ["/v1/model", "/v1/sample?seed=1", "/nope"]) {
    const res = await strict.request(path);
    await res.body?.cancel();
    assert.equal(res.status, 429, path);
    assert.equal(res.headers.get("ratelimit-limit"), "2");
    assert.equal(res.headers.get("ratelimit-remaining"), "0");
    assert.match(res.headers.get("ratelimit-reset") ?? "", /^(30|29)$/);
    assert.equal(res.headers.get("ratelimit-policy"), "2;w=30");
    assert.equal(res.headers.get("retry-after"), res.headers.get("ratelimit-reset"));
  }
});

Deno.test("health routes are never rate limited, nor counted", async () => {
  const strict = createApp(sampler, { ...DEFAULT_CONFIG, rateLimit: 2 });
  for (let i = 0; i < 5; i++) {
    const res = await strict.request("/healthz");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("ratelimit-remaining"), null);
    await res.body?.cancel();
  }
  const res = await strict.request("/v1/model");
  assert.equal(res.headers.get("ratelimit-remaining"), "1");
  await res.body?.cancel();
});

Deno.test("TRUST_PROXY_HOPS: off by default; when set, the client is the address the last trusted proxy saw", async () => {
  const from = (xff?: string) =>
    [
      "/v1/model",
      { headers: (xff ? { "x-forwarded-for": xff } : {}) as Record<string, string> },
      { remoteAddr: { hostname: "10.0.0.9", port: 1, transport: "tcp" } },
    ] as const;
  const remaining = async (app: Hono, xff?: string) => {
    const res = await app.request(...from(xff));
    await res.body?.cancel();
    return res.headers.get("ratelimit-remaining");
  };
  // Off: X-Forwarded-For is a header anyone can write; the connection decides.
  const direct = createApp(sampler, { ...DEFAULT_CONFIG, rateLimit: 5 });
  assert.equal(await remaining(direct, "1.1.1.1"), "4");
  assert.equal(await remaining(direct, "2.2.2.2"), "3");
  // One trusted proxy: the address it appended (the rightmost) is the client.
  const proxied = createApp(sampler, { ...DEFAULT_CONFIG, rateLimit: 5, trustProxyHops: 1 });
  assert.equal(await remaining(proxied, "1.1.1.1"), "4");
  assert.equal(await remaining(proxied, "2.2.2.2"), "4");
  assert.equal(
    await remaining(proxied, "spoofed, 1.1.1.1"),
    "3",
    "what the client wrote is ignored",
  );
  assert.equal(await remaining(proxied, " 2.2.2.2 "), "3");
  // Two trusted proxies: the second address from the right.
  const two = createApp(sampler, { ...DEFAULT_CONFIG, rateLimit: 5, trustProxyHops: 2 });
  assert.equal(await remaining(two, "spoofed, 3.3.3.3, 10.0.0.1"), "4");
  assert.equal(await remaining(two, "other, 3.3.3.3, 10.0.0.2"), "3");
  // No header at all: the connection's address.
  assert.equal(await remaining(proxied), "4");
  assert.equal(await remaining(proxied), "3");
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

Deno.test("the default body limit is the largest valid body of the served model, written compactly", async () => {
  const dir = await conditionalFixture(); // latent dim 8, 3 classes
  const conditional = createApp(await loadSampler(dir));
  await Deno.remove(dir, { recursive: true });
  // The longest JSON a latent value in [-1000, 1000] can be written as, and the longest
  // class (a name: longer than any index).
  const longest = -0.0000012345678901234567;
  assert.equal(String(longest).length, 25);
  const largest = JSON.stringify({
    z: Array(DEFAULT_CONFIG.maxN).fill(Array(8).fill(longest)),
    class: Array(DEFAULT_CONFIG.maxN).fill("T-shirt/top"),
  });
  const send = (text: string) =>
    conditional.request("/v1/sample", { method: "POST", headers: json, body: text });
  const ok = await send(largest);
  assert.equal(ok.status, 200, await ok.clone().text());
  await ok.body?.cancel();
  const over = await send(largest + " ");
  assert.equal(over.status, 413);
  assert.match((await over.json()).detail, new RegExp(`limit of ${largest.length} bytes`));
  // Far below the old 512 KiB for the shipped Fashion-MNIST model (64 latents of 64).
  const fashion = largestSampleBody({
    dim: 64,
    maxN: 64,
    classNames: Array(10).fill("c"),
    formats: [],
  });
  assert.ok(fashion < 110_000, `${fashion}`);
});

Deno.test("an invalid body costs less than the most expensive valid one: lengths are checked first", async () => {
  // Fashion-MNIST's sizes (64 latents of 64, a class each): a body limit of ~103 KB.
  const dir = await writeFixtureModel({ latentDim: 64, classNames: CLASS_NAMES });
  const fashion = createApp(await loadSampler(dir));
  await Deno.remove(dir, { recursive: true });
  const send = (body: string) =>
    fashion.request("/v1/sample", { method: "POST", headers: json, body });
  /** The fastest of three runs of `body`, in ms: its cost, less a shared machine's noise. */
  const fastest = async (body: string) => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await (await send(body)).arrayBuffer();
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  };
  const row = Array(64).fill(0.5);
  const valid = await fastest(
    JSON.stringify({ z: Array(64).fill(row), class: Array(64).fill(2) }),
  );
  const bad: [unknown, string, RegExp][] = [
    // As in the report, as many invalid class entries as the limit lets through.
    [{ z: [row], class: Array(25_000).fill("x") }, "class", /^class: expected at most 64 class/],
    [{ z: Array(17_000).fill(["x"]) }, "z", /^z: expected 1 to 64 latents of 64 numbers$/],
    [{ z: [Array(25_000).fill("x")] }, "z", /^z: z\.0: expected an array of 64 numbers$/],
  ];
  for (const [value, param, detail] of bad) {
    const body = JSON.stringify(value);
    const res = await send(body);
    const problem = await res.json();
    assert.equal(res.status, 400, problem.detail);
    assert.equal(problem.param, param);
    assert.match(problem.detail, detail);
    const ms = await fastest(body);
    // One issue per element cost 5-10 times a valid request here.
    assert.ok(ms < valid, `${param}: ${ms.toFixed(1)} ms, valid ${valid.toFixed(1)} ms`);
  }
});

Deno.test("a body that is not an array where latents belong says what it expected, once", async () => {
  const res = await app.request("/v1/sample", {
    method: "POST",
    headers: json,
    body: '{"z": "x"}',
  });
  assert.equal((await res.json()).detail, "z: expected 1 to 64 latents of 8 numbers");
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

Deno.test("a body that stops arriving is a 408 problem naming body, not the request timeout's 504", async () => {
  const app = createApp(sampler, { ...DEFAULT_CONFIG, bodyTimeoutMs: 100, timeoutMs: 400 });
  for (const length of [{ "content-length": "100" }, {}] as Record<string, string>[]) {
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"z": [['));
      },
    });
    const t0 = performance.now();
    const res = await app.request("/v1/sample", {
      method: "POST",
      headers: { ...json, ...length },
      body: stalled,
    });
    assert.equal(res.status, 408);
    const problem = await res.json();
    assert.equal(problem.param, "body");
    assert.equal(problem.detail, "body: not received within 100 ms");
    assert.ok(performance.now() - t0 < 300);
  }
});

Deno.test("a body that cannot be read (broken framing, aborted upload) is a 400 naming body, not a 500", async () => {
  for (const length of [{ "content-length": "100" }, {}] as Record<string, string>[]) {
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"z": [['));
      },
      pull(controller) {
        controller.error(new Error("invalid HTTP/1 request: Invalid"));
      },
    });
    const res = await app.request("/v1/sample", {
      method: "POST",
      headers: { ...json, ...length },
      body: broken,
    });
    assert.equal(res.status, 400);
    const problem = await res.json();
    assert.equal(problem.param, "body");
    assert.match(problem.detail, /^body: could not be read/);
  }
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
      TRUST_PROXY_HOPS: "1",
    })),
    {
      ...DEFAULT_CONFIG,
      maxN: 16,
      maxBodyBytes: 2048,
      timeoutMs: 500,
      rateLimit: 0,
      rateWindowSeconds: 10,
      trustProxyHops: 1,
    },
  );
  for (
    const [name, value] of [
      ["MAX_N", "0"],
      ["MAX_N", "1e3"],
      ["RATE_LIMIT", "-1"],
      ["REQUEST_TIMEOUT_MS", "soon"],
      ["BODY_TIMEOUT_MS", "50"],
      ["TRUST_PROXY_HOPS", "yes"],
    ]
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
