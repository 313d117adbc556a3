/**
 * The physical limit, on our side: GFLOP/s of a 512×512 float32 matmul in
 * tfjs wasm (the trainer's backend, trainer/backend.ts), in a process of its
 * own (run by limit.ts). tfjs-backend-wasm runs one thread in Deno, so N
 * threads are N Workers, each with its own wasm backend and its own
 * matrices, started together after their warm-up: the rate the machine
 * gives data-parallel wasm on N cores. GFLOP/s = N · 2·size³ ÷ the median
 * call (the median resists a burst of load on a shared machine). Prints one
 * JSON object.
 *
 * Run: deno run -A bench/matmul.ts --threads 1 [--size 512] [--runs 50] [--warmup 5]
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { MatmulSide } from "./schema.ts";
import { summarize } from "./stats.ts";

/** GFLOP/s of `threads` size×size matmuls at once, each taking `ms`. */
export function gflops(size: number, threads: number, ms: number): number {
  return (threads * 2 * size ** 3) / (ms * 1e6);
}

/** What a Worker reports: its timed calls' milliseconds. */
interface WorkerTimes {
  ms: number[];
}

/** Inside a Worker: start wasm, multiply, report. */
async function worker(size: number, runs: number, warmup: number) {
  const tf = await import("@tensorflow/tfjs");
  const { selectBackend } = await import("../trainer/backend.ts");
  await selectBackend("wasm");
  const a = tf.randomNormal([size, size]);
  const b = tf.randomNormal([size, size]);
  const call = () => {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  };
  for (let i = 0; i < warmup; i++) call();
  const self = globalThis as unknown as Worker;
  self.postMessage("ready");
  await new Promise((go) => self.onmessage = go);
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    call();
    ms.push(performance.now() - t0);
  }
  self.postMessage({ ms } satisfies WorkerTimes);
}

/** N Workers multiply at once; returns the aggregate rate. */
export async function wasmMatmul(
  threads: number,
  size: number,
  runs: number,
  warmup: number,
): Promise<MatmulSide> {
  const url = new URL(import.meta.url);
  url.search = `?worker&size=${size}&runs=${runs}&warmup=${warmup}`;
  const workers = Array.from({ length: threads }, () => new Worker(url, { type: "module" }));
  const next = (w: Worker) =>
    new Promise<unknown>((resolve, reject) => {
      w.onmessage = (e) => resolve(e.data);
      w.onerror = (e) => reject(new Error(`matmul worker: ${e.message}`));
    });
  try {
    await Promise.all(workers.map(next));
    const done = workers.map(next);
    const t0 = performance.now();
    for (const w of workers) w.postMessage("go");
    const times = (await Promise.all(done)) as WorkerTimes[];
    const seconds = (performance.now() - t0) / 1000;
    const call = summarize(times.flatMap((t) => t.ms));
    return { threads, gflops: gflops(size, threads, call.p50), call, seconds };
  } finally {
    for (const w of workers) w.terminate();
  }
}

if (import.meta.main) {
  const params = new URL(import.meta.url).searchParams;
  if (params.has("worker")) {
    await worker(
      Number(params.get("size")),
      Number(params.get("runs")),
      Number(params.get("warmup")),
    );
  } else {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        threads: { type: "string", default: "1" },
        size: { type: "string", default: "512" },
        runs: { type: "string", default: "50" },
        warmup: { type: "string", default: "5" },
      },
    });
    const r = await wasmMatmul(
      Number(values.threads),
      Number(values.size),
      Number(values.runs),
      Number(values.warmup),
    );
    console.log(JSON.stringify(r));
  }
}
