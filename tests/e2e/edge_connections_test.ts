/**
 * The edge as a real process facing broken and hostile clients at the
 * connection level: malformed chunked framing, aborted uploads, stalled
 * bodies. Each gets a clean problem+json (or a closed connection), the log
 * holds no stack trace, and the server keeps serving.
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
    const { status, head, body } = parse(malformed.text);
    assert.equal(status, 400, malformed.text);
    assert.match(head, /content-type: application\/problem\+json/i);
    assert.deepEqual(JSON.parse(body).param, "body");
    assert.match(JSON.parse(body).detail, /body: could not be read/);
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

Deno.test("a body that stops arriving gets a 408 problem after BODY_TIMEOUT_MS", async () => {
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
    assert.doesNotMatch(server.log(), STACK);
  } finally {
    await server.stop();
  }
});
