/**
 * `deno task bench`: our trainer, generator and server against their peers,
 * every figure measured in the same run; prints the table and writes
 * bench/results.json (schema.ts).
 *
 * Sections, each measure in processes of its own so that backends and peers
 * do not share a heap:
 * 0. limit (every run): GFLOP/s of a 512×512 float32 matmul in tfjs wasm and
 *    in the PyTorch peer at each thread count (limit.ts);
 * 1. trainer: one D+G step at batch 64 on wasm (and webgpu, cpu) against the
 *    PyTorch peer at each thread count (trainer.ts);
 * 2. generator: the edge's sampler against PyTorch eager and
 *    onnxruntime-web, size and fidelity per quantization, the 64×64
 *    transposed-convolution chain (generator.ts);
 * 3. http: cold start and wrk at concurrency 1 and 32 against the server on
 *    127.0.0.1 (http.ts);
 * 4. memory: the server under that load, and a short `deno task train`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { version_core as tfjsVersion } from "@tensorflow/tfjs-core";
import * as ort from "onnxruntime-web";
import { z } from "zod";
import { runDenoChild } from "./child.ts";
import { benchHttp, benchTrainMemory } from "./http.ts";
import { benchMatmul } from "./limit.ts";
import { firstLine, loadAverage, machine } from "./machine.ts";
import { describePeer, probePeer, PYTHON } from "./peers.ts";
import { buildRows, markdownTable } from "./report.ts";
import {
  BACKENDS,
  CASES,
  checkResults,
  Generator,
  type Measured,
  type Results,
  type RunOptions,
  SCHEMA,
  SECTIONS,
} from "./schema.ts";
import { benchTrainer } from "./trainer.ts";

const HERE = new URL(".", import.meta.url).pathname;

/** The command line: every flag, its default and its help line. */
export const BenchFlags = z.object({
  quick: z.boolean().default(false).describe(
    "few runs and one round: a smoke test, not figures to quote",
  ),
  only: z.array(z.enum(SECTIONS)).default([...SECTIONS]).describe(
    "sections to run (the 512×512 matmul limit runs always)",
  ),
  cases: z.array(z.enum(CASES)).default([...CASES]).describe("trainer cases to run"),
  backends: z.array(z.enum(BACKENDS)).default([...BACKENDS]).describe(
    "tfjs backends of the trainer section",
  ),
  threads: z.array(z.int().positive()).optional().describe(
    "thread counts of the limit and trainer sections (default: 1 and every core)",
  ).meta({ default: "1,CORES" }),
  python: z.string().default(PYTHON).describe(
    "the Python that runs the PyTorch peer (it needs torch and numpy)",
  ).meta({ value: "PATH" }),
  "blas-dir": z.string().optional().describe(
    "a folder with a libblas.so.3 the peer loads instead of the system's",
  ).meta({ value: "DIR" }),
  out: z.string().default(`${HERE}results.json`).describe("where results.json goes")
    .meta({ value: "FILE" }),
  trained: z.string().optional().describe(
    "a float32 generator folder (e.g. a run's checkpoints/latest/generator), read only, " +
      "measured too",
  ).meta({ value: "DIR" }),
  "cold-baseline": z.string().optional().describe(
    "another checkout whose server starts in turn with ours",
  ).meta({ value: "DIR" }),
});
export type BenchFlags = z.infer<typeof BenchFlags>;

/** The thread counts to measure: 1 and every core, unless given. */
export function threadCounts(given: readonly number[] | undefined, cores: number): number[] {
  return [...new Set(given ?? [1, cores])].sort((a, b) => a - b);
}

/** The command line, validated (temporary parser until the shared CLI layer lands). */
function readFlags(args: string[]): BenchFlags {
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: "boolean" },
      only: { type: "string" },
      cases: { type: "string" },
      backends: { type: "string" },
      threads: { type: "string" },
      python: { type: "string" },
      "blas-dir": { type: "string" },
      out: { type: "string" },
      trained: { type: "string" },
      "cold-baseline": { type: "string" },
    },
  });
  const list = (s: string | undefined) => s?.split(",");
  return BenchFlags.parse({
    ...values,
    only: list(values.only),
    cases: list(values.cases),
    backends: list(values.backends),
    threads: list(values.threads)?.map(Number),
  });
}

