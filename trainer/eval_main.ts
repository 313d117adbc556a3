/**
 * `deno task eval --model DIR [--dataset D] [--run DIR] [--json] …`: measures
 * a generator artifact the way the papers do, prints a table (or JSON with
 * `--json`) and writes `eval.json` and a sample picture (`samples.svg` for
 * points, `samples.png` for images) beside the model.
 *
 * - Points (ring8, grid25): mode coverage with the VEEGAN/PacGAN protocol
 *   (./eval/modes.ts).
 * - Images (fashion-mnist, mnist): Parzen-window log-likelihood with
 *   Goodfellow et al. 2014's protocol (./eval/parzen.ts); Fréchet distance
 *   and k-NN precision/recall in the features of our shipped classifier
 *   (./eval/frechet.ts, ./eval/prdc.ts); the classifier's class histogram of
 *   the samples and its KL from uniform (./eval/classifier.ts).
 * - `--run DIR`: D(x), D(G(z)) and V(G, D) against −log 4 from the run's last
 *   checkpoint (./eval/diagnostics.ts).
 *
 * @module
 */
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { recordMetrics } from "./export.ts";
import * as tf from "@tensorflow/tfjs";
import { sampleShape } from "./architectures.ts";
import { decodeArtifact } from "@gan-edge/shared/artifact";
import { latents } from "@gan-edge/shared/prng";
import { pngGrid } from "@gan-edge/shared/render/png";
import { scatterSvg } from "@gan-edge/shared/render/svg";
import type { GanMetadata } from "@gan-edge/shared/schema";
import { type BackendName, selectBackend } from "./backend.ts";
import { BACKENDS } from "./config.ts";
import { MIXTURES } from "./data/toy.ts";
import type { ImageSet } from "./data/images.ts";
import { IDX_DATASETS, loadIdxDataset } from "./data/mnist.ts";
import {
  argmaxRows,
  type ClassHistogram,
  classHistogram,
  type Classifier,
  type ClassifierInfo,
  CLASSIFIERS_DIR,
  classify,
  loadClassifier,
  toClassifierInput,
} from "./eval/classifier.ts";
import { type DiagnosticsReport, runDiagnostics } from "./eval/diagnostics.ts";
import { fitGaussian, frechetDistance } from "./eval/frechet.ts";
import { modeCoverage, type ModeReport } from "./eval/modes.ts";
import {
  PAPER_PROTOCOL,
  PAPER_SIGMAS,
  parzenEvaluate,
  type ParzenReport,
  toUnitInterval,
} from "./eval/parzen.ts";
import { type PrdcReport, precisionRecall } from "./eval/prdc.ts";

/**
 * Loads the artifact in `dir` (validated) as a tfjs model; errors name the
 * folder and the file that could not be read or did not validate.
 */
export async function loadArtifact(dir: string) {
  const read = (name: string) =>
    Deno.readFile(`${dir}/${name}`).catch((e) => {
      throw new Error(`cannot read ${dir}/${name} (${(e as Error).message})`);
    });
  let decoded;
  try {
    decoded = await decodeArtifact(await read("model.json"), read);
  } catch (e) {
    throw new Error(`${dir} is not a usable model folder: ${(e as Error).message}`);
  }
  const model = await tf.loadLayersModel(
    tf.io.fromMemory(decoded.modelArtifacts),
  );
  return { decoded, model };
}

/** Settings of an evaluation; every field has the papers' default. */
export interface EvalOptions {
  /** Dataset to measure against (default: the one the model was trained on). */
  dataset?: string;
  /** Seed of the generated latents. */
  seed?: number;
  /** Points models: generated points (VEEGAN/PacGAN: 2,500). */
  samples?: number;
  /** Images: generated samples for Parzen (the paper: 10,000; 0 skips Parzen). */
  parzenSamples?: number;
  /** Images: validation images for σ, from the training split (the paper: 1,000). */
  validation?: number;
  /** Images: test images (default: the whole test split, 10,000). */
  test?: number;
  /** Images: generated samples for FD, precision/recall and the histogram (10,000). */
  metricSamples?: number;
  /** Folder of the feature classifier (default: edge/models/classifiers/<dataset>). */
  classifier?: string;
  /** Folder of IDX files. */
  dataDir?: string;
  /** A run folder for the D diagnostics. */
  run?: string;
  /** Progress lines (stderr by default in the CLI). */
  log?: (line: string) => void;
}

