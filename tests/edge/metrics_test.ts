/**
 * Observability: the Prometheus exposition writer (edge/metrics.ts) on
 * known values; request ids, the access log, /metrics and /readyz.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { createApp } from "@gan-edge/edge/app";
import { DEFAULT_CONFIG } from "@gan-edge/edge/config";
import { Counter, exposition, Gauge, Histogram } from "@gan-edge/edge/metrics";
import { loadSampler } from "@gan-edge/edge/sampler";
import { SHIPPED_RING8 } from "../helpers/fixtures.ts";

Deno.test("counters, histograms and gauges in the text exposition format", () => {
  const requests = new Counter("requests_total", "Requests.");
  requests.inc({ route: "/a", status: "200" });
  requests.inc({ route: "/a", status: "200" });
  requests.inc({ route: 'say "hi"\\\n', status: "404" });
  const latency = new Histogram("latency_seconds", "Latency.", [0.1, 1]);
  latency.observe(0.05, { route: "/a" });
  latency.observe(0.5, { route: "/a" });
  latency.observe(3, { route: "/a" });
  const heap = new Gauge("heap_bytes", "Heap.", () => 42);
  assert.equal(
    exposition([requests, latency, heap]),
    [
      "# HELP requests_total Requests.",
      "# TYPE requests_total counter",
      'requests_total{route="/a",status="200"} 2',
      'requests_total{route="say \\"hi\\"\\\\\\n",status="404"} 1',
      "# HELP latency_seconds Latency.",
      "# TYPE latency_seconds histogram",
      'latency_seconds_bucket{route="/a",le="0.1"} 1',
      'latency_seconds_bucket{route="/a",le="1"} 2',
      'latency_seconds_bucket{route="/a",le="+Inf"} 3',
      'latency_seconds_sum{route="/a"} 3.55',
      'latency_seconds_count{route="/a"} 3',
      "# HELP heap_bytes Heap.",
      "# TYPE heap_bytes gauge",
      "heap_bytes 42",
      "",
    ].join("\n"),
  );
});

const sampler = await loadSampler(SHIPPED_RING8);

Deno.test("every response has an X-Request-Id; a client's sane one is kept", async () => {
  const app = createApp(sampler);
  const ids = new Set();
  for (const path of ["/v1/sample?seed=1", "/nope", "/v1/sample?n=0"]) {
    const res = await app.request(path);
    await res.body?.cancel();
    assert.match(res.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/, path);
    ids.add(res.headers.get("x-request-id"));
  }
  assert.equal(ids.size, 3);
  const mine = await app.request("/healthz", { headers: { "x-request-id": "trace-42" } });
  assert.equal(mine.headers.get("x-request-id"), "trace-42");
  const odd = await app.request("/healthz", { headers: { "x-request-id": "a b<script>" } });
  assert.match(odd.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
});

Deno.test("one JSON access-log line per request: time, id, method, route, status, ms", async () => {
  const lines: string[] = [];
  const app = createApp(sampler, DEFAULT_CONFIG, { log: (line) => lines.push(line) });
  const requests: [string, RequestInit, string, number][] = [
    ["/v1/sample?seed=1&n=2", {}, "/v1/sample", 200],
    ["/v1/sample?sede=1", {}, "/v1/sample", 400],
    ["/nope", {}, "(unmatched)", 404],
    ["/v1/sample", { method: "PUT" }, "(unmatched)", 405],
    ["/v1/sample", { method: "BREW" }, "(unmatched)", 405],
  ];
  for (const [path, init] of requests) await (await app.request(path, init)).body?.cancel();
  assert.equal(lines.length, requests.length);
  lines.forEach((line, i) => {
    const entry = JSON.parse(line);
    const [, init, route, status] = requests[i];
    assert.deepEqual(Object.keys(entry), ["time", "id", "method", "route", "status", "ms"]);
    assert.ok(Math.abs(Date.parse(entry.time) - Date.now()) < 60_000);
    assert.match(entry.id, /^[0-9a-f-]{36}$/);
    assert.equal(entry.method, init.method === "BREW" ? "other" : init.method ?? "GET");
    assert.deepEqual([entry.route, entry.status], [route, status]);
    assert.ok(entry.ms >= 0 && entry.ms < 10_000);
  });
});

Deno.test("GET /metrics: requests and latency by method, route and status, forward passes, tensors, heap", async () => {
  const app = createApp(sampler);
  for (const path of ["/v1/sample?seed=1", "/v1/sample?seed=2", "/v1/sample?n=0", "/nope"]) {
    await (await app.request(path)).body?.cancel();
  }
  const res = await app.request("/metrics");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const text = await res.text();
  const value = (series: string) => {
    const line = text.split("\n").find((l) => l.startsWith(`${series} `));
    assert.ok(line, `no ${series} in\n${text}`);
    return Number(line.slice(series.length + 1));
  };
  const ok = 'method="GET",route="/v1/sample",status="200"';
  assert.equal(value(`gan_edge_http_requests_total{${ok}}`), 2);
  assert.equal(
    value('gan_edge_http_requests_total{method="GET",route="/v1/sample",status="400"}'),
    1,
  );
  assert.equal(
    value('gan_edge_http_requests_total{method="GET",route="(unmatched)",status="404"}'),
    1,
  );
  assert.equal(value(`gan_edge_http_request_duration_seconds_count{${ok}}`), 2);
  assert.equal(value(`gan_edge_http_request_duration_seconds_bucket{${ok},le="+Inf"}`), 2);
  assert.ok(value(`gan_edge_http_request_duration_seconds_sum{${ok}}`) > 0);
  // Two forward passes (the bad request never reached the model).
  assert.equal(value("gan_edge_forward_pass_seconds_count"), 2);
  assert.equal(value("gan_edge_tensors"), tf.memory().numTensors);
  assert.ok(value("gan_edge_heap_used_bytes") > 1e6);
  assert.ok(value("process_resident_memory_bytes") > 1e6);
  assert.equal(
    value(`gan_edge_model_info{model="${sampler.hash.slice(0, 12)}",backend="wasm"}`),
    1,
  );
});

Deno.test("GET /readyz: 200 while taking traffic, 503 while draining; /healthz stays 200", async () => {
  let ready = true;
  const app = createApp(sampler, DEFAULT_CONFIG, { ready: () => ready });
  const status = async (path: string) => {
    const res = await app.request(path);
    assert.equal(res.headers.get("cache-control"), "no-store");
    return [res.status, (await res.json()).status];
  };
  assert.deepEqual(await status("/readyz"), [200, "ready"]);
  ready = false;
  assert.deepEqual(await status("/readyz"), [503, "draining"]);
  assert.deepEqual(await status("/healthz"), [200, "ok"]);
});

Deno.test("health checks and scrapes are not rate limited", async () => {
  const app = createApp(sampler, { ...DEFAULT_CONFIG, rateLimit: 1 });
  for (let i = 0; i < 3; i++) {
    for (const path of ["/healthz", "/readyz", "/metrics"]) {
      const res = await app.request(path);
      await res.body?.cancel();
      assert.equal(res.status, 200, path);
    }
  }
});
