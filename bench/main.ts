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
import { parseFlagsOrExit } from "@gan-edge/cli";
import { version_core as tfjsVersion } from "@tensorflow/tfjs-core";
import * as ort from "onnxruntime-web";
import { runDenoChild } from "./child.ts";
import { benchHttp, benchTrainMemory } from "./http.ts";
import { benchMatmul } from "./limit.ts";
import { firstLine, loadAverage, machine } from "./machine.ts";
import { describePeer, probePeer } from "./peers.ts";
import { buildRows, markdownTable } from "./report.ts";
import {
  checkResults,
  Generator,
  type Measured,
  type Results,
  type RunOptions,
  SCHEMA,
} from "./schema.ts";
import { benchTrainer } from "./trainer.ts";
import { benchCommand, threadCounts } from "./config.ts";

const HERE = new URL(".", import.meta.url).pathname;

async function main() {
  const { flags } = parseFlagsOrExit(benchCommand, Deno.args);
  const out = flags.out ?? `${HERE}results.json`;
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
  await Deno.writeTextFile(out, JSON.stringify(results, null, 2) + "\n");
  console.log(header(results));
  console.log(markdownTable(results.table));
  if (!peer.available) console.log(`\n${describePeer(peer)}`);
  console.log(`\nwrote ${out} in ${results.seconds.toFixed(0)} s`);
}

/** The lines above the table: machine, load, versions, the peer and the threads. */
function header(r: Results): string {
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
