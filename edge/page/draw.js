/**
 * Drawing the generator's output on the editor's canvas: an image sample
 * pixel for pixel (the canvas is scaled up by CSS, without smoothing), or a
 * point of a points model over a cloud of the model's samples.
 *
 * Browser code (canvas), checked in Chromium by tests/e2e/page_test.ts and
 * tests/edge/page_state_test.ts (rgba); no `@ts-check`, since Deno's type
 * check has no DOM library.
 *
 * @module
 */

/**
 * RGBA pixels of one image sample of shape [h, w, c] (c = 1 or 3), its
 * values mapped from [−1, 1] to [0, 255] exactly as the API's PNGs map them
 * (shared/render/png.ts): rounded, clamped, NaN to 0.
 *
 * @param {Float32Array} values
 * @param {number[]} shape
 * @returns {Uint8ClampedArray<ArrayBuffer>}
 */
export function rgba(values, [h, w, c]) {
  const out = new Uint8ClampedArray(h * w * 4);
  for (let p = 0; p < h * w; p++) {
    for (let k = 0; k < 3; k++) out[p * 4 + k] = toByte(values[p * c + (c === 1 ? 0 : k)]);
    out[p * 4 + 3] = 255;
  }
  return out;
}

/**
 * [−1, 1] → [0, 255], clamped; NaN becomes 0.
 * @param {number} v
 */
function toByte(v) {
  const b = Math.round((v + 1) * 127.5);
  return b > 255 ? 255 : b >= 0 ? b : 0;
}

/**
 * Draws an image sample on `canvas`, which takes the sample's size.
 *
 * @param {HTMLCanvasElement} canvas
 * @param {Float32Array} values
 * @param {number[]} shape [h, w, c]
 */
export function drawImage(canvas, values, shape) {
  const [h, w] = shape;
  if (canvas.width !== w || canvas.height !== h) Object.assign(canvas, { width: w, height: h });
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  ctx.putImageData(new ImageData(rgba(values, shape), w, h), 0, 0);
}

/** Size of the points plot, in canvas pixels. */
const PLOT = 320;

/**
 * The half-width of a square frame around `cloud` (pairs x, y), at least 2,
 * as the API's SVG plots choose theirs: fixed for a model, so a moving
 * point moves on screen rather than the frame around it.
 *
 * @param {Float32Array} cloud
 */
export function extentOf(cloud) {
  let m = 0;
  for (const v of cloud) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return Math.max(2, Math.ceil(m * 1.1));
}

/**
 * Draws the point `xy` (the first two values) in front of `cloud`, samples
 * of the same model (row-major, `dim` values each), on a frame of
 * half-width `extent`. Colours come from the page's CSS variables.
 *
 * @param {HTMLCanvasElement} canvas
 * @param {Float32Array} xy
 * @param {Float32Array} cloud
 * @param {number} dim
 * @param {number} extent
 */
export function drawPoints(canvas, xy, cloud, dim, extent) {
  if (canvas.width !== PLOT) Object.assign(canvas, { width: PLOT, height: PLOT });
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  const style = getComputedStyle(canvas);
  const color = (/** @type {string} */ name) => style.getPropertyValue(name).trim();
  const s = PLOT / (2 * extent);
  const sx = (/** @type {number} */ x) => (x + extent) * s;
  const sy = (/** @type {number} */ y) => (extent - y) * s;
  ctx.fillStyle = color("--plot-bg");
  ctx.fillRect(0, 0, PLOT, PLOT);
  ctx.strokeStyle = color("--plot-axis");
  ctx.beginPath();
  ctx.moveTo(0, PLOT / 2);
  ctx.lineTo(PLOT, PLOT / 2);
  ctx.moveTo(PLOT / 2, 0);
  ctx.lineTo(PLOT / 2, PLOT);
  ctx.stroke();
  ctx.fillStyle = color("--plot-cloud");
  for (let i = 0; i + 1 < cloud.length; i += dim) {
    ctx.fillRect(sx(cloud[i]) - 1.5, sy(cloud[i + 1]) - 1.5, 3, 3);
  }
  ctx.fillStyle = color("--accent");
  ctx.beginPath();
  ctx.arc(sx(xy[0]), sy(dim > 1 ? xy[1] : 0), 7, 0, 2 * Math.PI);
  ctx.fill();
  ctx.fillStyle = color("--plot-axis");
  ctx.font = "11px system-ui, sans-serif";
  ctx.fillText(`±${extent}`, 4, 14);
}
