/**
 * WebGPU against a reference backend (wasm, the trainer's default) on what
 * the trainer computes, from the same seeded weights and batch in one process:
 *
 * - forward: G(z) in training mode (batch statistics, moving averages
 *   updated) and in inference mode, D on a real batch;
 * - every loss of the case's family on D's real and fake logits, and D's and
 *   G's weight gradients of the case's objective (WGAN-GP's second-order
 *   penalty included; feature matching through D's features);
 * - the gradient norm the loop logs (one AddN term per variable);
 * - one whole `trainSteps` step (Adam, learning rate, EMA, BN moving
 *   statistics): its log line, and each variable's change.
 *
 * Each result is compared as ‖webgpu − ref‖₂ / ‖ref‖₂ (the absolute norm
 * where ‖ref‖ is 0), with its largest absolute difference and the count of
 * non-finite WebGPU values.
 *
 * Usage: deno run -A tests/gpu/parity.ts [--case all|NAME,…] [--batch 8]
 * [--reference wasm] prints one JSON {@link ParityReport} line per case.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { type BackendName, selectBackend } from "../../trainer/backend.ts";
import { parseConfig, type TrainConfig } from "../../trainer/config.ts";
import { imageDataSource } from "../../trainer/data/images.ts";
import type { DataSource } from "../../trainer/data/mod.ts";
import * as losses from "../../trainer/losses.ts";
import {
  call,
  callTogether,
  GanState,
  pack,
  perSample,
  specFor,
  trainSteps,
} from "../../trainer/loop.ts";
import { Prng } from "@gan-edge/shared/prng";

/**
 * The trainer settings of each case: between them, every layer, loss and
 * gradient the DCGAN trainer runs, at widths 32 and 64 (the NaN was
 * the plain width-64 model).
 */
export const PARITY_CASES: Record<string, string[]> = {
  /** The shipped model's settings. */
  "w32-conditional": ["--width", "32", "--conditional"],
  /** The trainer's default for images. */
  "w64": ["--width", "64"],
  /** Second-order gradients, minibatch std, packing, dropout, EMA. */
  "w32-wgan-gp": [
    "--width",
    "32",
    "--loss",
    "wgan-gp",
    "--d-steps",
    "1",
    "--minibatch-std",
    "--pack",
    "2",
    "--dropout",
    "0.2",
    "--ema",
    "0.9",
  ],
  /** Embeddings at width 64 (K = 12544 in the dense input gradient), D's features. */
  "w64-feature-matching": ["--width", "64", "--conditional", "--loss", "feature-matching"],
};

/** One compared result. */
export interface ParityRow {
  name: string;
  size: number;
  /** ‖webgpu − ref‖₂ / ‖ref‖₂ (the absolute norm where ‖ref‖₂ is 0). */
  relErr: number;
  maxAbs: number;
  nonFinite: number;
}

export interface ParityReport {
  case: string;
  batch: number;
  reference: string;
  adapter: string;
  seconds: Record<string, number>;
  rows: ParityRow[];
}

/** A labelled image set of `count` seeded 28×28 images (no files needed). */
export function syntheticImages(count: number, seed = 7): DataSource {
  const prng = new Prng(seed);
  const x = Float32Array.from({ length: count * 28 * 28 }, () => prng.uniform() * 2 - 1);
  const labels = Int32Array.from({ length: count }, (_, i) => i % 10);
  const classNames = Array.from({ length: 10 }, (_, i) => `class ${i}`);
  return imageDataSource("synthetic", {
    x,
    count,
    height: 28,
    width: 28,
    channels: 1,
    labels,
    classNames,
  });
}

/** The config of case `name` at batch `batch`, for {@link syntheticImages}. */
export function caseConfig(name: string, batch: number): TrainConfig {
  const flags = PARITY_CASES[name];
  if (!flags) {
    throw new Error(
      `--case: unknown case "${name}"; expected one of ${Object.keys(PARITY_CASES).join(", ")}`,
    );
  }
  return parseConfig(
    ["--dataset", "synthetic", "--batch-size", String(batch), "--steps", "1", ...flags],
    { kind: "image", size: 64, labelled: true },
  );
}

type Outputs = Map<string, Float32Array>;

async function put(out: Outputs, name: string, t: tf.Tensor): Promise<void> {
  out.set(name, (await t.data()) as Float32Array);
}

