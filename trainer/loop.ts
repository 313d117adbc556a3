/**
 * The training loop, read top to bottom: for each epoch ({@link trainEpochs}),
 * for each step ({@link trainSteps}), update D k times on a real and a fake
 * batch, then update G so that D calls its fakes real; log `loss_D loss_G
 * D(x) D(G(z))` (pytorch/examples dcgan's order and names); after each epoch,
 * the caller's samples and checkpoint.
 *
 * Every random draw (data, z, fake labels, dropout masks, WGAN-GP's
 * interpolation weights) comes from one shared PRNG seeded by `--seed` and
 * saved in checkpoints, so a run is reproducible and resumable on a backend.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type ArchitectureSpec,
  buildDiscriminator,
  buildGenerator,
  sampleShape,
} from "./architectures.ts";
import { fillLatents, Prng } from "@gan-edge/shared/prng";
import type { TrainConfig } from "./config.ts";
import type { DataSource } from "./data/mod.ts";
import * as losses from "./losses.ts";
import { FusedAdam } from "./adam.ts";
import { registerGradients } from "@gan-edge/kernels/training";

/** One line of `log.jsonl`. */
export interface StepLog {
  step: number;
  epoch: number;
  loss_D: number;
  loss_G: number;
  /** Mean D(x): σ(logit) for the minimax family, the raw score otherwise. */
  D_x: number;
  D_G_z: number;
  /** V(G, D) estimate (minimax family only; optimum −log 4). */
  V: number | null;
  /** Jensen–Shannon estimate (V + log 4) / 2 (minimax family only). */
  JSD: number | null;
  grad_norm_D: number;
  grad_norm_G: number;
  samples_per_sec: number;
  tensors: number;
}

/** A loss that became NaN or infinite; the run stops. */
export class DivergenceError extends Error {
  override name = "DivergenceError";
}

const BCE_FAMILY = new Set(["minimax", "ns", "feature-matching"]);

/** The architecture a config asks for on `data`. */
export function specFor(config: TrainConfig, data: DataSource): ArchitectureSpec {
  const common = {
    latentDim: config["latent-dim"],
    dropout: config.dropout,
    numClasses: config.conditional ? data.classNames?.length : undefined,
    minibatchStd: config["minibatch-std"],
    pack: config.pack,
  };
  if (config.arch === "dcgan") {
    if (data.output.kind !== "image") throw new Error("dcgan needs image data");
    return { id: "dcgan", output: data.output, width: config.width, ...common };
  }
  return {
    id: "mlp",
    output: data.output,
    generatorHidden: config["g-hidden"],
    discriminatorHidden: config["d-hidden"],
    ...(data.scale !== undefined && data.scale !== 1 ? { scale: data.scale } : {}),
    ...common,
  };
}

/** Everything a run holds between steps; checkpoints save all of it. */
export class GanState {
  readonly G: tf.LayersModel;
  readonly D: tf.LayersModel;
  /** D's intermediate features, sharing D's layers (feature matching). */
  readonly features: tf.LayersModel;
  readonly optD: tf.Optimizer;
  readonly optG: tf.Optimizer;
  /** EMA of G's weights, in `G.weights` order (when --ema > 0). */
  readonly ema: tf.Variable[] | null;
  prng: Prng;
  step = 0;

  constructor(readonly config: TrainConfig, readonly spec: ArchitectureSpec) {
    registerGradients(); // WGAN-GP's comparisons and leaky ReLU's fused gradient, on any backend
    this.prng = new Prng(config.seed);
    // Initial weights, too, follow --seed (tfjs initialisers use Math.random).
    [this.G, this.D] = withSeededRandom(
      this.prng,
      () => [buildGenerator(spec), buildDiscriminator(spec)],
    );
    this.features = tf.model({
      inputs: this.D.inputs,
      outputs: this.D.getLayer("d_features").output,
    });
    const adam = () => new FusedAdam(config.lr, config.beta1, config.beta2);
    this.optD = adam();
    this.optG = adam();
    this.ema = config.ema > 0 ? this.G.weights.map((w) => tf.variable(w.read(), false)) : null;
  }

