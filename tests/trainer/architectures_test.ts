/**
 * trainer/architectures.ts: the data scale of a points MLP. G's output is
 * `scale` times, and D's input `1/scale` times, that of the same networks
 * without it; scale 1 adds no layer.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import {
  type ArchitectureSpec,
  buildDiscriminator,
  buildGenerator,
} from "../../trainer/architectures.ts";
import { latents } from "@gan-edge/shared/prng";

await tf.setBackend("cpu");

const POINTS: ArchitectureSpec = {
  id: "mlp",
  latentDim: 4,
  output: { kind: "points", dim: 2 },
  generatorHidden: [16],
  discriminatorHidden: [8],
  dropout: 0,
};

const values = (t: tf.Tensor) => Array.from(t.dataSync());

Deno.test("a points MLP with scale 4: G's output ×4 and D's input ÷4, with the same weights", () => {
  const [G1, D1] = [buildGenerator(POINTS), buildDiscriminator(POINTS)];
  const scaled = { ...POINTS, scale: 4 };
  const [G4, D4] = [buildGenerator(scaled), buildDiscriminator(scaled)];
  G4.setWeights(G1.getWeights());
  D4.setWeights(D1.getWeights());
  assert.ok(G4.getLayer("g_scale") && D4.getLayer("d_scale"), "the scale layers are there");
  tf.tidy(() => {
    const z = tf.tensor2d(latents(1, 8, 4, "normal"), [8, 4]);
    const g1 = values(G1.predict(z) as tf.Tensor);
    const g4 = values(G4.predict(z) as tf.Tensor);
    g1.forEach((v, i) => assert.ok(Math.abs(4 * v - g4[i]) <= 1e-6 * Math.abs(g4[i]) + 1e-7));
    const x = tf.tensor2d(latents(2, 8, 2, "normal"), [8, 2]);
    const d1 = values(D1.predict(x) as tf.Tensor);
    const d4 = values(D4.predict(tf.mul(x, 4)) as tf.Tensor);
    d1.forEach((v, i) => assert.ok(Math.abs(v - d4[i]) <= 1e-5, `${v} vs ${d4[i]}`));
  });
  [G1, D1, G4, D4].forEach((m) => m.dispose());
});

Deno.test("scale 1, or none, adds no layer; images never get one", () => {
  for (const spec of [POINTS, { ...POINTS, scale: 1 }]) {
    const [G, D] = [buildGenerator(spec), buildDiscriminator(spec)];
    const names = [...G.layers, ...D.layers].map((l) => l.getClassName());
    assert.ok(!names.includes("Rescaling"), `${names}`);
    G.dispose();
    D.dispose();
  }
  const image: ArchitectureSpec = {
    ...POINTS,
    output: { kind: "image", height: 4, width: 4, channels: 1, range: [-1, 1] },
    scale: 4,
  };
  const G = buildGenerator(image);
  assert.ok(!G.layers.some((l) => l.getClassName() === "Rescaling"));
  G.dispose();
});