function trainable(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Weight names without tfjs's per-process suffixes (`g_bn0/gamma_3` → `g_bn0/gamma`). */
function weightName(w: tf.LayerVariable): string {
  return w.originalName ?? w.name;
}

/** D's and G's objectives of `config.loss`, as the loop computes them. */
function objectives(state: GanState, real: tf.Tensor, labels: tf.Tensor | null, z: tf.Tensor) {
  const { config, G, D, features } = state;
  const m = config.pack;
  const dLoss = (): tf.Scalar => {
    const fake = pack(call(G, z, labels), m);
    const realPacked = pack(real, m);
    const [r, f] = perSample(D)
      ? callTogether(D, [realPacked, labels], [fake, labels])
      : [call(D, realPacked, labels), call(D, fake, labels)];
    switch (config.loss) {
      case "wgan-gp": {
        const n = realPacked.shape[0];
        const eps = tf.linspace(0.1, 0.9, n).reshape([n, 1, 1, 1]);
        const mixed = tf.add(tf.mul(eps, realPacked), tf.mul(tf.sub(1, eps), fake));
        const grad = tf.grad((x: tf.Tensor) => tf.sum(call(D, x, labels)))(mixed);
        return tf.add(
          losses.criticWassersteinLoss(r, f),
          losses.gradientPenalty(grad, config["gp-lambda"]),
        );
      }
      default:
        return losses.discriminatorBceLoss(r, f);
    }
  };
  const gLoss = (): tf.Scalar => {
    const fake = pack(call(G, z, labels), m);
    if (config.loss === "feature-matching") {
      return losses.featureMatchingLoss(
        call(features, pack(real, m), labels),
        call(features, fake, labels),
      );
    }
    const f = call(D, fake, labels);
    return config.loss === "wgan-gp"
      ? losses.generatorWassersteinLoss(f)
      : losses.generatorNsLoss(f);
  };
  return { dLoss, gLoss };
}

/** Everything of {@link PARITY_CASES}' list on the active backend, by name. */
async function caseOutputs(config: TrainConfig, data: DataSource): Promise<Outputs> {
  const out: Outputs = new Map();
  const spec = specFor(config, data);
  using state = new GanState(config, spec);
  const { G, D } = state;
  const n = config["batch-size"];
  const prng = new Prng(11);
  const batch = data.batch(prng, n);
  const real = tf.tensor4d(batch.x, [n, 28, 28, 1]);
  const labels = config.conditional ? tf.tensor2d(Float32Array.from(batch.labels!), [n, 1]) : null;
  const z = tf.tensor2d(Float32Array.from({ length: n * spec.latentDim }, () => prng.normal()), [
    n,
    spec.latentDim,
  ]);
  try {
    await put(
      out,
      "forward: G(z) inference",
      tf.tidy(() => G.predict(labels ? [z, labels] : z) as tf.Tensor),
    );
    await put(out, "forward: G(z) training", tf.tidy(() => call(G, z, labels)));
    for (const w of G.nonTrainableWeights) await put(out, `forward: ${weightName(w)}`, w.read());
    await put(out, "forward: D(x)", tf.tidy(() => call(D, pack(real, config.pack), labels)));

    // Every loss on one pair of logit batches, and its gradient with respect to them.
    const [r, f] = tf.tidy(() => {
      const fake = pack(call(G, z, labels), config.pack);
      return [call(D, pack(real, config.pack), labels), call(D, fake, labels)];
    });
    const pairLosses: Record<string, (r: tf.Tensor, f: tf.Tensor) => tf.Scalar> = {
      "D bce": losses.discriminatorBceLoss,
      "D lsgan": losses.discriminatorLsLoss,
      "D hinge": losses.discriminatorHingeLoss,
      "D wasserstein": losses.criticWassersteinLoss,
      "diagnostics": (r, f) => tf.sum(losses.diagnostics(r, f)),
    };
    const fakeLosses: Record<string, (f: tf.Tensor) => tf.Scalar> = {
      "G minimax": losses.generatorMinimaxLoss,
      "G ns": losses.generatorNsLoss,
      "G lsgan": losses.generatorLsLoss,
      "G wasserstein": losses.generatorWassersteinLoss,
    };
    const lossCases = [
      ...Object.entries(pairLosses).map(([k, fn]) => [k, fn, [r, f]] as const),
      ...Object.entries(fakeLosses).map(([k, fn]) => [k, fn, [f]] as const),
    ];
    for (const [name, fn, args] of lossCases) {
      const { value, grads } = tf.tidy(() => {
        const { value, grads } = tf.valueAndGrads(fn as (...t: tf.Tensor[]) => tf.Scalar)([
          ...args,
        ]);
        return { value, grads: tf.concat(grads.map((g) => g.flatten())) };
      });
      await put(out, `loss: ${name}`, value);
      await put(out, `loss: ${name} gradient`, grads);
      tf.dispose([value, grads]);
    }
    tf.dispose([r, f]);

    const { dLoss, gLoss } = objectives(state, real, labels, z);
    for (const [who, model, loss] of [["D", D, dLoss], ["G", G, gLoss]] as const) {
      const vars = trainable(model);
      const { value, grads } = tf.variableGrads(loss, vars);
      await put(out, `${who} ${config.loss} loss`, value);
      for (const [i, v] of vars.entries()) {
        await put(out, `${who} gradient: ${weightName(model.trainableWeights[i])}`, grads[v.name]);
      }
      const norm = tf.tidy(() =>
        tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))))
      );
      await put(out, `${who} gradient norm (AddN of ${vars.length})`, norm);
      tf.dispose([value, norm, ...Object.values(grads)]);
    }
  } finally {
    tf.dispose([real, z, ...(labels ? [labels] : [])]);
  }

  // One whole step of the loop, from fresh weights.
  using fresh = new GanState(config, spec);
  const before = new Map<string, Float32Array>();
  const weights = [...fresh.G.weights, ...fresh.D.weights];
  for (const w of weights) before.set(weightName(w), (await w.read().data()) as Float32Array);
  await trainSteps(fresh, data, 1, (log) => {
    for (const key of ["loss_D", "loss_G", "D_x", "D_G_z", "grad_norm_D", "grad_norm_G"] as const) {
      out.set(`step: ${key}`, Float32Array.of(log[key]));
    }
  });
  for (const w of weights) {
    const after = (await w.read().data()) as Float32Array;
    const was = before.get(weightName(w))!;
    out.set(`step: Δ ${weightName(w)}`, after.map((v, i) => v - was[i]));
  }
  if (fresh.ema) {
    for (const [i, e] of fresh.ema.entries()) {
      await put(out, `step: EMA ${weightName(fresh.G.weights[i])}`, e);
    }
  }
  return out;
}

