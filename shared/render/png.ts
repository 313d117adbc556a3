/**
 * Image samples as PNG: one image, or a grid of them with a 2-pixel gutter.
 * Pixel values go from the generator's range [−1, 1] to bytes [0, 255].
 *
 * @module
 */
import { encode } from "fast-png";

/** Gutter between grid cells, in pixels. */
const GUTTER = 2;
/** Gutter colour: white, so dark samples stand apart. */
const GUTTER_VALUE = 255;

/**
 * Encodes `n` images of shape [h, w, c] (row-major NHWC in `values`) as one
 * PNG: the image itself when n is 1, else a grid with `columns` columns
 * (default ⌈√n⌉), filled left to right, top to bottom. With `scale` above 1,
 * the whole picture is upscaled by nearest neighbour: each pixel becomes a
 * `scale` × `scale` block, so 28-pixel samples can be looked at.
 */
export function pngGrid(
  values: Float32Array,
  n: number,
  [h, w, c]: number[],
  columns = Math.ceil(Math.sqrt(n)),
  scale = 1,
): Uint8Array {
  const cols = Math.min(columns, n);
  const rows = Math.ceil(n / cols);
  const width = cols * w + (cols - 1) * GUTTER;
  const height = rows * h + (rows - 1) * GUTTER;
  const data = new Uint8Array(width * height * c).fill(GUTTER_VALUE);
  for (let i = 0; i < n; i++) {
    const x0 = (i % cols) * (w + GUTTER);
    const y0 = Math.floor(i / cols) * (h + GUTTER);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let k = 0; k < c; k++) {
          const v = values[((i * h + y) * w + x) * c + k];
          data[((y0 + y) * width + x0 + x) * c + k] = toByte(v);
        }
      }
    }
  }
  if (scale === 1) return encode({ width, height, data, depth: 8, channels: c });
  return encode({
    width: width * scale,
    height: height * scale,
    data: upscale(data, width, height, c, scale),
    depth: 8,
    channels: c,
  });
}

/**
 * `data` (`width` × `height` pixels of `c` bytes) upscaled `scale` times by
 * nearest neighbour: each row is widened once, then copied `scale` times.
 * (Written here: fast-png encodes only, and nearest neighbour is this loop.)
 */
export function upscale(
  data: Uint8Array,
  width: number,
  height: number,
  c: number,
  scale: number,
): Uint8Array {
  const rowBytes = width * scale * c;
  const out = new Uint8Array(rowBytes * height * scale);
  for (let y = 0; y < height; y++) {
    const row = y * scale * rowBytes;
    for (let x = 0; x < width; x++) {
      const pixel = data.subarray((y * width + x) * c, (y * width + x + 1) * c);
      for (let s = 0; s < scale; s++) out.set(pixel, row + (x * scale + s) * c);
    }
    for (let s = 1; s < scale; s++) out.copyWithin(row + s * rowBytes, row, row + rowBytes);
  }
  return out;
}

/** [−1, 1] → [0, 255], clamped; NaN becomes 0. */
function toByte(v: number): number {
  const b = Math.round((v + 1) * 127.5);
  return b > 255 ? 255 : b >= 0 ? b : 0;
}
