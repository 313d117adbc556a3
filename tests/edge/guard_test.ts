/**
 * The connection guard in front of Deno.serve (edge/guard.ts), in process:
 * header-read and idle timeouts, the connection cap, the client's address
 * as the app sees it, and closing after `Connection: close`.
 */
import assert from "node:assert/strict";
import { type GuardLimits, serveGuarded } from "@gan-edge/edge/guard";
import { rawExchange } from "../helpers/edge_server.ts";

const LIMITS: GuardLimits = { headerTimeoutMs: 400, idleTimeoutMs: 800, maxConnections: 64 };

/** A guarded server whose app answers with the client port it sees (or as `respond` says). */
function echoServer(
  limits: Partial<GuardLimits> = {},
  respond?: (request: Request) => Response | Promise<Response>,
) {
  const server = serveGuarded(
    (request, info) => respond?.(request) ?? new Response(String(info.remoteAddr.port)),
    { hostname: "127.0.0.1", port: 0, ...LIMITS, ...limits },
  );
  return { ...server, url: `http://127.0.0.1:${server.guard.addr.port}/` };
}

const GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

/** How long until the server closes a connection that sent `parts`. */
async function closesAfter(url: string, parts: string[], gapMs = 0) {
  const t0 = performance.now();
  const { closed, text } = await rawExchange(url, parts, { gapMs, waitMs: 5_000 });
  return { closed, ms: performance.now() - t0, text };
}

Deno.test("a head that never ends is closed after the header timeout, however slowly it trickles", async () => {
  const server = echoServer();
  try {
    for (
      const [parts, gap] of [
        [[""], 0], // connects, sends nothing
        [["GET / HTTP/1.1\r\n", "Host: x\r\n"], 0], // half a head
        [Array(20).fill("X"), 100], // one byte every 100 ms, for longer than the timeout
      ] as const
    ) {
      const { closed, ms, text } = await closesAfter(server.url, [...parts], gap);
      assert.ok(closed, `${JSON.stringify(parts)} still open`);
      assert.equal(text, "");
      assert.ok(ms >= 350 && ms < 2_500, `${JSON.stringify(parts)}: closed after ${ms} ms`);
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("a kept-alive connection is answered, then closed once idle for the idle timeout", async () => {
  const server = echoServer();
  try {
    const { closed, ms, text } = await closesAfter(server.url, [GET, GET], 200);
    assert.equal(text.match(/HTTP\/1.1 200 OK/g)?.length, 2, text);
    assert.ok(closed);
    assert.ok(ms >= 200 + 750 && ms < 3_000, `closed after ${ms} ms`);
  } finally {
    await server.shutdown();
  }
});

Deno.test("a request in flight longer than both timeouts is not cut", async () => {
  const server = echoServer({}, async () => {
    await new Promise((r) => setTimeout(r, 1_500));
    return new Response("slow");
  });
  try {
    const res = await fetch(server.url);
    assert.equal(await res.text(), "slow");
  } finally {
    await server.shutdown();
  }
});

Deno.test("at the connection cap, a new connection waits until one closes", async () => {
  const server = echoServer({ maxConnections: 2, headerTimeoutMs: 60_000 });
  try {
    const held = await Promise.all(
      [0, 1].map(() => Deno.connect({ port: server.guard.addr.port })),
    );
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(server.guard.open, 2);
    let answered = false;
    const waiting = fetch(server.url).then(async (r) => {
      answered = true;
      return await r.text();
    });
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(answered, false, "answered above the cap");
    held[0].close();
    assert.match(await waiting, /^\d+$/);
    held[1].close();
  } finally {
    await server.shutdown();
  }
});

Deno.test("the app sees the client's own address, not the guard's loopback connection", async () => {
  const server = echoServer();
  try {
    const conn = await Deno.connect({ port: server.guard.addr.port });
    await conn.write(
      new TextEncoder().encode(`GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    );
    const text = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
    assert.equal(text.split("\r\n\r\n")[1], String((conn.localAddr as Deno.NetAddr).port));
  } finally {
    await server.shutdown();
  }
});

Deno.test("a response with Connection: close ends the connection, even with its request body unfinished", async () => {
  const server = echoServer(
    { idleTimeoutMs: 60_000 },
    () => new Response("too slow", { status: 408, headers: { connection: "close" } }),
  );
  try {
    const { closed, ms, text } = await closesAfter(server.url, [
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{",
    ]);
    assert.match(text, /^HTTP\/1.1 408/);
    assert.match(text, /too slow$/);
    assert.ok(closed && ms < 1_500, `closed ${closed} after ${ms} ms`);
  } finally {
    await server.shutdown();
  }
});
