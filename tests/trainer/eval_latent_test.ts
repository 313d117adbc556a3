/**
 * How many latent dimensions a conditional G uses per class
 * (trainer/eval/metrics/latent.ts, trainer/experiments/class_embedding.ts):
 * participation ratios and shares on known values, the sensitivity of a
 * generator whose derivative is known in closed form, and the command on an
 * exported conditional model whose embedding uses k + 1 dimensions for class k.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildGenerator } from "../../trainer/architectures.ts";
import {
  embeddingWeights,
  latentSensitivity,
  participationRatio,
  spread,
  topShare,
} from "../../trainer/eval/metrics/latent.ts";
import { classEmbedding, formatEmbedding } from "../../trainer/experiments/class_embedding.ts";
import { exportGenerator } from "../../trainer/export.ts";

await tf.setBackend("cpu");
tf.enableProdMode();

const close = (a: number, b: number, what: string, tol = 1e-6) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} against ${b}`);

Deno.test("participation ratio: n equal weights give n, one weight gives 1", () => {
  assert.equal(participationRatio([1, 1, 1, 1]), 4);
  assert.equal(participationRatio([0, 5, 0, 0]), 1);
  close(participationRatio([3, 1]), 16 / 10, "(3 + 1)² / (9 + 1)");
  assert.throws(() => participationRatio([1, -1]), /weight 1 is -1/);
  assert.throws(() => participationRatio([1, NaN]), /weight 1 is NaN/);
  assert.throws(() => participationRatio([0, 0]), /every weight is 0/);
});

Deno.test("top share: the largest weights' part of the total", () => {
  assert.equal(topShare([1, 4, 0, 3, 2], 2), 0.7);
  assert.equal(topShare([1, 1, 1, 1, 1, 1, 1, 1], 4), 0.5);
  assert.deepEqual(spread([1, 1, 1, 1, 0, 0]), { participation: 4, top4: 1 });
});

Deno.test("embedding weights: e² alone, or e² ‖W_i‖² at the first layer", () => {
  // e = [[1, 2], [0, 3]]; W = [[1, 1], [2, 0]]: ‖W_0‖² = 2, ‖W_1‖² = 4.
  const e = new Float32Array([1, 2, 0, 3]);
  assert.deepEqual(embeddingWeights(e, 2, 2).map((w) => Array.from(w)), [[1, 4], [0, 9]]);
  const kernel = { values: new Float32Array([1, 1, 2, 0]), units: 2 };
  assert.deepEqual(
    embeddingWeights(e, 2, 2, kernel).map((w) => Array.from(w)),
    [[2, 16], [0, 36]],
  );
  assert.throws(() => embeddingWeights(e, 3, 2), /4 values for 3 × 2/);
});

Deno.test("sensitivity of G(z, k) = z ⊙ e_k is e_k² in every direction", async () => {
  const [classes, dim] = [3, 5];
  const e = Float32Array.from({ length: classes * dim }, (_, i) => (i % 4) - 1.5);
  const z = tf.input({ shape: [dim] });
  const label = tf.input({ shape: [1] });
  const embed = tf.layers.embedding({ inputDim: classes, outputDim: dim });
  const embedded = tf.layers.flatten().apply(embed.apply(label)) as tf.SymbolicTensor;
  const out = tf.layers.multiply().apply([z, embedded]) as tf.SymbolicTensor;
  const G = tf.model({ inputs: [z, label], outputs: out });
  embed.setWeights([tf.tensor2d(e, [classes, dim])]);
  const s = await latentSensitivity(G, classes, dim, { n: 4 });
  for (let k = 0; k < classes; k++) {
    for (let i = 0; i < dim; i++) close(s[k][i], e[k * dim + i] ** 2, `class ${k}, z_${i}`, 1e-4);
  }
  G.dispose();
});

Deno.test("deno task class-embedding's measure: class k's embedding uses k + 1 dimensions", async () => {
  const dir = await Deno.makeTempDir();
  const [classes, dim] = [3, 6];
  const output = {
    kind: "image" as const,
    height: 4,
    width: 4,
    channels: 1 as const,
    range: [-1, 1] as [-1, 1],
  };
  const G = buildGenerator({
    id: "mlp",
    latentDim: dim,
    output,
    numClasses: classes,
    generatorHidden: [8],
    discriminatorHidden: [8],
    dropout: 0,
  });
  G.getLayer("g_embed").setWeights([
    tf.tensor2d(
      Float32Array.from(
        { length: classes * dim },
        (_, i) => (i % dim) <= Math.floor(i / dim) ? 1 : 0,
      ),
      [classes, dim],
    ),
  ]);
  await exportGenerator(
    G,
    {
      latent: { dim, distribution: "normal" },
      output,
      classNames: ["a", "b", "c"],
      architecture: { id: "mlp", hyperparameters: {} },
      training: {
        dataset: "folder:x",
        loss: "ns",
        steps: 0,
        seed: 0,
        backend: "cpu",
        date: new Date(0).toISOString(),
      },
      metrics: {},
    },
    "float32",
    dir,
  );
  G.dispose();
  const r = await classEmbedding(dir, { samples: 4 });
  assert.equal(r.firstLayer, `g_dense0 (${dim} × 8)`);
  assert.deepEqual(r.classes.map((c) => c.embedding.participation), [1, 2, 3]);
  assert.deepEqual(r.classes.map((c) => c.meanAbsEmbedding), [1 / 6, 2 / 6, 3 / 6]);
  for (const c of r.classes) {
    assert.ok(c.generator.participation >= 1 && c.generator.participation <= dim + 1e-9);
    assert.ok(c.firstLayer.top4 <= 1 + 1e-9);
  }
  assert.match(formatEmbedding(r), /\| b \| 0\.3333 \| 2\.0 \/ 100 % \|/);
  await Deno.remove(dir, { recursive: true });
});
