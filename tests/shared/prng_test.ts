import assert from "node:assert/strict";
import { assertSeed, detCos2Pi, detLog, latents, MAX_SEED, Prng } from "@gan-edge/shared/prng";

// Known values below come from tests/shared/prng_reference.py, an independent
// Python implementation of the same algorithm.

Deno.test("xoshiro128** from state (1,2,3,4) gives the reference outputs", () => {
  const p = Prng.fromState([1, 2, 3, 4]);
  const out = Array.from({ length: 6 }, () => p.nextUint32());
  assert.deepEqual(out, [11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
});

Deno.test("SplitMix32 seeding gives the reference stream for seeds 42 and 2^32−1", () => {
  const a = new Prng(42);
  assert.deepEqual(Array.from({ length: 4 }, () => a.nextUint32()), [
    660444221,
    3652823732,
    77672526,
    910233633,
  ]);
  const b = new Prng(MAX_SEED);
  assert.deepEqual([b.nextUint32(), b.nextUint32()], [4104197751, 1825856343]);
});

Deno.test("seed 0 gives the reference float32 normals, bit for bit", () => {
  assert.deepEqual(Array.from(latents(0, 6, 1, "normal")), [
    1.3202141523361206,
    0.8199025988578796,
    0.7449097037315369,
    -1.245806336402893,
    0.5799557566642761,
    1.3532406091690063,
  ]);
});

Deno.test("detLog matches Math.log to within 2 ulp over (0, 1]", () => {
  const p = new Prng(1);
  for (let i = 0; i < 20000; i++) {
    const u = i < 10 ? 2 ** -i : p.uniform();
    const exact = Math.log(u);
    assert.ok(
      Math.abs(detLog(u) - exact) <= 4.5e-16 * Math.max(1, Math.abs(exact)),
      `detLog(${u}) = ${detLog(u)}, Math.log = ${exact}`,
    );
  }
  assert.throws(() => detLog(0), /positive finite/);
});

Deno.test("detCos2Pi matches Math.cos(2πu) to 1e-15 on [0, 1)", () => {
  const p = new Prng(2);
  for (const u of [0, 0.125, 0.25, 0.375, 0.5, 0.75, 0.999]) {
    assert.ok(
      Math.abs(detCos2Pi(u) - Math.cos(2 * Math.PI * u)) < 1e-15,
      `u = ${u}`,
    );
  }
  for (let i = 0; i < 20000; i++) {
    const u = p.uniform();
    assert.ok(
      Math.abs(detCos2Pi(u) - Math.cos(2 * Math.PI * u)) < 1e-15,
      `u = ${u}`,
    );
  }
});

Deno.test("normals have mean 0 and variance 1; uniforms lie in (−1, 1)", () => {
  const z = latents(3, 100000, 1, "normal");
  const mean = z.reduce((a, b) => a + b, 0) / z.length;
  const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length;
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.02, `variance ${variance}`);
  const u = latents(3, 10000, 1, "uniform");
  assert.ok(u.every((v) => v > -1 && v < 1));
});

Deno.test("same seed, same latents; more vectors extend the list; seeds differ", () => {
  assert.deepEqual(latents(9, 4, 8, "normal"), latents(9, 4, 8, "normal"));
  assert.deepEqual(
    latents(9, 8, 8, "normal").subarray(0, 32),
    latents(9, 4, 8, "normal"),
  );
  assert.notDeepEqual(latents(9, 1, 8, "normal"), latents(10, 1, 8, "normal"));
});

Deno.test("state() and fromState() resume the same stream", () => {
  const a = new Prng(5);
  a.normal();
  const b = Prng.fromState(a.state());
  assert.deepEqual([a.normal(), a.nextUint32()], [b.normal(), b.nextUint32()]);
  assert.throws(() => Prng.fromState([0, 0, 0, 0]), /not all 0/);
});

Deno.test("seeds outside [0, 2^32 − 1] are refused with the range", () => {
  for (const bad of [-1, 1.5, MAX_SEED + 1, NaN]) {
    assert.throws(
      () => assertSeed(bad),
      /seed: expected an integer in \[0, 4294967295\]/,
    );
  }
});
