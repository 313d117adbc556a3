/**
 * One trainer step, timed in a process of its own per backend (run by
 * trainer.ts): the trainer's own loop (trainer/loop.ts trainSteps: D on a real
 * and a fake batch, then G; Adam; the default non-saturating loss, with the
 * trainer's diagnostics and gradient norms) on synthetic data, for the
 * models named on the command line. Prints one JSON object.
 *
 * Run: deno run -A bench/train_step.ts --backend wasm --cases mlp,dcgan64
 *        [--runs 7] [--warmup 2] [--max-seconds S]
 *
 * @module
 */
import { parseArgs } from "node:util";
import type * as tf from "@tensorflow/tfjs";
import { Prng } from "@gan-edge/shared/prng";
import { parseConfig } from "../trainer/config.ts";
import { selectBackend } from "../trainer/backend.ts";
import { RING8, sampleMixture } from "../trainer/data/toy.ts";
import type { DataSource } from "../trainer/data/mod.ts";
import { GanState, specFor, trainSteps } from "../trainer/loop.ts";
import { countMacs } from "./macs.ts";
import type { StepCase } from "./schema.ts";
import { summarize } from "./stats.ts";

/** The benchmarked trainer configurations: `deno task train` flags. */
export const TRAIN_CASES: Record<string, { args: string[]; data: "points" | "images" }> = {
  mlp: { args: ["--dataset", "ring8", "--batch-size", "64"], data: "points" },
  dcgan64: { args: ["--dataset", "fashion-mnist", "--batch-size", "64"], data: "images" },
  dcgan32c: {
    args: ["--dataset", "fashion-mnist", "--batch-size", "64", "--width", "32", "--conditional"],
    data: "images",
  },
};

const ring8: DataSource = {
  name: "ring8",
  output: { kind: "points", dim: 2 },
  size: null,
  batch: (prng, n) => ({ x: sampleMixture(RING8, prng, n) }),
};

/** 28×28 images in [−1, 1] with 10 classes; one fixed pool, no I/O. */
function images(): DataSource {
  const prng = new Prng(1);
  const pool = Float32Array.from({ length: 64 * 784 }, () => 2 * prng.uniform() - 1);
  const labels = Int32Array.from({ length: 64 }, (_, i) => i % 10);
  return {
    name: "synthetic",
    output: { kind: "image", height: 28, width: 28, channels: 1, range: [-1, 1] },
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    size: 60000,
    batch: (_prng, n) => ({ x: pool.subarray(0, n * 784), labels: labels.subarray(0, n) }),
  };
}

const size = (ws: tf.LayerVariable[]) =>
  ws.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);

/** Times `runs` trainer steps of case `name` on the active backend. */
export async function benchCase(
  name: string,
  runs: number,
  warmup: number,
  maxSeconds = Infinity,
): Promise<StepCase> {
  const c = TRAIN_CASES[name];
  if (!c) throw new Error(`unknown case ${name}; expected one of ${Object.keys(TRAIN_CASES)}`);
  const data = c.data === "points" ? ring8 : images();
  const facts = { kind: data.output.kind, size: data.size, labelled: Boolean(data.classNames) };
  const config = parseConfig([...c.args, "--out", "/nonexistent"], facts);
  const spec = specFor(config, data);
  const state = new GanState(config, spec);
  try {
    // Slow backends: no new run once maxSeconds of timed runs have gone (at least 1).
    const step = () => trainSteps(state, data, state.step + 1);
    // A line per finished step, so that a parent that stops a slow backend at
    // its time cap still knows how long the steps it saw took.
    const progress = (phase: string, ms: number) =>
      console.log(JSON.stringify({ progress: { case: name, phase, ms } }));
    for (let i = 0; i < warmup; i++) {
      const t0 = performance.now();
      await step();
      progress("warmup", performance.now() - t0);
    }
    const ms: number[] = [];
    const begun = performance.now();
    while (ms.length < runs && (ms.length === 0 || performance.now() - begun < maxSeconds * 1000)) {
      const t0 = performance.now();
      await step();
      ms.push(performance.now() - t0);
      progress("run", ms.at(-1)!);
    }
    const t = summarize(ms);
    const gMacs = countMacs(state.G).total;
    const dMacs = countMacs(state.D).total;
    return {
      spec,
      batch: config["batch-size"],
      lr: config.lr,
      beta1: config.beta1,
      beta2: config.beta2,
      params: {
        G: size(state.G.trainableWeights),
        D: size(state.D.trainableWeights),
        G_buffers: size(state.G.nonTrainableWeights),
      },
      macs: { G: gMacs, D: dMacs },
      step: t,
      /** Every timed step, for trainer.ts's rounds. */
      ms,
    };
  } finally {
    state.dispose();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      backend: { type: "string", default: "wasm" },
      cases: { type: "string", default: Object.keys(TRAIN_CASES).join(",") },
      runs: { type: "string", default: "7" },
      warmup: { type: "string", default: "2" },
      "max-seconds": { type: "string", default: "Infinity" },
    },
  });
  const out: Record<string, unknown> = {};
  try {
    const choice = await selectBackend(values.backend as "wasm");
    out.backend = choice.name;
    if (values.backend === "webgpu") {
      const adapter = await navigator.gpu.requestAdapter();
      out.adapter = adapter?.info.description || adapter?.info.device || "unknown";
    }
    const cases: Record<string, unknown> = {};
    for (const name of values.cases.split(",")) {
      cases[name] = await benchCase(
        name,
        Number(values.runs),
        Number(values.warmup),
        Number(values["max-seconds"]),
      );
    }
    out.cases = cases;
  } catch (e) {
    out.error = (e as Error).message.split("\n")[0];
    if (Deno.env.get("BENCH_DEBUG")) console.error(e);
  }
  console.log(JSON.stringify(out));
}
