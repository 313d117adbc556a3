/** PNG rendering: the grid, and nearest-neighbour upscaling on known pixels. */
import assert from "node:assert/strict";
import { decode } from "fast-png";
import { pngGrid, upscale } from "@gan-edge/shared/render/png";

Deno.test("upscale: each pixel becomes a scale × scale block, channels kept together", () => {
  // 2 × 2 pixels of 2 channels.
  const data = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(
    [...upscale(data, 2, 2, 2, 2)],
    [
      [1, 2, 1, 2, 3, 4, 3, 4],
      [1, 2, 1, 2, 3, 4, 3, 4],
      [5, 6, 5, 6, 7, 8, 7, 8],
      [5, 6, 5, 6, 7, 8, 7, 8],
    ].flat(),
  );
  assert.deepEqual(
    [...upscale(Uint8Array.from([9, 7]), 2, 1, 1, 3)],
    [
      [9, 9, 9, 7, 7, 7],
      [9, 9, 9, 7, 7, 7],
      [9, 9, 9, 7, 7, 7],
    ].flat(),
  );
  assert.deepEqual(upscale(data, 2, 2, 2, 1), data);
});

Deno.test("pngGrid: values in [-1, 1] as bytes, a white gutter, and the scaled picture", () => {
  // Two 1 × 2 grayscale images side by side: -1, 1 | 0, 2 (clamped).
  const values = Float32Array.from([-1, 1, 0, 2]);
  const plain = decode(pngGrid(values, 2, [1, 2, 1], 2));
  assert.deepEqual([plain.width, plain.height, plain.channels], [6, 1, 1]);
  assert.deepEqual([...plain.data], [0, 255, 255, 255, 128, 255]);
  const scaled = decode(pngGrid(values, 2, [1, 2, 1], 2, 3));
  assert.deepEqual([scaled.width, scaled.height], [18, 3]);
  const row = [0, 255, 255, 255, 128, 255].flatMap((v) => [v, v, v]);
  assert.deepEqual([...scaled.data], [...row, ...row, ...row]);
});
