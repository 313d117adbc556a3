/**
 * HTTP on loopback and peak memory, against real processes (run by main.ts):
 *
 * - cold start, from spawn to the first 200 response to
 *   GET /v1/sample?seed=1&format=png (median of several starts), of the
 *   server process itself (`deno run` with the serve task's flags, what Deno
 *   Deploy or a process manager runs: the figure held against the target) and
 *   of the `deno task serve` wrapper (for information), started in turn;
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
import type { Http, Load, Repeat, ServerMemory, TrainMemory } from "./schema.ts";
import { median } from "./stats.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const LUA = new URL("./wrk_report.lua", import.meta.url).pathname;

/**
 * The arguments of `deno` that run the server the way the "serve" task does
 * (`run`, its flags, the entry point), from the task's command; throws if the
 * command is not one plain `deno run`, so the bench never times something
 * else.
 */
export function serveProcessArgs(taskCommand: string): string[] {
  const words = taskCommand.trim().split(/\s+/);
  if (words[0] !== "deno" || words[1] !== "run" || /[&|;<>()$`'"\\]/.test(taskCommand)) {
    throw new Error(`serve task: expected one plain "deno run ...", got "${taskCommand}"`);
  }
  return words.slice(1);
}

/** The serve task's command in the root deno.json. */
function serveTaskCommand(): string {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const task = config.tasks.serve;
  return typeof task === "string" ? task : task.command;
}

/** A free TCP port on 127.0.0.1. */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** The commit checked out in `dir`, or null. */
function gitHead(dir: string): string | null {
  const out = new Deno.Command("git", { args: ["-C", dir, "rev-parse", "--short", "HEAD"] })
    .outputSync();
  return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
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
  /** The `deno run` process that serves (a child of `deno task`). */
  pid: number;
  coldStartMs: number;
  stop(): Promise<void>;
}

/**
 * How a server is started: the process itself, through `deno task serve`, or
 * the floor (hello_server.ts, a Deno HTTP server with no imports).
 */
type Launch = "process" | "task" | "floor";

const HELLO = new URL("./hello_server.ts", import.meta.url).pathname;

/**
 * Starts the server on `model` (`launch`: `deno run` with the serve task's
 * flags, or `deno task serve`) and waits for its first 200 sample.
 */
async function startServer(
  model: string,
  launch: Launch,
  timeoutMs = 30_000,
  cwd = ROOT,
): Promise<Server> {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const how = launch === "task"
    ? ["task", "serve", "--model", model]
    : launch === "floor"
    ? ["run", "--allow-net", HELLO]
    : [...serveProcessArgs(serveTaskCommand()), "--model", model];
  const args = [...how, "--port", String(port), "--hostname", "127.0.0.1"];
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd,
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
  const server = launch === "task" ? childrenOf(child.pid)[0] ?? child.pid : child.pid;
  const stop = async () => {
    for (const pid of new Set([server, child.pid])) {
      try {
        Deno.kill(pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    await child.status;
    await child.stderr.cancel();
  };
  if (Number.isNaN(coldStartMs)) {
    await stop();
    throw new Error(`deno ${args.join(" ")}: no 200 sample within ${timeoutMs} ms`);
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
  const result: Load = {
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
  return result;
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
 * Cold starts, `deno task serve`, the floor (hello_server.ts) and the server
 * process in turn (so that the machine's load weighs on all alike), then
 * load at concurrency 1, 32 and 32 again on the last server process, with
 * its memory after each.
 */
export async function benchHttp(
  model: string,
  options: {
    starts: number;
    seconds: number;
    maxRequests: number;
    repeats?: number;
    /**
     * Another checkout of this repository whose server also starts in turn
     * with ours (its edge/serve.ts, run from its folder with the same flags):
     * whether a slower cold start is our code or the machine.
     */
    baseline?: string;
  },
) {
  const viaTask: number[] = [];
  const direct: number[] = [];
  const floor: number[] = [];
  const baseline: number[] = [];
  let server: Server | undefined;
  for (let i = 0; i < options.starts; i++) {
    const task = await startServer(model, "task");
    viaTask.push(task.coldStartMs);
    await task.stop();
    const hello = await startServer(model, "floor");
    floor.push(hello.coldStartMs);
    await hello.stop();
    if (options.baseline) {
      const other = await startServer(model, "process", 30_000, options.baseline);
      baseline.push(other.coldStartMs);
      await other.stop();
    }
    server = await startServer(model, "process");
    direct.push(server.coldStartMs);
    if (i < options.starts - 1) await server.stop();
  }
  if (!server) throw new RangeError("benchHttp: expected at least one start");
  const memory: ServerMemory = { after_start: memoryOf(server.pid) };
  const load: Load[] = [];
  const repeats: Repeat[] = [];
  const wrkMissing = !hasWrk();
  try {
    if (wrkMissing) return coldStarts();
    load.push(await wrk(server.url, 1, options.seconds, options.maxRequests));
    memory.after_c1 = memoryOf(server.pid);
    load.push(await wrk(server.url, 32, options.seconds, options.maxRequests));
    memory.after_c32 = memoryOf(server.pid);
    // The same load again, `repeats` times, with the RSS after each: flat
    // memory means the peaks stop rising (report.ts memoryGrowth; V8's heap
    // grows for a few runs, then gives memory back, so single runs saw-tooth).
    for (let i = 0; i < Math.max(1, options.repeats ?? 1); i++) {
      const l = await wrk(server.url, 32, options.seconds, options.maxRequests);
      if (i === 0) load.push(l);
      repeats.push({ requests: l.requests, ...memoryOf(server.pid) });
    }
    memory.after_c32_again = repeats[0];
    memory.c32_repeats = repeats;
  } finally {
    await server.stop();
  }
  return {
    ...coldStarts(),
    load,
    memory,
    // What the measured server answered: its first sample, then wrk's.
    requests_total: [...load, ...repeats.slice(1)].reduce((n, l) => n + l.requests, 0) + 1,
  };

  function coldStarts(): Omit<Http, "model"> {
    return {
      /** The server process: the figure held against the cold-start target. */
      cold_start_ms: {
        median: median(direct),
        runs: direct,
        command: `deno ${serveProcessArgs(serveTaskCommand()).join(" ")}`,
      },
      /** The same through `deno task serve` (for information). */
      cold_start_task_ms: { median: median(viaTask), runs: viaTask, command: "deno task serve" },
      /** The floor: Deno's own start and an HTTP listener, no imports. */
      cold_start_floor_ms: {
        median: median(floor),
        runs: floor,
        command: "deno run --allow-net bench/hello_server.ts",
      },
      ...(options.baseline
        ? {
          cold_start_baseline_ms: {
            median: median(baseline),
            runs: baseline,
            checkout: options.baseline,
            commit: gitHead(options.baseline),
          },
        }
        : {}),
      load: [],
      ...(wrkMissing ? { load_not_measured: "wrk is not installed: apt-get install wrk" } : {}),
      memory,
      requests_total: 1,
    };
  }
}

/** kB from `/usr/bin/time -v`'s "Maximum resident set size (kbytes): N". */
export function maxRssKb(timeOutput: string): number | null {
  const m = timeOutput.match(/Maximum resident set size \(kbytes\):\s*(\d+)/);
  return m ? Number(m[1]) : null;
}

/** Peak RSS of a short conditional-DCGAN `deno task train` run on Fashion-MNIST. */
export async function benchTrainMemory(args: string[]): Promise<TrainMemory> {
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
