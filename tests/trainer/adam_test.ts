/**
 * trainer/adam.ts: the fused Adam update equals tfjs's Adam step for step on
 * wasm, keeps tfjs's optimizer state and frees what it makes. (The update on
 * known values: tests/kernels/adam_update_test.ts.)
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../trainer/backend.ts";
import { FusedAdam } from "../../trainer/adam.ts";
import { Prng } from "@gan-edge/shared/prng";

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
