/** What the classifier's predictions say (trainer/eval/metrics/classes.ts), on known values. */
import assert from "node:assert/strict";
import { classHistogram, labelAgreement } from "../../trainer/eval/metrics/classes.ts";

Deno.test("class histogram: even → KL 0, one class → log K", () => {
  const even = classHistogram([0, 1, 2, 3, 0, 1, 2, 3], 4);
  assert.deepEqual(even.counts, [2, 2, 2, 2]);
  assert.equal(even.reverseKl, 0);
  assert.equal(even.present, 4);
  const one = classHistogram([2, 2, 2], 4);
  assert.ok(Math.abs(one.reverseKl - Math.log(4)) < 1e-12);
  assert.equal(one.present, 1);
  // Half and half of 4 classes: KL = log 2.
  assert.ok(Math.abs(classHistogram([0, 1], 4).reverseKl - Math.log(2)) < 1e-12);
});

Deno.test("label agreement: the share of predictions equal to the conditioning label", () => {
  assert.equal(labelAgreement([0, 1, 2, 3], [0, 1, 2, 3]), 1);
  assert.equal(labelAgreement([0, 1, 1, 1], [0, 1, 2, 3]), 0.5);
  // Only the first predicted.length labels count (the metric samples of more generated).
  assert.equal(labelAgreement([2, 2], [2, 0, 9, 9]), 0.5);
  assert.throws(() => labelAgreement([0, 1, 2], [0, 1]), /3 predictions against 2 labels/);
  assert.throws(() => labelAgreement([], []), /0 predictions/);
});
