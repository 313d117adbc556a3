/**
 * kernels/training/adam_update.ts: one Adam step over arrays, on known values.
 * (The kernel on wasm against tfjs's Adam: tests/trainer/adam_test.ts.)
 */
import assert from "node:assert/strict";
import { adamUpdate } from "@gan-edge/kernels/training";

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
