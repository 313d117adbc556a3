/**
 * trainer/adam.ts: the fused Adam update equals tfjs's Adam (on known values,
 * and step for step on wasm), keeps tfjs's optimizer state and frees what it
 * makes.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../trainer/backend.ts";
import { adamUpdate, FusedAdam } from "../../trainer/adam.ts";
import { Prng } from "@gan-edge/shared/prng";

Deno.test("adamUpdate: Adam's first step moves each weight by lr against its gradient's sign", () => {
  const x = Float32Array.of(1, 1, -2);
  const m = new Float32Array(3);
  const v = new Float32Array(3);
  const g = Float32Array.of(0.5, -4, 0.25);
  adamUpdate(x, m, v, g, {
    lr: 0.1,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 0,
    correction1: 1 - 0.9,
    correction2: 1 - 0.999,
  });
  // m = 0.1·g, v = 0.001·g², so m/c1 = g and √(v/c2) = |g|: a step of lr.
  const close = (got: Float32Array, want: number[]) =>
    want.forEach((w, i) =>
      assert.ok(Math.abs(got[i] - w) <= 1e-6 * Math.abs(w), `${got[i]} ≠ ${w}`)
    );
  close(x, [0.9, 1.1, -2.1]);
  close(m, [0.05, -0.4, 0.025]);
  close(v, [0.00025, 0.016, 0.0000625]);
});

Deno.test("adamUpdate: a second step with the bias corrections of step 2", () => {
  const x = Float32Array.of(0);
  const m = Float32Array.of(0.1);
  const v = Float32Array.of(0.01);
  adamUpdate(x, m, v, Float32Array.of(2), {
    lr: 1,
    beta1: 0.5,
    beta2: 0.5,
    epsilon: 0,
    correction1: 0.75,
    correction2: 0.75,
  });
  // m = 0.05 + 1 = 1.05, v = 0.005 + 2 = 2.005; x = −(1.05/0.75)/√(2.005/0.75).
  assert.equal(m[0], Math.fround(1.05));
  assert.equal(v[0], Math.fround(2.005));
  assert.ok(Math.abs(x[0] - -(1.05 / 0.75) / Math.sqrt(2.005 / 0.75)) < 1e-6, `x = ${x[0]}`);
});

/** Runs `steps` updates of `opt` on two variables with seeded gradients. */
async function train(opt: tf.Optimizer, steps: number): Promise<Float32Array[]> {
  const prng = new Prng(5);
  const draw = (n: number) => Float32Array.from({ length: n }, () => 2 * prng.uniform() - 1);
  const a = tf.tidy(() =>
    tf.variable(tf.tensor2d(draw(12), [3, 4]), true, `adam_test_a_${crypto.randomUUID()}`)
  );
  const b = tf.tidy(() =>
    tf.variable(tf.tensor1d(draw(4)), true, `adam_test_b_${crypto.randomUUID()}`)
  );
  for (let i = 0; i < steps; i++) {
    const ga = tf.tensor2d(draw(12), [3, 4]);
    const gb = tf.tensor1d(draw(4));
    opt.applyGradients([{ name: a.name, tensor: ga }, { name: b.name, tensor: gb }]);
    tf.dispose([ga, gb]);
  }
  const weights = await opt.getWeights();
  const out = [a, b, ...weights.slice(1).map((w) => w.tensor)].map((t) =>
    t.dataSync() as Float32Array
  );
  assert.deepEqual(weights.slice(1).map((w) => w.name), [
    `${a.name}/m`,
    `${b.name}/m`,
    `${a.name}/v`,
    `${b.name}/v`,
  ]);
  tf.dispose([a, b, weights[0].tensor]); // [0] is a new scalar: the iteration count
  return out;
}

Deno.test("FusedAdam on wasm equals tfjs's Adam step for step, without leaks", async () => {
  await selectBackend("wasm");
  const fused = new FusedAdam(0.01, 0.5, 0.99);
  const before = tf.memory().numTensors;
  const ours = await train(fused, 20);
  const stock = tf.train.adam(0.01, 0.5, 0.99);
  const theirs = await train(stock, 20);
  ours.forEach((values, k) => {
    values.forEach((value, i) => {
      const want = theirs[k][i];
      assert.ok(
        Math.abs(value - want) <= 1e-5 * Math.abs(want) + 1e-7,
        `tensor ${k}[${i}]: fused ${value}, tfjs ${want}`,
      );
    });
  });
  // The fused optimizer holds its 4 moments and 2 β-powers, as tfjs's does.
  fused.dispose();
  stock.dispose();
  assert.equal(tf.memory().numTensors, before - 2);
});

Deno.test("FusedAdam off wasm is tfjs's Adam exactly", async () => {
  await selectBackend("cpu");
  const ours = await train(new FusedAdam(0.01, 0.5, 0.99), 5);
  const theirs = await train(tf.train.adam(0.01, 0.5, 0.99), 5);
  assert.deepEqual(ours, theirs);
});