/** Image metrics, all on the same generated samples. */
export interface ImageReport {
  generated: number;
  /** The first this many samples feed FD, precision/recall and the histogram. */
  metricSamples: number;
  testImages: number;
  parzen: ParzenReport | null;
  classifier: Pick<ClassifierInfo, "dataset" | "featureDim" | "testAccuracy"> & { dir: string };
  /** Fréchet distance in the classifier's feature space (NOT Inception FID). */
  frechet: number;
  /** The same distance between the test split and the training split: the floor. */
  frechetTrainTest: number;
  prdc: PrdcReport;
  classes: ClassHistogram & {
    names: string[];
    /** Conditional models: how often the classifier agrees with the conditioning label. */
    labelAgreement: number | null;
  };
}

/** What `deno task eval` reports and writes as eval.json. */
export interface EvalReport {
  dataset: string;
  seed: number;
  modes?: ModeReport;
  images?: ImageReport;
  diagnostics?: DiagnosticsReport;
  seconds: number;
}

/**
 * The numbers a shipped model carries in its metadata (`--record`), flat and
 * named by metric; the full report stays in eval.json.
 */
export function headlineMetrics(r: EvalReport): Record<string, number> {
  const m: Record<string, number> = {};
  if (r.modes) {
    Object.assign(m, {
      modes_captured: r.modes.captured,
      modes: r.modes.modes,
      high_quality: r.modes.highQuality,
      reverse_kl: r.modes.reverseKl,
    });
  }
  if (r.images) {
    const i = r.images;
    if (i.parzen) {
      Object.assign(m, {
        parzen_ll: i.parzen.mean,
        parzen_se: i.parzen.stderr,
        parzen_sigma: i.parzen.sigma,
      });
    }
    Object.assign(m, {
      frechet: i.frechet,
      frechet_floor: i.frechetTrainTest,
      precision: i.prdc.precision,
      recall: i.prdc.recall,
      class_kl: i.classes.reverseKl,
      classifier_accuracy: i.classifier.testAccuracy,
    });
    if (i.classes.labelAgreement !== null) m.label_agreement = i.classes.labelAgreement;
  }
  if (r.diagnostics) {
    Object.assign(m, { D_x: r.diagnostics.D_x, D_G_z: r.diagnostics.D_G_z });
    if (r.diagnostics.V !== null) m.V = r.diagnostics.V;
  }
  return Object.fromEntries(Object.entries(m).filter(([, v]) => Number.isFinite(v)));
}

/** Runs G on `n` latents of `seed` (labels i mod K for conditional models). */
async function generate(
  model: tf.LayersModel,
  metadata: GanMetadata,
  n: number,
  seed: number,
  chunk = 500,
): Promise<{ x: Float32Array; labels: Int32Array | null }> {
  const { dim, distribution } = metadata.latent;
  const k = metadata.classNames?.length ?? 0;
  const size = sampleShape(metadata.output).reduce((a, b) => a * b, 1);
  const z = latents(seed, n, dim, distribution);
  const labels = k ? Int32Array.from({ length: n }, (_, i) => i % k) : null;
  const out = new Float32Array(n * size);
  for (let start = 0; start < n; start += chunk) {
    const rows = Math.min(chunk, n - start);
    const y = tf.tidy(() => {
      const zt = tf.tensor2d(z.subarray(start * dim, (start + rows) * dim), [rows, dim]);
      const lt = labels
        ? tf.tensor2d(Float32Array.from(labels.subarray(start, start + rows)), [rows, 1])
        : null;
      return model.predict(lt ? [zt, lt] : zt) as tf.Tensor;
    });
    out.set(await y.data() as Float32Array, start * size);
    y.dispose();
  }
  return { x: out, labels };
}

