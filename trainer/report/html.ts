/**
 * `report.html`: the page a person opens instead of reading logs — loss
 * curves, D's outputs against ½, V(G, D) against −log 4, and the fixed-noise
 * samples of every epoch. Self-contained (inline SVG charts), no scripts.
 *
 * @module
 */
import type { StepLog } from "../loop.ts";
import { V_OPTIMUM } from "../losses.ts";

const W = 640;
const H = 220;
const PAD = 36;
const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea"];

interface Series {
  label: string;
  values: (number | null)[];
}

/** Averages `values` over windows so that long runs draw ≤ 400 points. */
function thin(steps: number[], values: (number | null)[]): [number, number][] {
  const window = Math.max(1, Math.ceil(steps.length / 400));
  const out: [number, number][] = [];
  for (let i = 0; i < steps.length; i += window) {
    const part = values.slice(i, i + window).filter((v): v is number =>
      v !== null && Number.isFinite(v)
    );
    if (part.length) {
      out.push([
        steps[Math.min(i + window, steps.length) - 1],
        part.reduce((a, b) => a + b) / part.length,
      ]);
    }
  }
  return out;
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** One line chart; `reference` draws a dashed horizontal line. */
export function lineChart(
  title: string,
  steps: number[],
  series: Series[],
  reference?: { y: number; label: string },
): string {
  const lines = series.map((s) => ({ ...s, points: thin(steps, s.values) }));
  const ys = lines.flatMap((l) => l.points.map((p) => p[1]));
  if (reference) ys.push(reference.y);
  if (ys.length === 0 || steps.length === 0) return "";
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const x0 = steps[0];
  const x1 = Math.max(steps[steps.length - 1], x0 + 1);
  const sx = (x: number) => (PAD + ((x - x0) / (x1 - x0)) * (W - 2 * PAD)).toFixed(1);
  const sy = (y: number) => (H - PAD + -((y - lo) / (hi - lo)) * (H - 2 * PAD)).toFixed(1);
  const paths = lines.map((l, i) =>
    `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5" points="${
      l.points.map(([x, y]) => `${sx(x)},${sy(y)}`).join(" ")
    }"/>`
  ).join("");
  const legend = lines.map((l, i) =>
    `<text x="${PAD + 150 * i}" y="14" fill="${COLORS[i % COLORS.length]}">${
      escape(l.label)
    }</text>`
  ).join("");
  const ref = reference
    ? `<line x1="${PAD}" x2="${W - PAD}" y1="${sy(reference.y)}" y2="${
      sy(reference.y)
    }" stroke="#64748b" stroke-dasharray="4 3"/>` +
      `<text x="${W - PAD}" y="${Number(sy(reference.y)) - 3}" text-anchor="end" fill="#64748b">${
        escape(reference.label)
      }</text>`
    : "";
  return `<figure><figcaption>${escape(title)}</figcaption>` +
    `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="11">` +
    `<rect x="${PAD}" y="${PAD}" width="${W - 2 * PAD}" height="${
      H - 2 * PAD
    }" fill="none" stroke="#e2e8f0"/>` +
    `<text x="4" y="${PAD + 4}">${hi.toPrecision(3)}</text><text x="4" y="${H - PAD}">${
      lo.toPrecision(3)
    }</text>` +
    `<text x="${PAD}" y="${H - 8}">step ${x0}</text><text x="${W - PAD}" y="${
      H - 8
    }" text-anchor="end">step ${x1}</text>` +
    ref + paths + legend + `</svg></figure>`;
}

/** The whole report for a run's log and its per-epoch sample files. */
export function reportHtml(
  title: string,
  logs: StepLog[],
  samples: { epoch: number; file: string }[],
  summary: Record<string, unknown>,
): string {
  const steps = logs.map((l) => l.step);
  const hasV = logs.some((l) => l.V !== null);
  const charts = [
    lineChart("Losses", steps, [{ label: "loss_D", values: logs.map((l) => l.loss_D) }, {
      label: "loss_G",
      values: logs.map((l) => l.loss_G),
    }]),
    lineChart("Discriminator outputs", steps, [{ label: "D(x)", values: logs.map((l) => l.D_x) }, {
      label: "D(G(z))",
      values: logs.map((l) => l.D_G_z),
    }], hasV ? { y: 0.5, label: "½ (optimum)" } : undefined),
    hasV
      ? lineChart("V(G, D)", steps, [{ label: "V", values: logs.map((l) => l.V) }], {
        y: V_OPTIMUM,
        label: "−log 4 (optimum)",
      })
      : "",
    lineChart("Gradient norms", steps, [{ label: "‖∇D‖", values: logs.map((l) => l.grad_norm_D) }, {
      label: "‖∇G‖",
      values: logs.map((l) => l.grad_norm_G),
    }]),
  ].join("\n");
  const rows = Object.entries(summary).map(([k, v]) =>
    `<tr><th>${escape(k)}</th><td>${escape(String(v))}</td></tr>`
  ).join("");
  const gallery = samples.map((s) =>
    `<figure><img src="${
      escape(s.file)
    }" alt="epoch ${s.epoch} samples"><figcaption>epoch ${s.epoch}</figcaption></figure>`
  ).join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#0f172a}figure{display:inline-block;margin:.5rem}
figcaption{font-size:.9rem;color:#475569}img{image-rendering:pixelated;max-width:320px;border:1px solid #e2e8f0}
th{text-align:left;padding-right:1rem;font-weight:500;color:#475569}</style></head><body>
<h1>${
    escape(title)
  }</h1><table>${rows}</table><h2>Curves</h2>${charts}<h2>Fixed-noise samples by epoch</h2>${gallery}
</body></html>\n`;
}
