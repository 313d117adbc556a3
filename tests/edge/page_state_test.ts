/**
 * The demo page's plain-JS modules, run in Deno: the permalink
 * (edge/page/state.js), the pixels it draws (draw.js, against the API's PNG
 * mapping) and the per-entry effect measure that orders its sliders
 * (generator.js's latentEffects).
 */
import assert from "node:assert/strict";
import { decode } from "fast-png";
import { pngGrid } from "@gan-edge/shared/render/png";
import { DEFAULT_STATE, randomLatent, readState, writeState } from "../../edge/page/state.js";
import { rgba } from "../../edge/page/draw.js";
import { latentEffects } from "../../edge/page/generator.js";

const FACTS = { dim: 4, classes: 10, maxSteps: 64 };

Deno.test("page state: every field survives the URL, bit for bit", () => {
  const state = {
    model: "0123456789abcdef".repeat(4),
    seed: 4294967295,
    cls: 9,
    truncation: 0.75,
    z: new Float32Array([0.1, -2.5, 1e-7, 3]),
    to: 0,
    steps: 64,
  };
  const query = writeState(state);
  const back = readState(query, FACTS);
  assert.deepEqual(back.problems, []);
  assert.deepEqual(back.state, state);
  assert.deepEqual(new Uint8Array(back.state.z!.buffer), new Uint8Array(state.z.buffer));
});

Deno.test("page state: defaults are left out of the URL, and an empty URL gives them", () => {
  assert.equal(writeState(DEFAULT_STATE), "");
  assert.deepEqual(readState("", FACTS), { state: DEFAULT_STATE, problems: [] });
  assert.equal(writeState({ ...DEFAULT_STATE, seed: 7 }), "seed=7");
});

Deno.test("page state: a bad value keeps its default and is named; the rest is read", () => {
  const { state, problems } = readState(
    "model=abc&seed=12&class=10&truncation=0&z=abc&to=-1&steps=1&other=x",
    FACTS,
  );
  assert.deepEqual(state, { ...DEFAULT_STATE, seed: 12 });
  assert.deepEqual(problems, [
    'model: expected a model\'s hash (64 hex digits), got "abc"',
    'class: expected an integer in [0, 9], got "10"',
    'truncation: expected a decimal number in (0, 100], got "0"',
    "z: expected 4 comma-separated numbers or base64url of 4 little-endian float32 (22 characters)",
    'to: expected an integer in [0, 4294967295], got "-1"',
    'steps: expected an integer in [2, 64], got "1"',
  ]);
  assert.deepEqual(readState("class=1", { ...FACTS, classes: 0 }).problems, [
    "class: this model has no classes",
  ]);
  assert.deepEqual(readState("steps=9", { ...FACTS, maxSteps: 8 }).problems, [
    'steps: expected an integer in [2, 8], got "9"',
  ]);
  assert.match(readState("z=1,2,3,1e9", FACTS).problems[0], /^z: entry 3 is out of range/);
});

Deno.test("randomLatent: normal draws have mean 0 and variance 1; uniform ones stay in (-1, 1)", () => {
  let s = 1;
  const random = () => (s = (s * 16807) % 2147483647) / 2147483647; // a seeded stand-in
  const z = randomLatent(20_000, "normal", random);
  const mean = z.reduce((a, b) => a + b, 0) / z.length;
  const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length;
  assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
  const u = randomLatent(1000, "uniform", random);
  assert.ok(u.every((v) => v > -1 && v < 1));
});

Deno.test("draw.rgba maps values to the bytes of the API's PNG", () => {
  const values = Float32Array.from({ length: 2 * 3 }, (_, i) => -1.2 + i * 0.45);
  values[5] = NaN;
  const png = decode(pngGrid(values, 1, [2, 3, 1]));
  const pixels = rgba(values, [2, 3, 1]);
  for (let p = 0; p < 6; p++) {
    assert.deepEqual([...pixels.subarray(p * 4, p * 4 + 4)], [
      png.data[p],
      png.data[p],
      png.data[p],
      255,
    ]);
  }
  assert.deepEqual([...rgba(new Float32Array([-1, 0, 1]), [1, 1, 3])], [0, 128, 255, 255]);
});

Deno.test("latentEffects: each entry's mean output change, from one batch", () => {
  // A stand-in generator: two outputs, 2·z1 and −z3 (z0 and z2 do nothing).
  let calls = 0;
  const run = (z: Float32Array, n: number, labels?: ArrayLike<number>) => {
    calls++;
    assert.deepEqual(Array.from(labels!), new Array(n).fill(7));
    return Float32Array.from({ length: 2 * n }, (_, k) => {
      const row = z.subarray(Math.floor(k / 2) * 4);
      return k % 2 === 0 ? 2 * row[1] : -row[3];
    });
  };
  const effects = latentEffects(run, new Float32Array([0.5, 1, -1, 2]), 7);
  assert.equal(calls, 1);
  assert.deepEqual(Array.from(effects), [0, 1, 0, 0.5]);
});