/** The picture beside the model: a scatter of points, or an image grid. */
function samplePicture(
  metadata: GanMetadata,
  x: Float32Array,
  labels: Int32Array | null,
): { file: string; bytes: Uint8Array } {
  if (metadata.output.kind === "points") {
    const dim = metadata.output.dim;
    const n = Math.min(1000, x.length / dim);
    const points = Array.from(
      { length: n },
      (_, i) => Array.from(x.subarray(i * dim, i * dim + 2)),
    );
    return { file: "samples.svg", bytes: new TextEncoder().encode(scatterSvg(points)) };
  }
  const shape = sampleShape(metadata.output);
  const size = shape.reduce((a, b) => a * b, 1);
  const k = metadata.classNames?.length ?? 0;
  const perRow = 10;
  const rows = k || 10;
  const picked = new Float32Array(rows * perRow * size);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < perRow; c++) {
      // Conditional: row r holds class r (sample i has label i mod k).
      const i = k && labels ? c * k + r : r * perRow + c;
      picked.set(x.subarray(i * size, (i + 1) * size), (r * perRow + c) * size);
    }
  }
  return { file: "samples.png", bytes: pngGrid(picked, rows * perRow, shape, perRow) };
}

/** What the image metrics compare against: the dataset's splits and the classifier. */
interface ImageReferences {
  train: ImageSet;
  test: ImageSet;
  classifier: Classifier;
  classifierDir: string;
}

/**
 * Loads the splits and the classifier before anything is generated or
 * written, so a missing file fails the evaluation before it has effects.
 */
async function loadImageReferences(
  metadata: GanMetadata,
  dataset: keyof typeof IDX_DATASETS,
  o: EvalOptions,
): Promise<ImageReferences> {
  const out = metadata.output;
  if (out.kind !== "image") throw new Error("loadImageReferences: not an image model");
  const spec = IDX_DATASETS[dataset];
  const options = { dataDir: o.dataDir, imageSize: out.height };
  const train = await loadIdxDataset(spec, "train", options);
  const test = await loadIdxDataset(spec, "test", options);
  const classifierDir = o.classifier ??
    decodeURIComponent(new URL(dataset, CLASSIFIERS_DIR).pathname);
  return { train, test, classifier: await loadClassifier(classifierDir), classifierDir };
}

