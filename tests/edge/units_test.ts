/** The edge's small pure parts: latent codec, truncation, slerp, SVG. */
import assert from "node:assert/strict";
import { decodeLatent, encodeLatent } from "@gan-edge/shared/api";
import { slerp, truncate } from "@gan-edge/edge/latent";
import { scatterSvg } from "@gan-edge/shared/render/svg";
import { latents } from "@gan-edge/shared/prng";

Deno.test("latent codec: base64url round trip, lists, and what is wrong", () => {
  const z = latents(3, 1, 5, "normal");
  assert.deepEqual(decodeLatent(encodeLatent(z), 5), z);
  assert.deepEqual(decodeLatent("1, -2.5,3e-1,0,4", 5), Float32Array.from([1, -2.5, 0.3, 0, 4]));
  assert.deepEqual(decodeLatent("0.5", 1), Float32Array.from([0.5]));
  assert.deepEqual(decodeLatent(encodeLatent(Float32Array.from([2])), 1), Float32Array.from([2]));
  const wrong: [string, number, RegExp][] = [
    ["1,2", 3, /expected 3 comma-separated numbers, got 2/],
    ["1,x,3", 3, /entry 1 \("x"\) is not a decimal number/],
    ["1,NaN,3", 3, /entry 1 \("NaN"\) is not a decimal number/],
    ["1,Infinity,3", 3, /entry 1/],
    ["1,1e39,3", 3, /entry 1 is not a finite number/],
    ["1,1001,3", 3, /entry 1 is out of range/],
    ["AAAA", 3, /base64url of 3 little-endian float32 \(16 characters\)/],
    ["AAAAAAAAAAAAAAA!", 3, /base64url/],
    [encodeLatent(Float32Array.from([NaN, 0, 0])), 3, /entry 0 is not a finite number/],
    [encodeLatent(Float32Array.from([0, Infinity, 0])), 3, /entry 1 is not a finite number/],
  ];
  for (const [text, dim, message] of wrong) {
    const result = decodeLatent(text, dim);
    assert.equal(typeof result, "string", text);
    assert.match(result as string, message);
  }
});

Deno.test("truncate clips in place; slerp ends at both latents, stays on the arc", () => {
  assert.deepEqual(truncate(Float32Array.from([-3, 0.2, 3]), 1), Float32Array.from([-1, 0.2, 1]));
  const a = Float32Array.from([1, 0]), b = Float32Array.from([0, 1]);
  const path = slerp(a, b, 3);
  assert.deepEqual(Array.from(path.subarray(0, 2)), [1, 0]);
  assert.ok(Math.abs(path[4]) < 1e-7 && Math.abs(path[5] - 1) < 1e-7);
  assert.ok(Math.abs(Math.hypot(path[2], path[3]) - 1) < 1e-6, "unit norm mid-way");
  assert.ok(Math.abs(path[2] - Math.SQRT1_2) < 1e-6);
  // Parallel latents fall back to a linear path.
  assert.deepEqual(Array.from(slerp(a, Float32Array.from([2, 0]), 3)), [1, 0, 1.5, 0, 2, 0]);
});

Deno.test("SVG scatter: a fixed frame of at least ±2, and non-finite points left out", () => {
  const svg = scatterSvg([[0, 0], [1, 1], [NaN, 1]]);
  assert.equal(svg.match(/<circle /g)?.length, 2);
  assert.match(svg, /±2</);
  assert.match(scatterSvg([[4.5, 0]]), /±5</);
});
