/**
 * The diagnostics of Goodfellow et al. 2014, read from a run's last
 * checkpoint: mean D(x) on a held-out real batch, mean D(G(z)) on fresh
 * latents, and the value V(G, D) = E log D(x) + E log(1 − D(G(z))), whose
 * optimum at p_g = p_data (with D* = ½ everywhere) is −log 4. The gap
 * V + log 4 is twice the Jensen–Shannon estimate the training log prints.
 *
 * G and D are built from the checkpoint's recorded architecture and given
 * its saved weights directly (no optimizers, no EMA, no training state). The
 * generator is the one D was trained against (not its EMA). Held-out
 * reals: the test split for IDX datasets, fresh draws for the mixtures (a
 * stream no training batch used); `folder:` data has no split, so its
 * training images are used and the report says so.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { buildDiscriminator, buildGenerator, hasScale } from "../architectures.ts";
import { Prng } from "@gan-edge/shared/prng";
import { loadCheckpoint, loadNetworkWeights } from "../checkpoint.ts";
import { type DataSource, imageDataSource, openDataset } from "../data/mod.ts";
import { IDX_DATASETS, loadIdxDataset } from "../data/mnist.ts";
import { pack, specFor } from "../loop.ts";
import * as losses from "../losses.ts";

/** Optimum of V(G, D): −log 4. */
export const V_OPTIMUM = -Math.log(4);

/** What {@link runDiagnostics} measures. */
export interface DiagnosticsReport {
  run: string;
  /**
   * Set when these figures were kept from an earlier eval.json (its path)
   * because the run folder is no longer at hand; absent when measured now.
   */
  keptFrom?: string;
  step: number;
  loss: string;
  batch: number;
  /** Where the real batch came from. */
  heldOut: string;
  /** σ(logit) for the minimax family; the raw critic score otherwise. */
  D_x: number;
  D_G_z: number;
  /** V(G, D) (minimax family only). */
  V: number | null;
  optimum: number;
  /** V − (−log 4) ≥ 0 at D's optimum; 0 when p_g = p_data. */
  gap: number | null;
}

const BCE_FAMILY = new Set(["minimax", "ns", "feature-matching"]);
/** Seed of the held-out draws (distinct from any training seed's stream). */
const HELD_OUT_SEED = 0xd1a6;

async function heldOutData(dataset: string, dataDir: string, imageSize: number) {
  const name = dataset as keyof typeof IDX_DATASETS;
  if (name in IDX_DATASETS) {
    const set = await loadIdxDataset(IDX_DATASETS[name], "test", {
      dataDir: dataDir || undefined,
      imageSize,
    });
    return { data: imageDataSource(dataset, set), heldOut: `${dataset} test split` };
  }
  const data: DataSource = await openDataset(dataset, { dataDir: dataDir || undefined, imageSize });
  return {
    data,
    heldOut: data.size === null ? "fresh draws from the mixture" : "training images (no split)",
  };
}

/** Mean D(x), D(G(z)) and V(G, D) of the run in `runDir` on `batch` samples. */
export async function runDiagnostics(runDir: string, batch = 1024): Promise<DiagnosticsReport> {
  const checkpoint = await loadCheckpoint(runDir);
  if (!checkpoint) {
    throw new Error(`--run ${runDir}: no checkpoint in ${runDir}/checkpoints (latest or previous)`);
  }
  const config = checkpoint.state.config;
  const { data, heldOut } = await heldOutData(
    config.dataset,
    config["data-dir"],
    config["image-size"],
  );
  // Checkpoints made before the architecture was recorded: what the config builds,
  // unless that now holds a point scale those networks were not trained with.
  const spec = checkpoint.state.spec ?? specFor(config, data);
  if (!checkpoint.state.spec && hasScale(spec)) {
    throw new Error(
      `--run ${runDir}: the checkpoint does not record its networks, and this version ` +
        `scales ${config.dataset}'s points between G and D, which its networks do not expect`,
    );
  }
  const G = buildGenerator(spec);
  const D = buildDiscriminator(spec);
  try {
    loadNetworkWeights(G, checkpoint, "G");
    loadNetworkWeights(D, checkpoint, "D");
    const n = Math.max(config.pack, batch - (batch % config.pack));
    const prng = new Prng(HELD_OUT_SEED);
    const real = data.batch(prng, n);
    const shape = spec.output.kind === "image"
      ? [spec.output.height, spec.output.width, spec.output.channels]
      : [spec.output.dim];
    const z = new Float32Array(n * spec.latentDim).map(() => prng.normal());
    const k = spec.numClasses ?? 0;
    const fakeLabels = k ? Float32Array.from({ length: n }, () => prng.int(k)) : null;
    const diag = tf.tidy(() => {
      const x = tf.tensor(real.x, [n, ...shape]);
      const realLabels = k && real.labels
        ? tf.tensor2d(Float32Array.from(real.labels), [n, 1])
        : null;
      const zt = tf.tensor2d(z, [n, spec.latentDim]);
      const fl = fakeLabels ? tf.tensor2d(fakeLabels, [n, 1]) : null;
      const fake = G.predict(fl ? [zt, fl] : zt) as tf.Tensor;
      const d = (v: tf.Tensor, labels: tf.Tensor | null) =>
        D.predict(
          labels ? [pack(v, config.pack), labels] : pack(v, config.pack),
        ) as tf.Tensor;
      const r = d(x, realLabels);
      const f = d(fake, fl);
      return BCE_FAMILY.has(config.loss)
        ? losses.diagnostics(r, f)
        : tf.stack([tf.mean(r), tf.mean(f)]);
    });
    const values = await diag.data();
    diag.dispose();
    const bce = BCE_FAMILY.has(config.loss);
    return {
      run: runDir,
      step: checkpoint.state.step,
      loss: config.loss,
      batch: n,
      heldOut,
      D_x: values[0],
      D_G_z: values[1],
      V: bce ? values[2] : null,
      optimum: V_OPTIMUM,
      gap: bce ? values[2] - V_OPTIMUM : null,
    };
  } finally {
    G.dispose();
    D.dispose();
  }
}