/** Image metrics of `generated` against the dataset's splits. */
async function evaluateImages(
  metadata: GanMetadata,
  generated: { x: Float32Array; labels: Int32Array | null },
  { train, test, classifier, classifierDir: dir }: ImageReferences,
  o: EvalOptions,
): Promise<ImageReport> {
  const log = o.log ?? (() => {});
  const out = metadata.output;
  if (out.kind !== "image") throw new Error("evaluateImages: not an image model");
  const side = out.height;
  const size = out.height * out.width * out.channels;
  const testCount = Math.min(o.test ?? test.count, test.count);
  const testX = test.x.subarray(0, testCount * size);
  const n = generated.x.length / size;

  let parzen: ParzenReport | null = null;
  const parzenSamples = Math.min(o.parzenSamples ?? PAPER_PROTOCOL.samples, n);
  if (parzenSamples > 0) {
    // Validation: the last images of the training split (never the test split).
    const v = Math.min(o.validation ?? PAPER_PROTOCOL.validation, train.count);
    const started = performance.now();
    parzen = await parzenEvaluate(
      { x: toUnitInterval(generated.x.subarray(0, parzenSamples * size)), dim: size },
      { x: toUnitInterval(train.x.subarray((train.count - v) * size)), dim: size },
      { x: toUnitInterval(testX), dim: size },
      PAPER_SIGMAS,
      {
        scale: "[0, 1]",
        onProgress: (done, total) => {
          if (done === total || done % 2000 === 0) {
            const s = ((performance.now() - started) / 1000).toFixed(0);
            log(`parzen: ${done}/${total} test images (${s} s)`);
          }
        },
      },
    );
  }

  const classes = classifier.info.classNames.length;
  const metric = Math.min(o.metricSamples ?? 10_000, n);
  const fakeX = generated.x.subarray(0, metric * size);
  const fake = await classify(classifier, toClassifierInput(fakeX, side, out.channels));
  const real = await classify(classifier, toClassifierInput(testX, side, out.channels));
  // The floor: the same number of training images against the test split.
  const trainSlice = train.x.subarray(0, Math.min(train.count, testCount) * size);
  const trainFeat = await classify(classifier, toClassifierInput(trainSlice, side, out.channels));
  const dim = classifier.info.featureDim;
  const realGaussian = fitGaussian(real.features, dim);
  const frechet = frechetDistance(realGaussian, fitGaussian(fake.features, dim));
  const frechetTrainTest = frechetDistance(realGaussian, fitGaussian(trainFeat.features, dim));
  log("k-NN precision and recall …");
  const prdc = await precisionRecall({ x: real.features, dim }, { x: fake.features, dim });
  const predicted = argmaxRows(fake.probs, classes);
  let labelAgreement: number | null = null;
  if (generated.labels) {
    let agree = 0;
    predicted.forEach((p, i) => agree += p === generated.labels![i] ? 1 : 0); // first `metric`
    labelAgreement = agree / predicted.length;
  }
  return {
    generated: n,
    metricSamples: metric,
    testImages: testCount,
    parzen,
    classifier: {
      // Relative to the working folder: eval.json is committed beside shipped models.
      dir: relative(Deno.cwd(), dir),
      dataset: classifier.info.dataset,
      featureDim: dim,
      testAccuracy: classifier.info.testAccuracy,
    },
    frechet,
    frechetTrainTest,
    prdc,
    classes: {
      ...classHistogram(predicted, classes),
      names: classifier.info.classNames,
      labelAgreement,
    },
  };
}

/**
 * The dataset to measure `metadata`'s model on: `requested` or the one it was
 * trained on. Throws, naming both, where the two cannot be compared (a ring8
 * model on grid25's modes, an image model on another dataset's classifier).
 */
export function datasetFor(dir: string, metadata: GanMetadata, requested?: string): string {
  const trained = metadata.training.dataset;
  const dataset = requested ?? trained;
  const known = metadata.output.kind === "points" ? MIXTURES : IDX_DATASETS;
  if (!(dataset in known)) {
    throw new Error(
      metadata.output.kind === "points"
        ? `${dir}: a points model is measured on ring8 or grid25, not ${dataset}`
        : `${dir}: image metrics need a dataset with a test split and a shipped classifier ` +
          `(${Object.keys(IDX_DATASETS).join(", ")}); got ${dataset}. Pass --dataset.`,
    );
  }
  if (trained in known && dataset !== trained) {
    throw new Error(
      `--dataset ${dataset}: ${dir} was trained on ${trained}; its samples are measured ` +
        `against ${trained} (leave out --dataset)`,
    );
  }
  return dataset;
}

/**
 * Evaluates the model in `dir`; writes eval.json and the sample picture
 * beside it and returns the report. Every input (model, dataset, data files,
 * classifier, run) is read and checked before the first file is written.
 */
