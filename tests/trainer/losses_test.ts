import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import * as losses from "@gan-edge/trainer/losses";

await tf.setBackend("cpu");
tf.enableProdMode();

const value = (t: tf.Tensor) => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};
const close = (a: number, b: number, tol = 1e-5) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);
const logit = (p: number) => Math.log(p / (1 - p));
const t = (xs: number[]) => tf.tensor1d(xs);

Deno.test("V(G, D) = −log 4 ≈ −1.386 when D = ½ everywhere (logit 0)", () => {
  close(losses.V_OPTIMUM, -1.3862943611198906, 1e-15);
  close(value(losses.valueFunction(t([0, 0, 0]), t([0, 0]))), -Math.log(4));
  // Diagnostics at the optimum: D(x) = D(G(z)) = ½, JSD estimate 0.
  const d = losses.diagnostics(t([0, 0]), t([0, 0]));
  const [dx, dgz, v, jsd] = d.dataSync();
  d.dispose();
  close(dx, 0.5);
  close(dgz, 0.5);
  close(v, -Math.log(4));
  close(jsd, 0);
});

Deno.test("V and the minimax losses against hand-computed values", () => {
  // D(x) = 0.9, 0.8; D(G(z)) = 0.2, 0.4.
  const r = t([logit(0.9), logit(0.8)]);
  const f = t([logit(0.2), logit(0.4)]);
  const v = (Math.log(0.9) + Math.log(0.8)) / 2 +
    (Math.log(0.8) + Math.log(0.6)) / 2;
  close(value(losses.valueFunction(r, f)), v);
  close(value(losses.discriminatorBceLoss(r, f)), -v);
  // Saturating G: E[log(1 − D(G(z)))]; non-saturating: −E[log D(G(z))].
  close(
    value(losses.generatorMinimaxLoss(f)),
    (Math.log(0.8) + Math.log(0.6)) / 2,
  );
  close(value(losses.generatorNsLoss(f)), -(Math.log(0.2) + Math.log(0.4)) / 2);
  tf.dispose([r, f]);
});

Deno.test("the logit form stays finite where a sigmoid would saturate", () => {
  const f = t([-200, 200]);
  const ns = value(losses.generatorNsLoss(f));
  close(ns, 100, 1e-3); // softplus(200)/2 + softplus(−(−200))…: (200 + 0)/2
  assert.ok(
    Number.isFinite(value(losses.discriminatorBceLoss(t([-300]), t([300])))),
  );
  f.dispose();
});

Deno.test("non-saturating G has stronger gradients than minimax early on", () => {
  // Early in training D rejects fakes: D(G(z)) ≈ 0.01.
  const grad = (fn: (x: tf.Tensor) => tf.Scalar) => Math.abs(value(tf.grad(fn)(t([logit(0.01)]))));
  const saturating = grad(losses.generatorMinimaxLoss); // = σ = 0.01
  const nonSaturating = grad(losses.generatorNsLoss); // = 1 − σ = 0.99
  close(saturating, 0.01, 1e-6);
  close(nonSaturating, 0.99, 1e-6);
});

Deno.test("Wasserstein, least-squares and hinge losses against hand values", () => {
  const r = t([2, 0]);
  const f = t([-1, 3]);
  close(value(losses.criticWassersteinLoss(r, f)), 1 - 1); // E f − E r = 1 − 1
  close(value(losses.generatorWassersteinLoss(f)), -1);
  close(
    value(losses.discriminatorLsLoss(r, f)),
    0.5 * ((1 + 1) / 2) + 0.5 * ((1 + 9) / 2),
  );
  close(value(losses.generatorLsLoss(f)), 0.5 * ((4 + 4) / 2));
  // hinge: E max(0, 1 − r) = (0 + 1)/2; E max(0, 1 + f) = (0 + 4)/2.
  close(value(losses.discriminatorHingeLoss(r, f)), 0.5 + 2);
  tf.dispose([r, f]);
});

Deno.test("gradient penalty: 0 for unit-norm gradients, λ(‖g‖ − 1)² otherwise", () => {
  const unit = tf.tensor2d([[0.6, 0.8], [1, 0]]);
  close(value(losses.gradientPenalty(unit, 10)), 0, 1e-4);
  const g = tf.tensor2d([[3, 4], [0, 0]]); // norms 5 and 0
  close(value(losses.gradientPenalty(g, 10)), 10 * ((16 + 1) / 2), 1e-3);
  tf.dispose([unit, g]);
});

Deno.test("feature matching: squared distance between batch-mean features", () => {
  const real = tf.tensor2d([[1, 2], [3, 4]]); // mean [2, 3]
  const fake = tf.tensor2d([[0, 0], [2, 2]]); // mean [1, 1]
  close(value(losses.featureMatchingLoss(real, fake)), 1 + 4);
  close(value(losses.featureMatchingLoss(real, real)), 0);
  tf.dispose([real, fake]);
});

Deno.test("loss functions leak no tensors", () => {
  const r = t([0.3, -0.2]);
  const f = t([0.1, 0.5]);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 10; i++) {
    tf.dispose([
      losses.valueFunction(r, f),
      losses.discriminatorBceLoss(r, f),
      losses.generatorNsLoss(f),
      losses.diagnostics(r, f),
      losses.discriminatorHingeLoss(r, f),
    ]);
  }
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([r, f]);
});