  /** Frees every tensor the state owns. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  dispose(): void {
    this.optD.dispose();
    this.optG.dispose();
    if (this.ema) tf.dispose(this.ema);
    this.G.dispose();
    this.D.dispose();
  }

  /** Runs `fn` with G's weights swapped for their EMA (if any). */
  async withExportWeights<T>(fn: (G: tf.LayersModel) => Promise<T>): Promise<T> {
    if (!this.ema) return await fn(this.G);
    const saved = this.G.weights.map((w) => tf.clone(w.read()));
    this.G.setWeights(this.ema);
    try {
      return await fn(this.G);
    } finally {
      this.G.setWeights(saved);
      tf.dispose(saved);
    }
  }
}

function variablesOf(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w: tf.LayerVariable) => w.read() as tf.Variable);
}

/** Gradients as the list form that `Optimizer.applyGradients` accepts. */
function named(grads: tf.NamedTensorMap) {
  return Object.entries(grads).map(([name, tensor]) => ({ name, tensor }));
}

function globalNorm(grads: tf.NamedTensorMap): tf.Scalar {
  return tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))));
}

/**
 * PacGAN packing: [n, ...shape, c] → [n/m, ...shape, m·c], m samples side by
 * side on the last axis (for points, m points in one vector).
 */
export function pack(x: tf.Tensor, m: number): tf.Tensor {
  if (m === 1) return x;
  return tf.tidy(() => {
    const [n, ...rest] = x.shape;
    const c = rest[rest.length - 1];
    const spatial = rest.slice(0, -1);
    const grouped = tf.reshape(x, [n / m, m, ...spatial, c]);
    const axes = [0, ...spatial.map((_, i) => i + 2), 1, spatial.length + 2];
    return tf.reshape(tf.transpose(grouped, axes), [n / m, ...spatial, m * c]);
  });
}