/** The row comparing `gpu` against `ref`. */
export function compare(name: string, ref: Float32Array, gpu: Float32Array): ParityRow {
  if (ref.length !== gpu.length) {
    throw new Error(`${name}: ${gpu.length} values on webgpu, ${ref.length} on the reference`);
  }
  let diff = 0, norm = 0, maxAbs = 0, nonFinite = 0;
  for (let i = 0; i < ref.length; i++) {
    if (!Number.isFinite(gpu[i])) {
      nonFinite++;
      continue;
    }
    const d = gpu[i] - ref[i];
    diff += d * d;
    norm += ref[i] * ref[i];
    maxAbs = Math.max(maxAbs, Math.abs(d));
  }
  const relErr = norm > 0 ? Math.sqrt(diff / norm) : Math.sqrt(diff);
  return { name, size: ref.length, relErr, maxAbs, nonFinite };
}

/** Runs case `name` on `reference` then on webgpu, and compares every result. */
export async function parityReport(
  name: string,
  batch = 8,
  reference: BackendName = "wasm",
): Promise<ParityReport> {
  const config = caseConfig(name, batch);
  const data = syntheticImages(64);
  const seconds: Record<string, number> = {};
  const results: Outputs[] = [];
  for (const backend of [reference, "webgpu"] as const) {
    await selectBackend(backend);
    const t0 = performance.now();
    // Dropout masks come from Math.random: the same ones on both backends.
    const prng = new Prng(5);
    const mathRandom = Math.random;
    Math.random = () => prng.uniform();
    try {
      results.push(await caseOutputs(config, data));
    } finally {
      Math.random = mathRandom;
    }
    seconds[backend] = (performance.now() - t0) / 1000;
  }
  const [ref, gpu] = results;
  const adapter = await navigator.gpu.requestAdapter();
  return {
    case: name,
    batch,
    reference,
    adapter: adapter?.info.description || adapter?.info.vendor || "unknown",
    seconds,
    rows: [...ref.keys()].map((k) => compare(k, ref.get(k)!, gpu.get(k)!)),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      case: { type: "string", default: "all" },
      batch: { type: "string", default: "8" },
      reference: { type: "string", default: "wasm" },
    },
  });
  const names = values.case === "all" ? Object.keys(PARITY_CASES) : values.case.split(",");
  for (const name of names) {
    const report = await parityReport(name, Number(values.batch), values.reference as BackendName);
    console.log(JSON.stringify(report));
  }
}
