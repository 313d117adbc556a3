/**
 * The human-readable table of an {@link EvalReport}: one line per measure,
 * each with the protocol that gives it meaning (sample counts, σ, k, the
 * floor of the Fréchet distance). `deno task eval` prints it; `--json`
 * prints the report itself.
 *
 * @module
 */
import type { EvalReport } from "./evaluate.ts";

const f = (v: number, digits = 4) => Number.isFinite(v) ? v.toFixed(digits) : String(v);

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
        }, coverage ${f(i.prdc.coverage, 3)})`,
      ],
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
      ["run", `${d.run} (step ${d.step}, ${d.loss}; ${d.batch} held-out: ${d.heldOut})`],
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