/** Draws one batch of latents, fake labels and real data from the PRNG. */
class Sampler {
  readonly #z: Float32Array;
  readonly #shape: number[];
  constructor(private state: GanState, private data: DataSource) {
    this.#z = new Float32Array(state.config["batch-size"] * state.spec.latentDim);
    this.#shape = sampleShape(data.output);
  }
  get n() {
    return this.state.config["batch-size"];
  }
  z(): tf.Tensor2D {
    return tf.tensor2d(fillLatents(this.state.prng, this.#z, "normal"), [
      this.n,
      this.state.spec.latentDim,
    ]);
  }
  fakeLabels(): tf.Tensor2D | null {
    const k = this.state.spec.numClasses;
    if (!k) return null;
    return tf.tensor2d(Float32Array.from({ length: this.n }, () => this.state.prng.int(k)), [
      this.n,
      1,
    ]);
  }
  real(): { x: tf.Tensor; labels: tf.Tensor2D | null } {
    const batch = this.data.batch(this.state.prng, this.n);
    const labels = this.state.spec.numClasses && batch.labels
      ? tf.tensor2d(Float32Array.from(batch.labels), [this.n, 1])
      : null;
    return { x: tf.tensor(batch.x, [this.n, ...this.#shape]), labels };
  }
}

/** Disposes the tensors given, skipping absent ones. */
function release(...tensors: (tf.Tensor | null | undefined)[]): void {
  tf.dispose(tensors.filter((t): t is tf.Tensor => t != null));
}

/** Calls a model on a sample batch (and its labels, for conditional models). */
export function call(model: tf.LayersModel, x: tf.Tensor, labels: tf.Tensor | null): tf.Tensor {
  return model.apply(labels ? [x, labels] : x, { training: true }) as tf.Tensor;
}

/** Layers whose output for one sample depends on the rest of its batch. */
const BATCH_LAYERS = new Set(["BatchNormalization", "MinibatchStd"]);

/** True when `model` maps each sample on its own (no batch statistics). */
export function perSample(model: tf.LayersModel): boolean {
  return !model.layers.some((layer) => BATCH_LAYERS.has(layer.getClassName()));
}

/**
 * D on a real and a fake batch in one pass over their concatenation, split
 * back into [real, fake] outputs. Only for a per-sample D, where it equals two
 * calls: it halves D's kernels on the D step (and computes each weight
 * gradient once over both batches instead of twice and a sum).
 */
export function callTogether(
  model: tf.LayersModel,
  [realX, realLabels]: [tf.Tensor, tf.Tensor | null],
  [fakeX, fakeLabels]: [tf.Tensor, tf.Tensor | null],
): [tf.Tensor, tf.Tensor] {
  const x = tf.concat([realX, fakeX]);
  const labels = realLabels && fakeLabels ? tf.concat([realLabels, fakeLabels]) : null;
  const out = call(model, x, labels);
  return tf.split(out, [realX.shape[0], fakeX.shape[0]]) as [tf.Tensor, tf.Tensor];
}

/** What the caller does around the steps: the run folder's writes, and when to stop. */
export interface EpochHooks {
  /** After each step: its log line. */
  onStep: (log: StepLog) => void | Promise<void>;
  /**
   * After each epoch's steps, and after the steps of an interrupted one
   * (`complete` false): samples, checkpoint, report.
   */
  onEpoch: (epoch: { epoch: number; logs: StepLog[]; complete: boolean }) => Promise<void>;
  /** Checked after every step; true stops the run after that step's hooks. */
  shouldStop: () => boolean;
}

/**
 * The whole run: epoch by epoch from `state.step` up to `--steps`, where an
 * epoch is `--epoch-steps` steps counted from step 0, so a resumed run keeps
 * the epochs of an uninterrupted one.
 */
export async function trainEpochs(
  state: GanState,
  data: DataSource,
  { onStep, onEpoch, shouldStop }: EpochHooks,
): Promise<void> {
  const { steps, "epoch-steps": epochSteps } = state.config;
  while (state.step < steps && !shouldStop()) {
    const epoch = Math.floor(state.step / epochSteps) + 1;
    const until = Math.min(steps, epoch * epochSteps);
    const logs: StepLog[] = [];
    await trainSteps(state, data, until, async (log) => {
      logs.push(log);
      await onStep(log);
    }, shouldStop);
    await onEpoch({ epoch, logs, complete: state.step === until });
  }
}

/**
 * Runs generator updates `state.step + 1 … until`, calling `onStep` after
 * each; stops early (after a whole step) when `shouldStop()` turns true.
 * Tensors made here are disposed here.
 */
export async function trainSteps(
  state: GanState,
  data: DataSource,
  until: number,
  onStep: (log: StepLog) => void | Promise<void> = () => {},
  shouldStop: () => boolean = () => false,
): Promise<void> {
  const { config, G, D, features } = state;
  const dVars = variablesOf(D);
  const gVars = variablesOf(G);
  const draw = new Sampler(state, data);
  const m = config.pack;
  const epochSteps = config["epoch-steps"];
  const oneDPass = perSample(D);

  // tfjs draws dropout masks from Math.random: they, too, follow --seed.
  await withSeededRandom(state.prng, async () => {
    while (state.step < until && !shouldStop()) {
      const started = performance.now();
      setLearningRate(state, learningRateAt(config, state.step + 1));
      let dOut: tf.Tensor[] = [];
      for (let k = 0; k < config["d-steps"]; k++) {
        tf.dispose(dOut);
        const real = draw.real();
        const z = draw.z();
        const fakeLabels = draw.fakeLabels();
        const fake = tf.tidy(() => call(G, z, fakeLabels));
        const realPacked = pack(real.x, m);
        const fakePacked = pack(fake, m);
        let diag: tf.Tensor | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const [r, f] = oneDPass
            ? callTogether(D, [realPacked, real.labels], [fakePacked, fakeLabels])
            : [call(D, realPacked, real.labels), call(D, fakePacked, fakeLabels)];
          diag = tf.keep(losses.diagnostics(r, f));
          const loss = discriminatorLoss(config.loss, r, f);
          if (config.loss !== "wgan-gp") return loss;
          return tf.add(loss, gradientPenaltyTerm(state, realPacked, fakePacked, real.labels));
        }, dVars);
        const norm = globalNorm(grads);
        state.optD.applyGradients(named(grads));
        tf.dispose(grads);
        release(real.x, real.labels, z, fakeLabels, fake, realPacked, fakePacked);
        dOut = [value, diag!, norm];
      }

      const z = draw.z();
      const fakeLabels = draw.fakeLabels();
      const real = config.loss === "feature-matching" ? draw.real() : null;
      const { value: gValue, grads: gGrads } = tf.variableGrads(() => {
        const fake = pack(call(G, z, fakeLabels), m);
        if (real) {
          return losses.featureMatchingLoss(
            call(features, pack(real.x, m), real.labels),
            call(features, fake, fakeLabels),
          );
        }
        return generatorLoss(config.loss, call(D, fake, fakeLabels));
      }, gVars);
      const gNorm = globalNorm(gGrads);
      state.optG.applyGradients(named(gGrads));
      tf.dispose(gGrads);
      release(z, fakeLabels, real?.x, real?.labels);
      if (state.ema) updateEma(state.ema, G, config.ema);

      const [dLoss, diag, dNorm] = await Promise.all(dOut.map((t) => t.data()));
      const [gLoss, gNormValue] = await Promise.all([gValue.data(), gNorm.data()]);
      tf.dispose([...dOut, gValue, gNorm]);
      const step = state.step + 1;
      if (!Number.isFinite(dLoss[0]) || !Number.isFinite(gLoss[0])) {
        throw new DivergenceError(
          `step ${step}: the loss became ${dLoss[0]} (D) / ${gLoss[0]} (G); stopping`,
        );
      }
      state.step = step;
      const bce = BCE_FAMILY.has(config.loss);
      const seconds = (performance.now() - started) / 1000;
      await onStep({
        step,
        epoch: Math.ceil(step / epochSteps),
        loss_D: dLoss[0],
        loss_G: gLoss[0],
        D_x: diag[0],
        D_G_z: diag[1],
        V: bce ? diag[2] : null,
        JSD: bce ? diag[3] : null,
        grad_norm_D: dNorm[0],
        grad_norm_G: gNormValue[0],
        samples_per_sec: (draw.n * (config["d-steps"] + 1)) / seconds,
        tensors: tf.memory().numTensors,
      });
    }
  });
}

/**
 * Runs `fn` with `Math.random` drawing from `prng`. tfjs seeds its weight
 * initialisers and dropout masks from Math.random, so this makes them part of
 * the run's one reproducible, checkpointed stream.
 */
function withSeededRandom<T>(prng: Prng, fn: () => T): T {
  const mathRandom = Math.random;
  Math.random = () => prng.uniform();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    Math.random = mathRandom;
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(() => (Math.random = mathRandom)) as T;
  }
  Math.random = mathRandom;
  return result;
}

