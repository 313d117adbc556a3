/**
 * The training loop, read top to bottom: for each step, update D k times on a
 * real and a fake batch, then update G so that D calls its fakes real; log
 * `loss_D loss_G D(x) D(G(z))` (pytorch/examples dcgan's order and names).
 *
 * Every random draw (data, z, dropout masks) comes from one shared PRNG
 * seeded by `--seed`, so a run is reproducible on a given backend.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { buildDiscriminator, buildGenerator, type MlpSpec } from "@gan-edge/shared/architectures";
import { fillLatents, Prng } from "@gan-edge/shared/prng";
import type { TrainConfig } from "./config.ts";
import type { DataSource } from "./data/mod.ts";
import * as losses from "./losses.ts";

/** One line of `log.jsonl`. */
export interface StepLog {
  step: number;
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

/** What a finished run hands to export. */
export interface TrainResult {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  spec: MlpSpec;
  steps: number;
}

/** A loss that became NaN or infinite; the run stops. */
export class DivergenceError extends Error {
  override name = "DivergenceError";
}

const BCE_FAMILY = new Set(["minimax", "ns", "feature-matching"]);

/** The MLP spec a config asks for. */
export function specFor(config: TrainConfig, data: DataSource): MlpSpec {
  return {
    id: "mlp",
    latentDim: config["latent-dim"],
    output: data.output,
    generatorHidden: config["g-hidden"],
    discriminatorHidden: config["d-hidden"],
    dropout: config.dropout,
  };
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
 * Runs `steps` generator updates and calls `onStep` after each with its log
 * line. Tensors made here are disposed here; the models are returned.
 */
export async function train(
  config: TrainConfig,
  data: DataSource,
  onStep: (log: StepLog) => void | Promise<void> = () => {},
): Promise<TrainResult> {
  const spec = specFor(config, data);
  const prng = new Prng(config.seed);
  const G = buildGenerator(spec);
  const D = buildDiscriminator(spec);
  const features = tf.model({
    inputs: D.inputs,
    outputs: D.getLayer("d_features").output,
  });
  const adam = () => tf.train.adam(config.lr, config.beta1, config.beta2);
  const optD = adam();
  const optG = adam();
  const dVars = variablesOf(D);
  const gVars = variablesOf(G);
  const batch = config["batch-size"];
  const sampleSize = data.output.kind === "points" ? [data.output.dim] : [
    data.output.height,
    data.output.width,
    data.output.channels,
  ];
  const latentBuf = new Float32Array(batch * spec.latentDim);
  const nextZ = () =>
    tf.tensor2d(fillLatents(prng, latentBuf, "normal"), [
      batch,
      spec.latentDim,
    ]);
  const nextReal = () => tf.tensor(data.batch(prng, batch).x, [batch, ...sampleSize]);
  const apply = (m: tf.LayersModel, x: tf.Tensor) => m.apply(x, { training: true }) as tf.Tensor;

  // tfjs draws dropout masks from Math.random; route it through our PRNG so
  // that masks, too, follow --seed.
  const mathRandom = Math.random;
  Math.random = () => prng.uniform();
  try {
    for (let step = 1; step <= config.steps; step++) {
      const started = performance.now();
      let dOut: tf.Tensor[] = [];
      for (let k = 0; k < config["d-steps"]; k++) {
        tf.dispose(dOut);
        const x = nextReal();
        const z = nextZ();
        const fake = tf.tidy(() => apply(G, z));
        let diag: tf.Tensor | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const r = apply(D, x);
          const f = apply(D, fake);
          diag = tf.keep(losses.diagnostics(r, f));
          return discriminatorLoss(config, D, r, f, x, fake, prng);
        }, dVars);
        const norm = globalNorm(grads);
        optD.applyGradients(named(grads));
        tf.dispose([x, z, fake, grads]);
        dOut = [value, diag!, norm];
      }
      const z = nextZ();
      const x = config.loss === "feature-matching" ? nextReal() : undefined;
      const { value: gValue, grads: gGrads } = tf.variableGrads(() => {
        const fake = apply(G, z);
        if (x) {
          return losses.featureMatchingLoss(
            apply(features, x),
            apply(features, fake),
          );
        }
        return generatorLoss(config.loss, apply(D, fake));
      }, gVars);
      const gNorm = globalNorm(gGrads);
      optG.applyGradients(named(gGrads));
      tf.dispose([z, gGrads]);
      if (x) x.dispose();

      const [dLoss, diag, dNorm] = await Promise.all(dOut.map((t) => t.data()));
      const [gLoss, gNormValue] = await Promise.all([
        gValue.data(),
        gNorm.data(),
      ]);
      tf.dispose([...dOut, gValue, gNorm]);
      if (!Number.isFinite(dLoss[0]) || !Number.isFinite(gLoss[0])) {
        throw new DivergenceError(
          `step ${step}: loss became ${dLoss[0]} (D) / ${gLoss[0]} (G); stopping`,
        );
      }
      const bce = BCE_FAMILY.has(config.loss);
      const seconds = (performance.now() - started) / 1000;
      await onStep({
        step,
        loss_D: dLoss[0],
        loss_G: gLoss[0],
        D_x: diag[0],
        D_G_z: diag[1],
        V: bce ? diag[2] : null,
        JSD: bce ? diag[3] : null,
        grad_norm_D: dNorm[0],
        grad_norm_G: gNormValue[0],
        samples_per_sec: (batch * (config["d-steps"] + 1)) / seconds,
        tensors: tf.memory().numTensors,
      });
    }
  } finally {
    Math.random = mathRandom;
    optD.dispose();
    optG.dispose();
  }
  return { generator: G, discriminator: D, spec, steps: config.steps };
}

/** D's objective; for wgan-gp the critic loss plus the gradient penalty. */
function discriminatorLoss(
  config: TrainConfig,
  D: tf.LayersModel,
  r: tf.Tensor,
  f: tf.Tensor,
  x: tf.Tensor,
  fake: tf.Tensor,
  prng: Prng,
): tf.Scalar {
  switch (config.loss) {
    case "lsgan":
      return losses.discriminatorLsLoss(r, f);
    case "hinge":
      return losses.discriminatorHingeLoss(r, f);
    case "wgan-gp": {
      const n = x.shape[0];
      const eps = tf.tensor(
        Float32Array.from({ length: n }, () => prng.uniform()),
        [n, ...x.shape.slice(1).map(() => 1)],
      );
      const mixed = tf.add(tf.mul(eps, x), tf.mul(tf.sub(1, eps), fake));
      const grad = tf.grad((m: tf.Tensor) => tf.sum(D.apply(m, { training: true }) as tf.Tensor))(
        mixed,
      );
      return tf.add(
        losses.criticWassersteinLoss(r, f),
        losses.gradientPenalty(grad, 10),
      );
    }
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
