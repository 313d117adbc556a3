/**
 * The edge as a real process facing broken and hostile clients at the
 * connection level: malformed chunked framing, aborted uploads, stalled
 * bodies, half-open connections, running out of file descriptors. Each gets
 * a clean problem+json (or a closed connection), the log holds no stack
 * trace, and the server keeps serving. And with OTEL_DENO=true, it sends
 * OpenTelemetry spans to a collector.
 */
import assert from "node:assert/strict";
import { NARROW, rawExchange, ROOT, start } from "../helpers/edge_server.ts";

const startEdge = (env: Record<string, string> = {}) =>
  start(Deno.execPath(), [
    "run",
    ...NARROW,
    "edge/serve.ts",
    "--hostname",
    "127.0.0.1",
    "--port",
    "0",
  ], { MODEL_DIR: `${ROOT}/edge/models/ring8`, ...env });

const POST_HEAD = "POST /v1/sample HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
/** A line of a stack trace, as Deno prints them. */
const STACK = /^\s+at .*:\d+:\d+\)?$/m;

/** Status line and problem body of a raw HTTP response. */
function parse(text: string) {
  const [head, body] = text.split("\r\n\r\n");
  return { status: Number(head.split(" ")[1]), head, body };
}

Deno.test("malformed chunked framing and aborted uploads: a 400 problem or a closed connection, no stack trace", async () => {
  const server = await startEdge();
  try {
    // A chunk-size line that is not hex, after a good chunk: the body stream fails mid-read.
    const malformed = await rawExchange(server.url, [
      `${POST_HEAD}Transfer-Encoding: chunked\r\n\r\n`,
      '3\r\n{"z\r\n',
      "zz\r\nabc\r\n0\r\n\r\n",
    ], { gapMs: 200 });
    // Deno answers with the app's 400, or (when its parser gives up on the
    // connection first, as happens under load) closes it: never a 500.
    if (malformed.text !== "" || !malformed.closed) {
      const { status, head, body } = parse(malformed.text);
      assert.equal(status, 400, malformed.text);
      assert.match(head, /content-type: application\/problem\+json/i);
      assert.deepEqual(JSON.parse(body).param, "body");
      assert.match(JSON.parse(body).detail, /body: could not be read/);
    }
    // An upload the client gives up on: with Content-Length, and chunked.
    for (
      const headers of ["Content-Length: 100\r\n\r\n", "Transfer-Encoding: chunked\r\n\r\n5\r\n"]
    ) {
      await rawExchange(server.url, [`${POST_HEAD}${headers}`, '{"z"'], {
        gapMs: 200,
        waitMs: 300,
      });
    }
    await new Promise((r) => setTimeout(r, 300));
    const ok = await fetch(`${server.url}v1/sample`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ z: [Array(8).fill(0)] }),
    });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
    // Nothing reads request.signal, so Deno has no legacy-abort warning to give.
    assert.doesNotMatch(server.log(), /request\.signal/);
    assert.doesNotMatch(server.log(), STACK);
    assert.doesNotMatch(server.log(), /BadResource|invalid HTTP/);
  } finally {
    await server.stop();
  }
});

Deno.test("a body that stops arriving gets a 408 problem after BODY_TIMEOUT_MS, and its connection closes", async () => {
  const server = await startEdge({ BODY_TIMEOUT_MS: "500", REQUEST_TIMEOUT_MS: "5000" });
  try {
    const t0 = performance.now();
    const stalled = await rawExchange(server.url, [
      `${POST_HEAD}Content-Length: 100\r\n\r\n{"z": [[`,
    ], { waitMs: 1_500 });
    const ms = performance.now() - t0;
    const { status, body } = parse(stalled.text);
    assert.equal(status, 408, stalled.text);
    assert.equal(JSON.parse(body).param, "body");
    assert.match(JSON.parse(body).detail, /body: not received within 500 ms/);
    assert.ok(ms > 450 && ms < 2_000, `${ms} ms`);
    // Deno keeps a connection whose request body is unfinished; the guard ends it.
    assert.ok(stalled.closed, "the connection is closed after the 408");
    assert.doesNotMatch(server.log(), STACK);
  } finally {
    await server.stop();
  }
});

