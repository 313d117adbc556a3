/**
 * Points samples as an SVG scatter plot (the first two coordinates), on a
 * square frame that depends only on the data's extent rounded up, so that a
 * point that moves a little moves on screen rather than the frame with it.
 *
 * @module
 */

/** Size of the drawing, in CSS pixels. */
const SIZE = 320;

/**
 * An SVG scatter plot of `points` (each [x, y, ...]). With `path`, the points
 * are also joined in order (an interpolation).
 */
export function scatterSvg(points: number[][], path = false): string {
  const finite = points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1] ?? 0));
  const extent = Math.max(
    2,
    ...finite.map((p) => Math.ceil(Math.max(Math.abs(p[0]), Math.abs(p[1] ?? 0)) * 1.1)),
  );
  const scale = SIZE / (2 * extent);
  const sx = (x: number) => ((x + extent) * scale).toFixed(2);
  const sy = (y: number) => ((extent - y) * scale).toFixed(2);
  const r = points.length > 16 ? 3 : 5;
  const dots = finite.map((p, i) =>
    `<circle cx="${sx(p[0])}" cy="${sy(p[1] ?? 0)}" r="${r}" fill="${
      path ? hue(i, finite.length) : "#2563eb"
    }" fill-opacity="0.8"/>`
  ).join("");
  const line = path && finite.length > 1
    ? `<polyline points="${
      finite.map((p) => `${sx(p[0])},${sy(p[1] ?? 0)}`).join(" ")
    }" fill="none" stroke="#94a3b8" stroke-width="1.5"/>`
    : "";
  const mid = (SIZE / 2).toFixed(2);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">` +
    `<rect width="${SIZE}" height="${SIZE}" fill="#fff"/>` +
    `<path d="M0 ${mid}H${SIZE}M${mid} 0V${SIZE}" stroke="#e2e8f0"/>` +
    `<text x="4" y="14" font-family="sans-serif" font-size="11" fill="#64748b">±${extent}</text>` +
    line + dots + `</svg>`;
}

/** A colour from blue (first) to red (last), to show an order. */
function hue(i: number, count: number): string {
  const t = count > 1 ? i / (count - 1) : 0;
  return `hsl(${Math.round(220 - 220 * t)} 80% 50%)`;
}
