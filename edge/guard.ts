/**
 * A TCP guard in front of `Deno.serve`, for `deno task serve`: it holds the
 * public listener, and passes each connection's bytes to the app's server on
 * a loopback port, enforcing what `Deno.serve` cannot:
 * - a header-read timeout: a request's head (up to its blank line) must
 *   arrive within `headerTimeoutMs` of its first byte (of the connection,
 *   for the first request);
 * - an idle timeout: a connection with no request in flight closes after
 *   `idleTimeoutMs` without a byte;
 * - a cap of `maxConnections`: at the cap nothing more is accepted, so new
 *   connections wait in the kernel's queue until one closes;
 * - running out of file descriptors (EMFILE): accepting backs off and goes
 *   on, the cap is lowered to what the process could hold, and an app
 *   server whose own accept failed is started again.
 *
 * Why by hand: `Deno.serve` (Deno 2.9) has no header-read or idle timeout
 * (a connection that sends half a head stays open for good), no connection
 * cap, and on EMFILE its listener fails, failing the requests in flight and,
 * unhandled, exiting the process. node:http under Deno ignores
 * `headersTimeout` and stops answering after EMFILE. So the guard watches
 * bytes, not HTTP: it finds where heads end, and leaves parsing to Deno.
 *
 * The app sees each request's real client: {@link Guard.clientOf} maps the
 * loopback connection's port back to the client's address.
 *
 * @module
 */

/** The guard's limits. */
export interface GuardLimits {
  /** A request head must arrive within this many milliseconds. */
  headerTimeoutMs: number;
  /** A connection with no request in flight closes after this long silent. */
  idleTimeoutMs: number;
  /** Most connections open at once. */
  maxConnections: number;
}

/** Where to listen, and where the app's server is. */
export interface GuardOptions extends GuardLimits {
  hostname: string;
  port: number;
  /** The app's loopback server's port (asked per connection: it may restart). */
  upstreamPort: () => number;
  /** Where the guard reports refusals and recoveries (one line each). */
  log?: (line: string) => void;
}

/** A running guard. */
export interface Guard {
  /** The public address. */
  addr: Deno.NetAddr;
  /** Connections open now. */
  readonly open: number;
  /** The cap in force (lowered after EMFILE). */
  readonly maxConnections: number;
  /** The client behind the loopback connection from `port`, if it is the guard's. */
  clientOf(port: number): Deno.NetAddr | undefined;
  /**
   * Ends the connection behind loopback `port` once the app's server has sent
   * all it will (used after a response that says `Connection: close`, which
   * Deno does not honour while the request's body is unfinished).
   */
  end(port: number): void;
  /**
   * Lowers the cap below the connections open now, as the process just ran
   * out of file descriptors (`where` says doing what, for the log).
   */
  exhausted(where: string): void;
  /** Stops accepting; open connections finish or time out. */
  close(): void;
  /** Settles when the accept loop has stopped. */
  finished: Promise<void>;
}

/** The end of a request head. */
const CRLFCRLF = [13, 10, 13, 10];
/** HTTP/2's connection preface starts so; such a connection gets only the idle timeout. */
const H2_PREFACE = new TextEncoder().encode("PRI * HTTP/2.0");
/** An interim 100 response: the client will now send its body. */
const CONTINUE = new TextEncoder().encode("HTTP/1.1 100 ");

/** What one connection is waiting for. */
type Phase = "head" | "request" | "idle";

interface Connection {
  client: Deno.Conn;
  upstream?: Deno.Conn;
  phase: Phase;
  /** When the head being read began, or the connection went idle. */
  since: number;
  /** Bytes of CRLFCRLF matched at the end of what came so far. */
  matched: number;
  /** HTTP/2 with prior knowledge: heads are not visible, only idleness. */
  h2: boolean;
  first: boolean;
  closed: boolean;
}

const startsWith = (bytes: Uint8Array, prefix: Uint8Array) =>
  bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);

/** True for the error of a process out of file descriptors. */
export function isFdExhaustion(error: unknown): boolean {
  return /os error 2[34]\b|Too many open files/.test(String(error));
}

