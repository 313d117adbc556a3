/**
 * Benchmarks of the wasm kernels (kernels/), every figure a median over runs after
 * warm-up, measured in the same process:
 *
 * 1. `Conv2DBackpropInput` (transposed convolution) alone: the stock wasm
 *    kernel against ours, on the DCGAN's shapes at batch 1 and 64, with the
 *    largest relative difference between the two;
 * 2. the DCGAN generator at batch 1 on wasm, stock against ours;
 * 3. one DCGAN D+G training step (Adam, batch 64) on wasm with our kernels,
 *    on the cpu backend and on webgpu.
 *
 * Run: deno run -A bench/wasm_kernels.ts [--runs N] [--warmup N]
 *        [--cpu-runs N] [--backends wasm,cpu,webgpu] [--json FILE]
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { register as registerKernels } from "@gan-edge/kernels/training";
import { median, timeSamples } from "./stats.ts";
import {
  type ArchitectureSpec,
  buildDiscriminator,
  buildGenerator,
} from "../trainer/architectures.ts";

setWasmPaths(
  new URL(".", import.meta.resolve("@tensorflow/tfjs-backend-wasm")).href,
);
tf.enableProdMode();

export interface BenchOptions {
  runs: number;
  warmup: number;
  /** Runs of the (slow) cpu backend's training step. */
  cpuRuns: number;
  backends: string[];
}

type Shape4 = [number, number, number, number];

interface Timing {
  median: number;
  p90: number;
  runs: number;
}

function summarize(ms: number[]): Timing {
  const s = [...ms].sort((a, b) => a - b);
  return {
    median: median(s),
    p90: s[Math.min(s.length - 1, Math.floor(0.9 * s.length))],
    runs: s.length,
  };
}

async function time(
  f: () => Promise<void> | void,
  runs: number,
  warmup: number,
): Promise<Timing> {
  return summarize(await timeSamples(f, runs, warmup));
}

const round = (x: number, d = 2) => Number(x.toFixed(d));

/** Runs `f`, reads its result back (so that the work is done), frees it. */
function readBack(f: () => tf.Tensor): void {
  const out = f();
  out.dataSync();
  out.dispose();
}

/** The generator/discriminator pair the step is timed on. */
export function benchSpec(): ArchitectureSpec {
  return {
    id: "dcgan",
    latentDim: 100,
    output: { kind: "image", height: 28, width: 28, channels: 1, range: [-1, 1] },
    width: 32,
    dropout: 0.3,
    numClasses: 10,
    minibatchStd: true,
  };
}

/** Transposed convolutions of G: dy, filter [K, K, out, in], output. */
const DECONVS: { dy: Shape4; filter: Shape4; out: Shape4 }[] = [];
for (const n of [1, 64]) {
  DECONVS.push(
    // 28×28 DCGAN, width 64 (7 → 14 → 28)
    { dy: [n, 7, 7, 128], filter: [4, 4, 64, 128], out: [n, 14, 14, 64] },
    { dy: [n, 14, 14, 64], filter: [4, 4, 1, 64], out: [n, 28, 28, 1] },
    // 32×32 DCGAN, width 64 (4 → 8 → 16 → 32, RGB)
    { dy: [n, 4, 4, 256], filter: [4, 4, 128, 256], out: [n, 8, 8, 128] },
    { dy: [n, 8, 8, 128], filter: [4, 4, 64, 128], out: [n, 16, 16, 64] },
    { dy: [n, 16, 16, 64], filter: [4, 4, 3, 64], out: [n, 32, 32, 3] },
  );
}

/** A 4-layer transposed-convolution chain to 64×64 (issue 7's case). */
const CHAIN: { filter: Shape4; out: Shape4 }[] = [
  { filter: [4, 4, 256, 512], out: [1, 8, 8, 256] },
  { filter: [4, 4, 128, 256], out: [1, 16, 16, 128] },
  { filter: [4, 4, 64, 128], out: [1, 32, 32, 64] },
  { filter: [4, 4, 3, 64], out: [1, 64, 64, 3] },
];

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return worst / (scale || 1);
}

