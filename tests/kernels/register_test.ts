/**
 * kernels/: importing registers nothing; the inference register() replaces
 * only the generator's two kernels; the training register() adds the rest
 * and the gradients.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
// deno-lint-ignore no-import-prefix
import "npm:@tensorflow/tfjs-backend-wasm@4.22.0";
import { INFERENCE_KERNEL_NAMES, register as registerInference } from "@gan-edge/kernels/inference";
import {
  ADAM_UPDATE,
  LEAKY_RELU_GRAD,
  register as registerTraining,
  TRAINING_KERNEL_NAMES,
} from "@gan-edge/kernels/training";

/** The kernel function registered for wasm under each name (undefined: none). */
function registered(names: readonly string[]): Map<string, tf.KernelFunc | undefined> {
  return new Map(names.map((name) => [name, tf.getKernel(name, "wasm")?.kernelFunc]));
}

Deno.test("kernels: import registers nothing; inference then training register() each their own", () => {
  const stock = registered(TRAINING_KERNEL_NAMES);
  // Kernels wasm lacks, and ours under our own names, are not there before register().
  for (
    const name of [tf.Conv2DBackpropFilter, tf.UnsortedSegmentSum, ADAM_UPDATE, LEAKY_RELU_GRAD]
  ) {
    assert.equal(stock.get(name), undefined, `${name} registered on import`);
  }
  assert.equal(tf.getGradient("Greater"), undefined, "a Greater gradient registered on import");

  registerInference();
  const inference = registered(TRAINING_KERNEL_NAMES);
  for (const name of TRAINING_KERNEL_NAMES) {
    if (INFERENCE_KERNEL_NAMES.includes(name)) {
      assert.ok(inference.get(name), `${name}: none after register()`);
      assert.notEqual(inference.get(name), stock.get(name), `${name}: still stock`);
    } else assert.equal(inference.get(name), stock.get(name), `${name}: changed by inference`);
  }
  assert.equal(tf.getGradient("Greater"), undefined, "inference registered a gradient");

  registerTraining();
  const training = registered(TRAINING_KERNEL_NAMES);
  for (const name of TRAINING_KERNEL_NAMES) {
    assert.ok(training.get(name), `${name}: none after the training register()`);
    if (!INFERENCE_KERNEL_NAMES.includes(name)) {
      assert.notEqual(training.get(name), stock.get(name), `${name}: still stock`);
    } else assert.equal(training.get(name), inference.get(name), `${name}: replaced again`);
  }
  assert.ok(tf.getGradient("Greater"), "no Greater gradient after the training register()");

  registerTraining(); // idempotent
  assert.deepEqual(registered(TRAINING_KERNEL_NAMES), training);
});
