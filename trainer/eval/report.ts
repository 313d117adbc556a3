/**
 * The human-readable table of an {@link EvalReport}: one line per measure,
 * each with the protocol that gives it meaning (sample counts, σ, k, the
 * floor of the Fréchet distance). `deno task eval` prints it; `--json`
 * prints the report itself.
 *
 * @module
 */
import type { EvalReport } from "./evaluate.ts";
import type { PixelReport } from "./metrics/diversity.ts";

const f = (v: number, digits = 4) => Number.isFinite(v) ? v.toFixed(digits) : String(v);

const percent = (x: number) => `${(100 * x).toFixed(x > 0 && x < 0.001 ? 3 : 2)} %`;

/** The pixel-space lines: each generated figure beside the real test images'. */
function pixelLines(p: PixelReport, names: string[]): [string, string][] {
  const d = p.nearDuplicates;
  const w = p.withinClass;
  return [
    [
      "near-duplicates",
      `${percent(d.generated)} of samples (real test images: ${percent(d.real)}) have a twin ` +
      `closer than ${d.threshold} (pixel L2, images in ${p.scale}); nearest-sample distance ` +
      `median ${f(d.medianNearest.generated, 2)} (real ${f(d.medianNearest.real, 2)}), ` +
      `1st percentile ${f(d.p01Nearest.generated, 2)} (real ${f(d.p01Nearest.real, 2)})`,
    ],
    [
      "within-class dist.",
      `${f(w.generatedMean, 2)} (real ${f(w.realMean, 2)}): mean pairwise pixel L2 per ` +
      `class (by ${w.by}), averaged; per class ` +
      names.map((n, k) => `${n} ${f(w.generated[k], 2)}/${f(w.real[k], 2)}`).join(", "),
    ],
    [
      "pixel P/R",
      `${f(p.prdc.precision, 3)} / ${f(p.prdc.recall, 3)} (k = ${p.prdc.k}; density ${
        f(p.prdc.density, 3)
      }, coverage ${f(p.prdc.coverage, 3)}; pixels${
        p.prdcTrainTest
          ? `; train vs test ${f(p.prdcTrainTest.precision, 3)} / ${f(p.prdcTrainTest.recall, 3)}`
          : ""
      })`,
    ],
  ];
}

/** The human-readable table of a report. */
export function formatReport(r: EvalReport): string {
  const lines: [string, string][] = [["dataset", r.dataset]];
  if (r.modes) {
    const m = r.modes;
    lines.push(
      ["samples", String(m.samples)],
      ["modes captured", `${m.captured} / ${m.modes}`],
      ["high quality", `${(100 * m.highQuality).toFixed(1)} % (within 3σ of the nearest mode)`],
      ["reverse KL", `${f(m.reverseKl)} nats (mode histogram vs uniform)`],
      ["per-mode histogram", m.histogram.join(" ")],
    );
  }
  if (r.images) {
    const i = r.images;
    lines.push([
      "generated",
      `${i.generated} samples (latent seed ${r.seed}); the first ${i.metricSamples} for FD, P/R, classes`,
    ]);
    if (i.parzen) {
      const p = i.parzen;
      lines.push([
        "Parzen log-lik.",
        `${p.mean.toFixed(1)} ± ${p.stderr.toFixed(1)} nats (σ = ${p.sigma.toFixed(4)}, ` +
        `images in ${p.scale}; ${p.samples} samples, σ on ${p.validation} training-split ` +
        `images, ${p.test} test images)`,
      ]);
    }
    lines.push(
      [
        "Fréchet distance",
        `${f(i.frechet, 3)} (train vs test: ${
          f(i.frechetTrainTest, 3)
        }; ${i.classifier.featureDim}-d ` +
        `features of our classifier, ${
          (100 * i.classifier.testAccuracy).toFixed(1)
        } % test accuracy; not Inception FID)`,
      ],
      [
        "precision/recall",
        `${f(i.prdc.precision, 3)} / ${f(i.prdc.recall, 3)} (k = ${i.prdc.k}; density ${
          f(i.prdc.density, 3)
        }, coverage ${f(i.prdc.coverage, 3)}; classifier features; train vs test ${
          f(i.prdcTrainTest.precision, 3)
        } / ${f(i.prdcTrainTest.recall, 3)})`,
      ],
      ...pixelLines(i.pixels, i.classes.names),
      [
        "class histogram",
        i.classes.names.map((n, k) => `${n} ${i.classes.counts[k]}`).join(", "),
      ],
      [
        "class reverse KL",
        `${f(i.classes.reverseKl)} nats (0: even; log ${i.classes.counts.length} = ${
          f(Math.log(i.classes.counts.length))
        }: one class)`,
      ],
    );
    if (i.classes.labelAgreement !== null) {
      lines.push([
        "label agreement",
        `${(100 * i.classes.labelAgreement).toFixed(1)} % (classifier = conditioning label)`,
      ]);
    }
  }
  if (r.diagnostics) {
    const d = r.diagnostics;
    lines.push(
      [
        "run",
        `${d.run} (step ${d.step}, ${d.loss}; ${d.batch} held-out: ${d.heldOut})` +
        (d.keptFrom ? `; kept from ${d.keptFrom}, not measured now` : ""),
      ],
      ["D(x)", f(d.D_x)],
      ["D(G(z))", f(d.D_G_z)],
      [
        "V(G,D)",
        d.V === null
          ? `- (${d.loss} is not the minimax family)`
          : `${f(d.V)} (optimum −log 4 = ${f(d.optimum)}; gap ${f(d.gap!)})`,
      ],
    );
  }
  lines.push(["seconds", String(r.seconds)]);
  return lines.map(([k, v]) => `${k.padEnd(18)} ${v}`).join("\n");
}