async function benchDeconvs(o: BenchOptions) {
  await tf.setBackend("wasm");
  const rows = [];
  for (const c of DECONVS) {
    const dy = tf.randomNormal(c.dy);
    const w = tf.randomNormal(c.filter, 0, 0.05);
    const run = () => tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, c.out, 2, "same");
    const measure = async (fast: boolean) => {
      registerKernels({ fastConv2DBackpropInput: fast });
      const out = run();
      const values = out.dataSync() as Float32Array;
      out.dispose();
      const t = await time(() => readBack(run), o.runs, o.warmup);
      return { values, t };
    };
    const stock = await measure(false);
    const ours = await measure(true);
    rows.push({
      dy: c.dy.join("×"),
      out: c.out.join("×"),
      stock_ms: round(stock.t.median, 3),
      ours_ms: round(ours.t.median, 3),
      speedup: round(stock.t.median / ours.t.median),
      max_rel_diff: maxRelDiff(ours.values, stock.values),
    });
    tf.dispose([dy, w]);
  }
  // The 64×64 chain.
  const x0 = tf.randomNormal([1, 4, 4, 512]);
  const ws = CHAIN.map((c) => tf.randomNormal(c.filter, 0, 0.05));
  const chain = () =>
    tf.tidy(() =>
      CHAIN.reduce(
        (h, c, i) => tf.conv2dTranspose(h as tf.Tensor4D, ws[i] as tf.Tensor4D, c.out, 2, "same"),
        x0 as tf.Tensor,
      )
    );
  const chainTimes: Record<string, number> = {};
  const outs: Float32Array[] = [];
  for (const fast of [false, true]) {
    registerKernels({ fastConv2DBackpropInput: fast });
    const out = chain();
    outs.push(out.dataSync() as Float32Array);
    out.dispose();
    chainTimes[fast ? "ours" : "stock"] = (await time(
      () => readBack(chain),
      o.runs,
      o.warmup,
    )).median;
  }
  rows.push({
    dy: "chain 1×4×4×512",
    out: "1×64×64×3",
    stock_ms: round(chainTimes.stock, 3),
    ours_ms: round(chainTimes.ours, 3),
    speedup: round(chainTimes.stock / chainTimes.ours),
    max_rel_diff: maxRelDiff(outs[1], outs[0]),
  });
  tf.dispose([x0, ...ws]);
  return rows;
}

async function benchGenerator(o: BenchOptions) {
  await tf.setBackend("wasm");
  const rows = [];
  const specs: [string, ArchitectureSpec][] = [
    ["dcgan 28×28×1 width 32, conditional", benchSpec()],
    ["dcgan 32×32×3 width 64", {
      id: "dcgan",
      latentDim: 100,
      output: { kind: "image", height: 32, width: 32, channels: 3, range: [-1, 1] },
      width: 64,
      dropout: 0,
    }],
  ];
  for (const [name, spec] of specs) {
    const G = buildGenerator(spec);
    const inputs = spec.numClasses
      ? [tf.randomNormal([1, spec.latentDim]), tf.tensor2d([[3]])]
      : [tf.randomNormal([1, spec.latentDim])];
    const sample = () => tf.tidy(() => G.predict(inputs) as tf.Tensor);
    const result: Record<string, Timing> = {};
    for (const fast of [false, true]) {
      registerKernels({ fastConv2DBackpropInput: fast });
      result[fast ? "ours" : "stock"] = await time(
        () => readBack(sample),
        o.runs * 4,
        o.warmup * 4,
      );
    }
    rows.push({
      model: name,
      batch: 1,
      stock_ms: round(result.stock.median, 3),
      ours_ms: round(result.ours.median, 3),
      speedup: round(result.stock.median / result.ours.median),
    });
    tf.dispose(inputs);
    G.dispose();
  }
  return rows;
}