/**
 * The learning rate of step `step` (1-based): `--lr`, or with
 * `--lr-decay linear` falling from `--lr` at step 1 to `--lr`/steps at the
 * last. A function of the step alone, so a resumed run follows it exactly.
 */
export function learningRateAt(config: TrainConfig, step: number): number {
  if (config["lr-decay"] !== "linear") return config.lr;
  return config.lr * (1 - (step - 1) / config.steps);
}

/** tfjs's Adam reads its `learningRate` field at every update. */
function setLearningRate(state: GanState, lr: number): void {
  for (const opt of [state.optD, state.optG]) {
    (opt as unknown as { learningRate: number }).learningRate = lr;
  }
}

/** ema ← decay·ema + (1 − decay)·w for trainable weights; a copy otherwise. */
function updateEma(ema: tf.Variable[], G: tf.LayersModel, decay: number): void {
  tf.tidy(() => {
    G.weights.forEach((w, i) => {
      const value = w.read();
      ema[i].assign(w.trainable ? tf.add(tf.mul(ema[i], decay), tf.mul(value, 1 - decay)) : value);
    });
  });
}

/** WGAN-GP's penalty at random interpolates of real and fake batches. */
function gradientPenaltyTerm(
  state: GanState,
  real: tf.Tensor,
  fake: tf.Tensor,
  labels: tf.Tensor | null,
): tf.Scalar {
  const n = real.shape[0];
  const eps = tf.tensor(
    Float32Array.from({ length: n }, () => state.prng.uniform()),
    [n, ...real.shape.slice(1).map(() => 1)],
  );
  const mixed = tf.add(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake));
  const grad = tf.grad((x: tf.Tensor) => tf.sum(call(state.D, x, labels)))(mixed);
  return losses.gradientPenalty(grad, state.config["gp-lambda"]);
}

/** D's objective on real logits `r` and fake logits `f`. */
function discriminatorLoss(loss: string, r: tf.Tensor, f: tf.Tensor): tf.Scalar {
  switch (loss) {
    case "lsgan":
      return losses.discriminatorLsLoss(r, f);
    case "hinge":
      return losses.discriminatorHingeLoss(r, f);
    case "wgan-gp":
      return losses.criticWassersteinLoss(r, f);
    default:
      return losses.discriminatorBceLoss(r, f);
  }
}

/** G's objective from D's logits on fakes. */
function generatorLoss(loss: string, f: tf.Tensor): tf.Scalar {
  switch (loss) {
    case "minimax":
      return losses.generatorMinimaxLoss(f);
    case "lsgan":
      return losses.generatorLsLoss(f);
    case "wgan-gp":
    case "hinge":
      return losses.generatorWassersteinLoss(f);
    default:
      return losses.generatorNsLoss(f);
  }
}
