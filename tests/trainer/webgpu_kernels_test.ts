import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../trainer/backend.ts";
import { addNGroups, usesSplitK } from "../../trainer/webgpu_kernels.ts";

const adapter = "gpu" in navigator ? await navigator.gpu.requestAdapter() : null;

Deno.test("addNGroups: consecutive runs of at most `max` inputs", () => {
  assert.deepEqual(addNGroups(9, 7), [[0, 1, 2, 3, 4, 5, 6], [7, 8]]);
  assert.deepEqual(addNGroups(7, 7), [[0, 1, 2, 3, 4, 5, 6]]);
  assert.deepEqual(addNGroups(3, 2), [[0, 1], [2]]);
  assert.throws(() => addNGroups(3, 1), /at least 2 inputs per shader, got 1/);
});

Deno.test("usesSplitK: tfjs-webgpu's choice for the trainer's dense products", () => {
  const threshold = 8;
  // A dense layer's input gradient dy·Wᵀ at batch 64, width 64 (K = 12544): split-K.
  const dz = { a: [64, 12544], b: [64, 12544], transposeA: false, transposeB: true };
  assert.equal(usesSplitK(dz, threshold), true);
  // The same at batch 8 (few rows take twice the tiles) and width 32 (K = 6272).
  assert.equal(usesSplitK({ ...dz, a: [8, 6272], b: [64, 6272] }, threshold), true);
  // The forward product z·W (K = 64) and the weight gradient zᵀ·dy (many tiles): packed.
  assert.equal(
    usesSplitK({ ...dz, b: [64, 12544], a: [64, 64], transposeB: false }, threshold),
    false,
  );
  assert.equal(
    usesSplitK({ a: [64, 64], b: [64, 12544], transposeA: true, transposeB: false }, threshold),
    false,
  );
  // Batched products never take split-K; a forced program type wins.
  assert.equal(usesSplitK({ ...dz, a: [2, 64, 12544], b: [2, 64, 12544] }, threshold), false);
  assert.equal(usesSplitK({ ...dz, a: [64, 64], b: [64, 64] }, threshold, 1), true);
});

Deno.test({
  name: "webgpu AddN sums 8 and more inputs (tfjs binds each as a storage buffer, 8 at most)",
  ignore: !adapter,
  async fn() {
    await selectBackend("webgpu");
    for (const n of [7, 8, 9, 20]) {
      const xs = Array.from({ length: n }, (_, i) => tf.fill([3, 5], i + 1));
      const sum = tf.addN(xs);
      assert.deepEqual(
        Array.from(await sum.data()),
        new Array(15).fill((n * (n + 1)) / 2),
        `n=${n}`,
      );
      tf.dispose([...xs, sum]);
    }
  },
});

Deno.test({
  name: "webgpu matMul with a transposed B over a long inner axis (split-K) is right",
  ignore: !adapter,
  async fn() {
    await selectBackend("webgpu");
    // [rows, K] · [cols, K]ᵀ: vec4 (cols % 4 = 0) and scalar reads, K ≥ 2000.
    for (const [rows, cols, k] of [[64, 64, 12544], [8, 64, 6272], [8, 6, 2001]]) {
      const a = tf.randomNormal([rows, k], 0, 1, "float32", 1);
      const b = tf.randomNormal([cols, k], 0, 1, "float32", 2);
      const got = await tf.matMul(a, b, false, true).data();
      const bias = tf.randomNormal([cols], 0, 1, "float32", 3);
      const fused = await tf.fused.matMul({ a, b, transposeB: true, bias }).data();
      // The reference: the same product with B transposed explicitly (packed program).
      const bT = tf.transpose(b);
      const want = await tf.matMul(a, bT).data();
      const wantFused = await tf.add(tf.matMul(a, bT), bias).data();
      const worst = (x: ArrayLike<number>, y: ArrayLike<number>) =>
        Math.max(...Array.from(x, (v, i) => Math.abs(v - y[i])));
      // |entries| ~ √K ≈ 100: 1e-3 absolute is float32 rounding over K terms.
      assert.ok(
        worst(got, want) < 1e-3,
        `${rows}×${k}·(${cols}×${k})ᵀ: off by ${worst(got, want)}`,
      );
      assert.ok(worst(fused, wantFused) < 1e-3, `fused: off by ${worst(fused, wantFused)}`);
      tf.dispose([a, b, bias, bT]);
    }
  },
});

Deno.test({
  name: "a command the GPU rejects stops the run with the GPU's message",
  ignore: !adapter,
  async fn() {
    const script = `
      import * as tf from "@tensorflow/tfjs";
      import { selectBackend } from "${new URL("../../trainer/backend.ts", import.meta.url)}";
      await selectBackend("webgpu");
      const device = (tf.backend() as unknown as { device: GPUDevice }).device;
      device.createBuffer({ size: 4, usage: 0 }); // usage 0 is invalid
      await new Promise((r) => setTimeout(r, 2000));
      console.log("still running");
    `;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--ext=ts", script],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.notEqual(out.code, 0);
    assert.doesNotMatch(new TextDecoder().decode(out.stdout), /still running/);
    assert.match(stderr, /BackendError: backend webgpu: the GPU rejected a command/);
    assert.match(stderr, /usage/i);
  },
});