/** One D+G Adam step at batch 64, synchronised by reading the losses. */
function makeStep(spec: ArchitectureSpec, batch: number) {
  const G = buildGenerator(spec);
  const D = buildDiscriminator(spec);
  const dOpt = tf.train.adam(2e-4, 0.5);
  const gOpt = tf.train.adam(2e-4, 0.5);
  const vars = (m: tf.LayersModel) => m.trainableWeights.map((w) => w.read() as tf.Variable);
  const size = (spec.output as { height: number }).height;
  const real = tf.randomUniform([batch, size, size, 1], -1, 1);
  const labels = tf.tensor2d(Array.from({ length: batch }, (_, i) => i % 10), [batch, 1]);
  const withLabels = (x: tf.Tensor) => spec.numClasses ? [x, labels] : x;
  const step = async () => {
    const losses = tf.tidy(() => {
      const z = tf.randomNormal([batch, spec.latentDim]);
      const d = (x: tf.Tensor) => D.apply(withLabels(x), { training: true }) as tf.Tensor;
      const g = () => G.apply(withLabels(z), { training: true }) as tf.Tensor;
      const dLoss = dOpt.minimize(
        () =>
          tf.add(
            tf.mean(tf.softplus(tf.neg(d(real)))),
            tf.mean(tf.softplus(d(g()))),
          ) as tf.Scalar,
        true,
        vars(D),
      )!;
      const gLoss = gOpt.minimize(
        () => tf.mean(tf.softplus(tf.neg(d(g())))) as tf.Scalar,
        true,
        vars(G),
      )!;
      return tf.stack([dLoss, gLoss]);
    });
    await losses.data();
    losses.dispose();
  };
  const dispose = () => {
    G.dispose();
    D.dispose();
    dOpt.dispose();
    gOpt.dispose();
    tf.dispose([real, labels]);
  };
  return { step, dispose };
}

async function benchSteps(o: BenchOptions) {
  const rows = [];
  const spec = benchSpec();
  const cases: [string, string, boolean][] = [];
  for (const b of o.backends) {
    if (b === "wasm") cases.push(["wasm (our kernels)", "wasm", true]);
    if (b === "wasm") cases.push(["wasm (stock transposed conv)", "wasm", false]);
    if (b !== "wasm") cases.push([b, b, true]);
  }
  for (const [name, backend, fast] of cases) {
    if (backend === "webgpu") {
      try {
        if (!(await navigator.gpu?.requestAdapter())) throw new Error("no adapter");
        // deno-lint-ignore no-import-prefix
        await import("npm:@tensorflow/tfjs-backend-webgpu@4.22.0");
      } catch (e) {
        rows.push({ backend: name, error: (e as Error).message });
        continue;
      }
    }
    if (!(await tf.setBackend(backend))) {
      rows.push({ backend: name, error: "did not start" });
      continue;
    }
    registerKernels({ fastConv2DBackpropInput: fast });
    const { step, dispose } = makeStep(spec, 64);
    const slow = backend === "cpu";
    const t = await time(step, slow ? o.cpuRuns : o.runs, slow ? 1 : o.warmup);
    dispose();
    rows.push({
      backend: name,
      step_ms: round(t.median, 1),
      runs: t.runs,
      images_per_s: round((64 * 1000) / t.median, 1),
    });
    console.log(`  step on ${name}: ${round(t.median, 1)} ms (median of ${t.runs})`);
  }
  const wasm = rows.find((r) => r.backend === "wasm (our kernels)") as
    | { step_ms: number }
    | undefined;
  for (const r of rows as { step_ms?: number; vs_wasm?: number }[]) {
    if (wasm && r.step_ms) r.vs_wasm = round(r.step_ms / wasm.step_ms);
  }
  return rows;
}

/** Every benchmark of this file; returns what it printed. */
export async function benchWasmKernels(o: BenchOptions) {
  registerKernels();
  const machine = {
    cpu: (await Deno.readTextFile("/proc/cpuinfo").catch(() => ""))
      .match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown",
    cores: navigator.hardwareConcurrency,
    deno: Deno.version.deno,
    tfjs: tf.version.tfjs,
    simd: await tf.setBackend("wasm") &&
      Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")),
  };
  console.log(machine);
  const deconvs = await benchDeconvs(o);
  console.log("Conv2DBackpropInput, stock wasm kernel against ours (median ms)");
  console.table(deconvs);
  const generator = await benchGenerator(o);
  console.log("Generator batch 1 on wasm (median ms)");
  console.table(generator);
  const steps = await benchSteps(o);
  console.log("DCGAN D+G Adam step, batch 64, 28×28, width 32, conditional (median ms)");
  console.table(steps);
  registerKernels();
  return { machine, options: o, deconvs, generator, steps };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: "9" },
      warmup: { type: "string", default: "3" },
      "cpu-runs": { type: "string", default: "2" },
      backends: { type: "string", default: "wasm,webgpu,cpu" },
      json: { type: "string" },
    },
  });
  const result = await benchWasmKernels({
    runs: Number(values.runs),
    warmup: Number(values.warmup),
    cpuRuns: Number(values["cpu-runs"]),
    backends: values.backends.split(","),
  });
  if (values.json) {
    await Deno.writeTextFile(values.json, JSON.stringify(result, null, 2) + "\n");
  }
}