/** Starts a guard listening on `options.hostname:port`. */
export function startGuard(options: GuardOptions): Guard {
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const log = options.log ?? (() => {});
  const connections = new Set<Connection>();
  const clients = new Map<number, Connection>();
  let cap = options.maxConnections;
  let stopped = false;

  /** Most connections open at once since the cap last changed. */
  let highWater = 0;

  /** After EMFILE: hold fewer connections than the process just held. */
  const exhausted = (where: string) => {
    // A margin: the app's server needs a descriptor for each connection too.
    const lowered = Math.max(1, Math.floor(highWater * 0.8) - 2);
    highWater = connections.size;
    if (lowered < cap) {
      cap = lowered;
      log(
        `gan-edge: out of file descriptors (${where}); connection cap lowered to ${cap} ` +
          `(raise ulimit -n, or set MAX_CONNECTIONS lower)`,
      );
    }
  };

  const close = (c: Connection) => {
    if (c.closed) return;
    c.closed = true;
    for (const conn of [c.client, c.upstream]) {
      try {
        conn?.close();
      } catch { /* already closed */ }
    }
    if (c.upstream) clients.delete((c.upstream.localAddr as Deno.NetAddr).port);
    connections.delete(c);
    slotFreed.resolve();
    slotFreed = Promise.withResolvers<void>();
  };

  // One sweep for every connection's clocks: a few timers, not one per byte.
  const tick = Math.min(
    1000,
    Math.max(20, Math.min(options.headerTimeoutMs, options.idleTimeoutMs) / 10),
  );
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const c of connections) {
      const late = c.phase === "head" && now - c.since > options.headerTimeoutMs;
      const idle = c.phase === "idle" && now - c.since > options.idleTimeoutMs;
      if (late || idle) close(c);
    }
  }, tick);

  /** Client bytes: find where each head ends. */
  const fromClient = (c: Connection, bytes: Uint8Array) => {
    if (c.first) {
      c.first = false;
      c.h2 = startsWith(bytes, H2_PREFACE);
    }
    if (c.h2) return fromServer(c, bytes); // any byte is activity; heads are framed
    if (c.phase === "idle") {
      c.phase = "head";
      c.since = performance.now();
      c.matched = 0;
    }
    if (c.phase !== "head") return;
    for (const byte of bytes) {
      c.matched = byte === CRLFCRLF[c.matched] ? c.matched + 1 : byte === 13 ? 1 : 0;
      if (c.matched === 4) {
        c.phase = "request";
        return; // what follows is a body, or a pipelined request
      }
    }
  };

  /** Server bytes: a response means the request is answered. */
  const fromServer = (c: Connection, bytes: Uint8Array) => {
    if (startsWith(bytes, CONTINUE)) return;
    c.phase = "idle";
    c.since = performance.now();
  };

  /** Copies `from` to `to`; true when `from` ended cleanly, false on an error. */
  const pump = async (
    c: Connection,
    from: Deno.Conn,
    to: Deno.Conn,
    seen: (c: Connection, bytes: Uint8Array) => void,
  ) => {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (!c.closed) {
        const n = await from.read(buffer);
        if (n === null) return true;
        const bytes = buffer.subarray(0, n);
        seen(c, bytes);
        for (let sent = 0; sent < n;) sent += await to.write(bytes.subarray(sent));
      }
    } catch { /* a reset, or a connection closed under us */ }
    return false;
  };

  const serve = async (client: Deno.Conn) => {
    const c: Connection = {
      client,
      phase: "head",
      since: performance.now(),
      matched: 0,
      h2: false,
      first: true,
      closed: false,
    };
    connections.add(c);
    highWater = Math.max(highWater, connections.size);
    try {
      c.upstream = await Deno.connect({ hostname: "127.0.0.1", port: options.upstreamPort() });
    } catch (e) {
      if (isFdExhaustion(e)) exhausted("connecting to the app");
      return close(c);
    }
    if (c.closed) return close(c); // timed out while connecting
    clients.set((c.upstream.localAddr as Deno.NetAddr).port, c);
    const upstream = c.upstream;
    pump(c, client, upstream, fromClient).then((clean) => {
      // The client is done sending: tell the server, which answers, then closes.
      if (clean && !c.closed) upstream.closeWrite().catch(() => close(c));
      else close(c);
    });
    await pump(c, upstream, client, fromServer);
    close(c);
  };

  /** Settles when a connection closes: a slot under the cap may be free. */
  let slotFreed = Promise.withResolvers<void>();

  const accept = async () => {
    let backoff = 10;
    while (!stopped) {
      // At the cap, accept nothing: new connections wait in the kernel's
      // queue (the timeouts free slots), and take no file descriptor.
      if (connections.size >= cap) {
        await slotFreed.promise;
        continue;
      }
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (e) {
        if (stopped || e instanceof Deno.errors.BadResource) break;
        if (isFdExhaustion(e)) exhausted("accepting");
        else log(`gan-edge: accept failed (${(e as Error).message}); retrying`);
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(1000, backoff * 2);
        continue;
      }
      backoff = 10;
      serve(conn);
    }
    clearInterval(sweep);
  };
  const finished = accept();

  return {
    addr: listener.addr as Deno.NetAddr,
    get open() {
      return connections.size;
    },
    get maxConnections() {
      return cap;
    },
    clientOf: (port) => clients.get(port)?.client.remoteAddr as Deno.NetAddr | undefined,
    end(port) {
      const c = clients.get(port);
      if (!c || c.closed) return;
      // Half-close toward the server: it sends the rest, then closes, and
      // the guard closes the client once all of it is through.
      c.upstream?.closeWrite().catch(() => close(c));
      setTimeout(() => close(c), 1000);
    },
    exhausted,
    close() {
      stopped = true;
      listener.close();
      slotFreed.resolve();
    },
    finished,
  };
}