export async function evaluate(dir: string, o: EvalOptions = {}): Promise<EvalReport> {
  const started = performance.now();
  const seed = o.seed ?? 0;
  const { decoded, model } = await loadArtifact(dir);
  const { metadata } = decoded;
  let report: EvalReport;
  let references: ImageReferences | null = null;
  try {
    const dataset = datasetFor(dir, metadata, o.dataset);
    const diagnostics = o.run ? await runDiagnostics(o.run) : undefined;
    if (metadata.output.kind === "image") {
      references = await loadImageReferences(metadata, dataset as keyof typeof IDX_DATASETS, o);
    }
    const n = references
      ? Math.max(o.parzenSamples ?? PAPER_PROTOCOL.samples, o.metricSamples ?? 10_000)
      : o.samples ?? 2500;
    o.log?.(`generating ${n} samples …`);
    const generated = await generate(model, metadata, n, seed);
    const picture = samplePicture(metadata, generated.x, generated.labels);
    await Deno.writeFile(`${dir}/${picture.file}`, picture.bytes);
    report = references
      ? {
        dataset,
        seed,
        images: await evaluateImages(metadata, generated, references, o),
        seconds: 0,
      }
      : {
        dataset,
        seed,
        modes: modeCoverage(generated.x, MIXTURES[dataset as keyof typeof MIXTURES]),
        seconds: 0,
      };
    if (diagnostics) report.diagnostics = diagnostics;
  } finally {
    model.dispose();
    references?.classifier.dispose();
  }
  report.seconds = Math.round((performance.now() - started) / 100) / 10;
  await Deno.writeTextFile(`${dir}/eval.json`, JSON.stringify(report, null, 2) + "\n");
  return report;
}

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

const USAGE = "Usage: deno task eval --model DIR [--dataset D] [--run DIR] [--json] [--seed S]\n" +
  "  [--samples N] (points, default 2500) [--parzen-samples N] (default 10000; 0 skips)\n" +
  "  [--validation N] (default 1000) [--test N] (default all) [--metric-samples N] " +
  "(default 10000)\n  [--classifier DIR] [--data-dir DIR] [--backend wasm|cpu|…]\n" +
  "  [--record] (write the headline metrics into the model's metadata)";

/** Parses the flags; throws with a message naming the bad flag. */
export function parseEvalArgs(args: string[]): EvalOptions & {
  model: string;
  json: boolean;
  /** Write the headline metrics into the model's metadata. */
  record: boolean;
  backend: BackendName;
} {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: "string" },
      dataset: { type: "string" },
      run: { type: "string" },
      json: { type: "boolean", default: false },
      record: { type: "boolean", default: false },
      seed: { type: "string", default: "0" },
      samples: { type: "string", default: "2500" },
      "parzen-samples": { type: "string", default: String(PAPER_PROTOCOL.samples) },
      validation: { type: "string", default: String(PAPER_PROTOCOL.validation) },
      test: { type: "string" },
      "metric-samples": { type: "string", default: "10000" },
      classifier: { type: "string" },
      "data-dir": { type: "string" },
      backend: { type: "string", default: "auto" },
    },
  });
  if (!values.model) throw new Error(`--model DIR is required\n${USAGE}`);
  const int = (name: string, raw: string | undefined, min: number, max = Infinity) => {
    const v = Number(raw);
    if (raw === undefined || raw.trim() === "" || !Number.isInteger(v) || v < min || v > max) {
      throw new Error(
        `--${name}: expected an integer in [${min}, ${max === Infinity ? "∞" : max}], got "${raw}"`,
      );
    }
    return v;
  };
  if (!(BACKENDS as readonly string[]).includes(values.backend)) {
    throw new Error(`--backend: expected one of ${BACKENDS.join(", ")}, got "${values.backend}"`);
  }
  return {
    model: values.model,
    json: values.json,
    record: values.record,
    backend: values.backend as BackendName,
    dataset: values.dataset,
    run: values.run,
    seed: int("seed", values.seed, 0, 0xffffffff),
    samples: int("samples", values.samples, 1),
    parzenSamples: int("parzen-samples", values["parzen-samples"], 0),
    validation: int("validation", values.validation, 1),
    test: values.test === undefined ? undefined : int("test", values.test, 2),
    metricSamples: int("metric-samples", values["metric-samples"], 4),
    classifier: values.classifier,
    dataDir: values["data-dir"],
  };
}

if (import.meta.main) {
  let options;
  try {
    options = parseEvalArgs(Deno.args);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(2);
  }
  let result;
  try {
    await selectBackend(options.backend);
    result = await evaluate(options.model, {
      ...options,
      log: (line) => console.error(line),
    });
    if (options.record) await recordMetrics(options.model, headlineMetrics(result));
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
  console.log(options.json ? JSON.stringify(result) : formatReport(result));
}