async function main() {
  const flags = readFlags(Deno.args);
  const baseline = flags["cold-baseline"];
  if (baseline && !(await Deno.stat(`${baseline}/edge/serve.ts`).catch(() => null))) {
    console.error(
      `error: --cold-baseline: expected a checkout of gan-edge (with edge/serve.ts), got "${baseline}"`,
    );
    Deno.exit(2);
  }
  const only = new Set(flags.only);
  const quick = flags.quick;
  const started = performance.now();
  const log = (s: string) =>
    console.error(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${s}`);
  const loadStart = loadAverage();
  const host = machine();
  const threads = threadCounts(flags.threads, host.cores);
  const options: RunOptions = {
    quick,
    only: flags.only,
    cases: flags.cases,
    backends: flags.backends,
    threads,
    python: flags.python,
    blas_dir: flags["blas-dir"] ?? null,
    trained: flags.trained ?? null,
  };
  const peer = await probePeer(flags.python, flags["blas-dir"]);
  log(`machine: ${JSON.stringify(host)}, load ${loadStart.join(" ")}`);
  log(describePeer(peer));
  const tmp = await Deno.makeTempDir({ prefix: "gan-edge-bench-" });
  const measured: Omit<Measured, "machine" | "seconds" | "matmul"> = {
    schema: SCHEMA,
    date: new Date().toISOString(),
    command: `deno task bench ${Deno.args.join(" ")}`.trim(),
    options,
    versions: {
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      typescript: Deno.version.typescript,
      tfjs: tfjsVersion,
      onnxruntime_web: ort.env.versions.web ?? null,
      wrk: await firstLine("wrk", ["--version"]),
    },
    peer,
    trainer: null,
    generator: null,
    http: null,
    memory: { server: null, train: null },
  };
  const matmul = await benchMatmul(threads, peer, {
    rounds: quick ? 1 : 3,
    runs: quick ? 10 : 30,
    log,
  });
  try {
    if (only.has("trainer")) {
      measured.trainer = await benchTrainer({
        cases: flags.cases,
        backends: flags.backends,
        threads,
        peer,
        quick,
        log,
      });
    }
    if (only.has("generator") || only.has("http")) {
      log("generator: edge sampler, PyTorch, onnxruntime-web, quantizations, 64×64 chain");
      const r = await runDenoChild([
        `${HERE}generator.ts`,
        "--dir",
        tmp,
        "--runs",
        String(quick ? 10 : 40),
        "--warmup",
        "5",
        "--peer",
        JSON.stringify(peer),
        ...(flags.trained ? ["--trained", flags.trained] : []),
      ]);
      if (r.error) throw new Error(`generator.ts: ${r.error}`);
      measured.generator = Generator.parse(r.last);
    }
    if (only.has("http")) {
      log("http: cold start, wrk at concurrency 1 and 32");
      const h = await benchHttp(`${tmp}/dcgan-cond`, {
        starts: quick ? 2 : 5,
        seconds: quick ? 3 : 8,
        maxRequests: 20_000,
        repeats: quick ? 1 : 8,
        baseline,
      });
      measured.http = { model: "dcgan28 w32 cond (random weights, float16)", ...h };
      measured.memory.server = { requests: h.requests_total, ...h.memory };
    }
    if (only.has("memory")) {
      log("memory: a short training run");
      measured.memory.train = await benchTrainMemory([
        "--dataset",
        "fashion-mnist",
        "--conditional",
        "--width",
        "32",
        "--steps",
        quick ? "3" : "20",
        "--epoch-steps",
        quick ? "3" : "20",
        "--backend",
        "wasm",
      ]);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
  const done: Measured = {
    ...measured,
    matmul,
    machine: { ...host, loadavg_start: loadStart, loadavg_end: loadAverage() },
    seconds: (performance.now() - started) / 1000,
  };
  const results: Results = { ...done, table: buildRows(done) };
  const problems = checkResults(results);
  if (problems.length) {
    throw new Error(`results.json does not fit its schema: ${problems.join("; ")}`);
  }
  await Deno.writeTextFile(flags.out, JSON.stringify(results, null, 2) + "\n");
  console.log(header(results));
  console.log(markdownTable(results.table));
  console.log(`\nwrote ${flags.out} in ${results.seconds.toFixed(0)} s`);
}

/** The lines above the table: machine, load, versions, the peer and the threads. */
export function header(r: Results): string {
  const m = r.machine;
  const v = Object.entries(r.versions).map(([k, x]) => `${k} ${x}`).join(", ");
  return [
    `gan-edge bench, ${r.date}: ${r.command}`,
    `machine: ${m.cpu}, ${m.cores} cores; load average ${m.loadavg_start.join(" ")} at start, ` +
    `${m.loadavg_end.join(" ")} at end`,
    `versions: ${v}`,
    `peer: ${describePeer(r.peer)}`,
    `threads: ${r.options.threads.join(" and ")} (ours and the peer alike in every ratio)`,
    "",
  ].join("\n");
}

if (import.meta.main) await main();