/** A guarded app server: the guard, and how to stop both. */
export interface GuardedServer {
  guard: Guard;
  /** Stops accepting, lets requests in flight finish, then settles. */
  shutdown(): Promise<void>;
}

/**
 * Serves `fetch` on a loopback `Deno.serve` behind a guard on
 * `options.hostname:port`. The handler sees the client's address (not the
 * guard's), and a response that says `Connection: close` ends its
 * connection once sent. Should the loopback server fail (its own accept
 * hitting EMFILE), it is started again, on a new port.
 */
export function serveGuarded(
  fetch: (
    request: Request,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
  ) => Response | Promise<Response>,
  options: Omit<GuardOptions, "upstreamPort">,
): GuardedServer {
  const log = options.log ?? (() => {});
  let stopping = false;
  const handler = async (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => {
    const port = info.remoteAddr.port;
    const response = await fetch(request, {
      remoteAddr: guard.clientOf(port) ?? info.remoteAddr,
      completed: info.completed,
    });
    if (response.headers.get("connection") === "close") {
      info.completed.catch(() => {}).finally(() => guard.end(port));
    }
    return response;
  };
  let delay = 0;
  const start = (): Deno.HttpServer<Deno.NetAddr> => {
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
    server.finished.catch((e) => {
      if (stopping) return;
      log(`gan-edge: the app's server failed (${(e as Error).message}); starting it again`);
      if (isFdExhaustion(e)) guard.exhausted("in the app's server");
      // Again at once; after a failure in quick succession, a little later.
      setTimeout(restart, delay);
      delay = Math.min(2000, Math.max(50, delay * 2));
      setTimeout(() => delay = 0, 10_000);
    });
    return server;
  };
  const restart = () => {
    try {
      inner = start();
    } catch (e) {
      log(`gan-edge: cannot start the app's server yet (${(e as Error).message})`);
      setTimeout(restart, 200);
    }
  };
  let inner = start();
  const guard = startGuard({ ...options, upstreamPort: () => inner.addr.port });
  return {
    guard,
    async shutdown() {
      stopping = true;
      guard.close();
      await inner.shutdown();
      await guard.finished;
      // The app's server has answered all; let the guard pass the last bytes on.
      while (guard.open > 0) await new Promise((r) => setTimeout(r, 10));
    },
  };
}