Deno.test("half-open connections are closed after HEADER_TIMEOUT_MS and IDLE_TIMEOUT_MS", async () => {
  const server = await startEdge({ HEADER_TIMEOUT_MS: "500", IDLE_TIMEOUT_MS: "1000" });
  try {
    const time = async (parts: string[]) => {
      const t0 = performance.now();
      const { closed, text } = await rawExchange(server.url, parts, { waitMs: 4_000 });
      return { closed, text, ms: performance.now() - t0 };
    };
    const halfHead = await time(["GET /healthz HTTP/1.1\r\nHost: x\r\n"]);
    assert.ok(halfHead.closed && halfHead.ms < 2_000, `half a head: ${JSON.stringify(halfHead)}`);
    const idle = await time(["GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"]);
    assert.match(idle.text, /^HTTP\/1.1 200 OK/);
    assert.ok(idle.closed && idle.ms > 900 && idle.ms < 3_000, `idle: ${idle.ms} ms`);
  } finally {
    await server.stop();
  }
});

Deno.test("out of file descriptors (ulimit -n 128, 400 connections), the server lowers its cap and keeps serving", async () => {
  // Lowering one's own open-file limit needs no privilege.
  const server = await start("bash", [
    "-c",
    `ulimit -n 128 && exec "$0" "$@"`,
    Deno.execPath(),
    "run",
    ...NARROW,
    "edge/serve.ts",
    "--hostname",
    "127.0.0.1",
    "--port",
    "0",
  ], { MODEL_DIR: `${ROOT}/edge/models/ring8`, HEADER_TIMEOUT_MS: "1000", ACCESS_LOG: "0" });
  try {
    const port = Number(new URL(server.url).port);
    for (let round = 0; round < 2; round++) {
      const held: Deno.Conn[] = [];
      for (let i = 0; i < 400; i++) {
        try {
          held.push(await Deno.connect({ hostname: "127.0.0.1", port }));
        } catch { /* the kernel's queue is full: fine */ }
      }
      await new Promise((r) => setTimeout(r, 500));
      held.forEach((c) => c.close());
      await new Promise((r) => setTimeout(r, 1_500)); // the header timeout frees the rest
      const res = await fetch(`${server.url}v1/sample?seed=${round}`);
      assert.equal(res.status, 200, `round ${round}`);
      await res.body?.cancel();
    }
    assert.match(server.log(), /out of file descriptors .*; connection cap lowered to \d+/);
    assert.doesNotMatch(server.log(), /Uncaught|error: /);
  } finally {
    await server.stop();
  }
});

Deno.test("with OTEL_DENO=true the edge sends a span per request to the OTLP collector", async () => {
  const spans: { name: string; attributes: { key: string; value: Record<string, unknown> }[] }[] =
    [];
  const collector = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    if (new URL(req.url).pathname === "/v1/traces") {
      const body = await req.json();
      for (const resource of body.resourceSpans ?? []) {
        for (const scope of resource.scopeSpans ?? []) spans.push(...scope.spans ?? []);
      }
    } else await req.body?.cancel();
    return Response.json({});
  });
  const server = await startEdge({
    OTEL_DENO: "true",
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collector.addr.port}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_SERVICE_NAME: "gan-edge",
  });
  try {
    const res = await fetch(`${server.url}v1/sample?seed=4`);
    assert.equal(res.status, 200);
    await res.body?.cancel();
    const deadline = Date.now() + 20_000;
    const served = () =>
      spans.find((s) =>
        s.attributes.some((a) => a.key === "url.path" && a.value.stringValue === "/v1/sample")
      );
    while (!served() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const span = served();
    assert.ok(span, `no span for /v1/sample among ${JSON.stringify(spans.map((s) => s.name))}`);
    const status = span.attributes.find((a) => a.key === "http.response.status_code");
    assert.equal(Number(status?.value.stringValue ?? status?.value.intValue), 200);
  } finally {
    await server.stop();
    await collector.shutdown();
  }
});

Deno.test("SIGTERM drains: a request in flight finishes, then the server exits 0", async () => {
  const server = await startEdge({
    ACCESS_LOG: "0",
    MODEL_DIR: `${ROOT}/edge/models/fashion-mnist`,
  });
  try {
    // 64 Fashion-MNIST images take a while: still running when SIGTERM comes.
    const inFlight = rawExchange(server.url, [
      "GET /v1/sample?seed=1&n=64&format=png HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ], { waitMs: 10_000 });
    await new Promise((r) => setTimeout(r, 100));
    Deno.kill(server.pid, "SIGTERM");
    const { text, closed } = await inFlight;
    assert.match(text, /^HTTP\/1.1 200 OK/);
    assert.ok(closed);
    assert.equal((await server.status()).code, 0);
    assert.match(server.log(), /gan-edge: SIGTERM: draining/);
  } finally {
    await server.stop();
  }
});
