import assert from "node:assert/strict";
import { modeCoverage } from "../../trainer/eval/metrics/modes.ts";
import { GRID25, RING8, sampleMixture } from "../../trainer/data/toy.ts";
import { Prng } from "@gan-edge/shared/prng";

Deno.test("real mixture samples: every mode captured, ~all high quality, KL ≈ 0", () => {
  for (const mixture of [RING8, GRID25]) {
    const r = modeCoverage(sampleMixture(mixture, new Prng(1), 2500), mixture);
    assert.equal(r.captured, mixture.modes.length);
    assert.ok(r.highQuality > 0.98, `${mixture.name}: ${r.highQuality}`); // 3σ in 2-D: 98.9%
    assert.ok(r.reverseKl < 0.02, `${mixture.name}: ${r.reverseKl}`);
  }
});

Deno.test("a collapsed generator: one mode, KL = log 8", () => {
  const points = new Float32Array(200).fill(0);
  for (let i = 0; i < 100; i++) points[2 * i] = 1; // all on mode (1, 0)
  const r = modeCoverage(points, RING8);
  assert.equal(r.captured, 1);
  assert.equal(r.highQuality, 1);
  assert.ok(Math.abs(r.reverseKl - Math.log(8)) < 1e-12);
  assert.deepEqual(r.histogram, [100, 0, 0, 0, 0, 0, 0, 0]);
});

Deno.test("points between modes are low quality and capture nothing", () => {
  const r = modeCoverage(new Float32Array([0, 0, 0.5, 0.5]), RING8);
  assert.equal(r.captured, 0);
  assert.equal(r.highQuality, 0);
  assert.equal(r.reverseKl, Infinity);
});

Deno.test("two of four modes evenly: KL = log 2 on a 4-mode view", () => {
  const half = { ...RING8, modes: RING8.modes.slice(0, 4) };
  const points = new Float32Array([1, 0, 1, 0, 0, 1, 0, 1].map((v) => v));
  // modes[0] = (1, 0); modes[2] = (0, 1) in a ring of 8 with 4 kept: (1,0),(√½,√½),(0,1),(−√½,√½)
  const r = modeCoverage(points, half);
  assert.equal(r.captured, 2);
  assert.ok(Math.abs(r.reverseKl - Math.log(2)) < 1e-12);
});

Deno.test("the high-quality radius is 3σ: 2.99σ from a mode counts, 3.01σ does not", () => {
  for (const mixture of [RING8, GRID25]) {
    const [mx, my] = mixture.modes[0];
    const at = (k: number) => [mx + k * mixture.sigma, my];
    const r = modeCoverage(new Float32Array([...at(2.99), ...at(3.01)]), mixture);
    assert.equal(r.highQuality, 0.5, mixture.name);
    assert.equal(r.captured, 1, mixture.name);
    assert.equal(r.histogram[0], 1, mixture.name);
  }
});
