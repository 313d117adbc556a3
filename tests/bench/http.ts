/**
 * HTTP on loopback and peak memory, against real processes (run by main.ts):
 *
 * - cold start: `deno task serve` spawned to its first 200 response to
 *   GET /v1/sample?seed=…&format=png (median of several starts);
 * - load: Debian's `wrk` at concurrency 1 and 32 against 127.0.0.1, a new
 *   seed per request, for a fixed time with a cap on the request count
 *   (wrk_report.lua);
 * - the server's resident memory (VmRSS) after start, after each load run,
 *   and its peak (VmHWM), read from /proc;
 * - the peak resident memory of a short `deno task train` run
 *   (`/usr/bin/time -v`).
 *
 * @module
 */
import { readProc } from "./machine.ts";
import { median } from "./stats.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const LUA = new URL("./wrk_report.lua", import.meta.url).pathname;

/** A free TCP port on 127.0.0.1. */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** kB of `field` (VmRSS, VmHWM) of process `pid`, or null if it is gone. */
export function procStatusKb(status: string, field: string): number | null {
  const m = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
  return m ? Number(m[1]) : null;
}

function memoryOf(pid: number) {
  const status = readProc(`/proc/${pid}/status`);
  return { pid, rss_kb: procStatusKb(status, "VmRSS"), hwm_kb: procStatusKb(status, "VmHWM") };
}

/**
 * The child processes of `pid` (deno task runs the server as its child),
 * from every thread's /proc children list: the thread that forks need not be
 * the main one.
 */
function childrenOf(pid: number): number[] {
  const out = new Deno.Command("/bin/sh", {
    args: ["-c", `cat /proc/${pid}/task/*/children`],
    stdout: "piped",
    stderr: "null",
  }).outputSync();
  return new TextDecoder().decode(out.stdout).trim().split(/\s+/).filter(Boolean).map(Number);
}

interface Server {
  url: string;
  /** The `deno run` process that serves (child of `deno task`). */
  pid: number;
  coldStartMs: number;
  stop(): Promise<void>;
}

/** Starts `deno task serve --model DIR` and waits for its first 200 sample. */
async function startServer(model: string, timeoutMs = 30_000): Promise<Server> {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const task = new Deno.Command(Deno.execPath(), {
    args: ["task", "serve", "--model", model, "--port", String(port), "--hostname", "127.0.0.1"],
    cwd: ROOT,
    env: { RATE_LIMIT: "0" },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let coldStartMs = NaN;
  while (performance.now() - t0 < timeoutMs) {
    try {
      const r = await fetch(`${url}/v1/sample?seed=1&format=png`);
      await r.body?.cancel();
      if (r.status === 200) {
        coldStartMs = performance.now() - t0;
        break;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const server = childrenOf(task.pid)[0] ?? task.pid;
  const stop = async () => {
    for (const pid of [server, task.pid]) {
      try {
        Deno.kill(pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    await task.status;
    await task.stderr.cancel();
  };
  if (Number.isNaN(coldStartMs)) {
    await stop();
    throw new Error(`deno task serve --model ${model}: no 200 sample within ${timeoutMs} ms`);
  }
  return { url, pid: server, coldStartMs, stop };
}

/**
 * One wrk run of `seconds` (wrk's clock: its summary's duration is the -d
 * time), with at most `maxRequests` requests as a safety cap; a capped run
 * says so and its rate is a lower bound.
 */
async function wrk(url: string, connections: number, seconds: number, maxRequests: number) {
  const out = await new Deno.Command("wrk", {
    args: [
      "-t1",
      `-c${connections}`,
      `-d${seconds}s`,
      "--timeout",
      "10s",
      "-s",
      LUA,
      url,
    ],
    env: { BENCH_MAX_REQUESTS: String(maxRequests) },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const line = text.split("\n").find((l) => l.startsWith("{"));
  if (!out.success || !line) {
    throw new Error(`wrk failed: ${new TextDecoder().decode(out.stderr)}${text}`);
  }
  const r = JSON.parse(line);
  return {
    connections,
    seconds,
    requests: r.requests,
    capped: r.requests >= maxRequests,
    errors: r.errors,
    non2xx: r.non2xx,
    rps: r.requests / (r.duration_us / 1e6),
    p50_ms: r.p50_us / 1000,
    p90_ms: r.p90_us / 1000,
    p99_ms: r.p99_us / 1000,
  };
}

/** Whether Debian's wrk is installed. */
export function hasWrk(): boolean {
  try {
    return new Deno.Command("wrk", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().code !== 127;
  } catch {
    return false;
  }
}

/**
 * Cold starts, then load at concurrency 1, 32 and 32 again, with the
 * server's memory after each.
 */
export async function benchHttp(
  model: string,
  options: { starts: number; seconds: number; maxRequests: number },
) {
  const starts: number[] = [];
  for (let i = 0; i < options.starts - 1; i++) {
    const s = await startServer(model);
    starts.push(s.coldStartMs);
    await s.stop();
  }
  const server = await startServer(model);
  starts.push(server.coldStartMs);
  const memory: Record<string, unknown> = { after_start: memoryOf(server.pid) };
  const load = [];
  try {
    if (!hasWrk()) throw new Error("wrk is not installed (apt-get install wrk)");
    load.push(await wrk(server.url, 1, options.seconds, options.maxRequests));
    memory.after_c1 = memoryOf(server.pid);
    load.push(await wrk(server.url, 32, options.seconds, options.maxRequests));
    memory.after_c32 = memoryOf(server.pid);
    // The same load again: flat memory means no growth from here.
    load.push(await wrk(server.url, 32, options.seconds, options.maxRequests));
    memory.after_c32_again = memoryOf(server.pid);
  } finally {
    await server.stop();
  }
  return {
    cold_start_ms: { median: median(starts), runs: starts },
    load,
    memory,
    requests_total: load.reduce((n, l) => n + l.requests, 0) + options.starts,
  };
}

/** kB from `/usr/bin/time -v`'s "Maximum resident set size (kbytes): N". */
export function maxRssKb(timeOutput: string): number | null {
  const m = timeOutput.match(/Maximum resident set size \(kbytes\):\s*(\d+)/);
  return m ? Number(m[1]) : null;
}

/** Peak RSS of a short conditional-DCGAN `deno task train` run on Fashion-MNIST. */
export async function benchTrainMemory(args: string[]) {
  const out = await Deno.makeTempDir({ prefix: "gan-edge-bench-train-" });
  try {
    const t0 = performance.now();
    const r = await new Deno.Command("/usr/bin/time", {
      args: ["-v", Deno.execPath(), "task", "train", ...args, "--out", out],
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(r.stderr);
    return {
      command: `deno task train ${args.join(" ")} --out TMP`,
      exit_code: r.code,
      seconds: (performance.now() - t0) / 1000,
      max_rss_kb: maxRssKb(stderr),
      ...(r.code !== 0
        ? { error: stderr.split("\n").filter((l) => /error/i.test(l)).slice(0, 3).join(" | ") }
        : {}),
    };
  } finally {
    await Deno.remove(out, { recursive: true }).catch(() => {});
  }
}
