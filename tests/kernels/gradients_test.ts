/**
 * kernels/training/gradients.ts: leaky ReLU's fused gradient on wasm equals tfjs's
 * formula exactly (first and second order), and frees what it makes.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../trainer/backend.ts";
import { LEAKY_RELU_GRAD, leakyReluBackward } from "@gan-edge/kernels/training";
import { Prng } from "@gan-edge/shared/prng";

Deno.test("leakyReluBackward: dy where x > 0, α·dy (α as float32) at and below 0", () => {
  const out = new Float32Array(5);
  leakyReluBackward(
    Float32Array.of(1, 2, -3, 4, 5),
    Float32Array.of(0.5, -1, 0, 1e-30, NaN),
    0.2,
    out,
  );
  const a = Math.fround(0.2);
  assert.deepEqual(Array.from(out), [
    1,
    Math.fround(2 * a),
    Math.fround(-3 * a),
    4,
    Math.fround(5 * a),
  ]);
});

Deno.test("leakyReluBackward: the branch-free loop equals the branching formula for any α", () => {
  const x = Float32Array.from([...values(997, 5), 0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45]);
  const dy = Float32Array.from([...values(997, 6), 1, -1, 2, 3, -4, 1e30, -1e-40]);
  for (const alpha of [0.2, 0.01, 0.5, 1, 1.5, 3, -0.3, 1e-12, 0]) {
    const a = Math.fround(alpha);
    const want = Float32Array.from(x, (xi, i) => xi > 0 ? dy[i] : a * dy[i]);
    const got = new Float32Array(x.length);
    leakyReluBackward(dy, x, alpha, got);
    assert.deepEqual(got, want, `α = ${alpha}`);
  }
});

/** Seeded values in [−1, 1). */
function values(n: number, seed: number): Float32Array {
  const prng = new Prng(seed);
  return Float32Array.from({ length: n }, () => 2 * prng.uniform() - 1);
}

/** First- and second-order gradients through leaky ReLU, as arrays. */
function gradients(): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor2d(values(64 * 16, 1), [64, 16]);
    const w = tf.tensor2d(values(16 * 8, 2), [16, 8]);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.leakyRelu(tf.matMul(a, b), 0.2)));
    const [dx, dw] = tf.grads(f)([x, w]);
    // WGAN-GP's shape: the gradient of a penalty on the input gradient.
    const penalty = (b: tf.Tensor) => tf.sum(tf.square(tf.grad((a: tf.Tensor) => f(a, b))(x)));
    const d2w = tf.grad(penalty)(w);
    return [dx, dw, d2w].map((t) => t.dataSync() as Float32Array);
  });
}

Deno.test("the fused kernel on wasm equals tfjs's formula on wasm exactly", async () => {
  await selectBackend("wasm");
  assert.ok(tf.getKernel(LEAKY_RELU_GRAD, "wasm"), "the fused kernel is registered on wasm");
  const [fused, formula] = tf.tidy(() => {
    const x = tf.tensor1d([...values(1000, 3), 0, -0, NaN, 1e-30]);
    const dy = tf.tensor1d(values(1004, 4));
    return [
      tf.engine().runKernel(LEAKY_RELU_GRAD, { dy, x }, { alpha: 0.2 }) as tf.Tensor,
      tf.where(tf.greater(x, 0), dy, tf.mul(dy, 0.2)),
    ].map((t) => Array.from(t.dataSync()));
  });
  assert.deepEqual(fused, formula);
});

Deno.test("leaky ReLU's gradients on wasm (first and second order) equal cpu's, without leaks", async () => {
  await selectBackend("cpu");
  const expected = gradients();
  await selectBackend("wasm");
  const before = tf.memory().numTensors;
  const actual = gradients();
  assert.equal(tf.memory().numTensors, before, "no tensor leaks");
  ["dx", "dw", "second-order dw"].forEach((what, i) => {
    assert.ok(actual[i].some((v) => v !== 0), `${what} is not all zero`);
    const scale = Math.max(...expected[i].map(Math.abs));
    const worst = Math.max(...actual[i].map((v, j) => Math.abs(v - expected[i][j])));
    assert.ok(worst <= 1e-5 * scale, `${what}: |Δ| ${worst} against a scale of ${scale}`);
  });
  const profile = await tf.profile(() =>
    tf.grad((a: tf.Tensor) => tf.sum(tf.leakyRelu(a, 0.2)))(tf.ones([4]))
  );
  const names = profile.kernels.map((k) => k.name);
  assert.ok(names.includes(LEAKY_RELU_GRAD), `kernels run: ${names}`);
  assert.ok(!names.includes("Select"), `no Select: ${names}`);
});
