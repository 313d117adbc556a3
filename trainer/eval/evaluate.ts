/**
 * `evaluate()`: measures a generator artifact the way the papers do and
 * writes `eval.json` and a sample picture (`samples.svg` for points,
 * `samples.png` for images) beside the model. The CLI is ./main.ts
 * (`deno task eval`), the table it prints ./report.ts.
 *
 * - Points (ring8, grid25): mode coverage with the VEEGAN/PacGAN protocol
 *   (./metrics/modes.ts).
 * - Images (fashion-mnist, mnist): Parzen-window log-likelihood with
 *   Goodfellow et al. 2014's protocol (./metrics/parzen.ts); Fréchet distance
 *   and k-NN precision/recall in the features of our classifier
 *   (./metrics/frechet.ts, ./metrics/prdc.ts, ../classifier/); the
 *   classifier's class histogram of the samples and its KL from uniform
 *   (./metrics/classes.ts).
 * - With a run folder: D(x), D(G(z)) and V(G, D) against −log 4 from the
 *   run's last checkpoint (./diagnostics.ts).
 *
 * @module
 */
import { relative } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { decodeArtifact } from "@gan-edge/shared/artifact";
import { latents } from "@gan-edge/shared/prng";
import type { GanMetadata } from "@gan-edge/shared/schema";
import { sampleShape } from "@gan-edge/shared/shapes";
import {
  argmaxRows,
  type Classifier,
  type ClassifierInfo,
  CLASSIFIERS_DIR,
  classify,
  loadClassifier,
  toClassifierInput,
} from "../classifier/classifier.ts";
import type { ImageSet } from "../data/images.ts";
import { IDX_DATASETS, loadIdxDataset } from "../data/mnist.ts";
import { MIXTURES } from "../data/toy.ts";
import { samplePicture } from "../report/samples.ts";
import { type DiagnosticsReport, runDiagnostics } from "./diagnostics.ts";
import { type ClassHistogram, classHistogram, labelAgreement } from "./metrics/classes.ts";
import { pixelDiversity, type PixelReport } from "./metrics/diversity.ts";
import { fitGaussian, frechetDistance } from "./metrics/frechet.ts";
import { modeCoverage, type ModeReport } from "./metrics/modes.ts";
import {
  PAPER_PROTOCOL,
  PAPER_SIGMAS,
  parzenEvaluate,
  type ParzenReport,
  toUnitInterval,
} from "./metrics/parzen.ts";
import { type PrdcReport, precisionRecall } from "./metrics/prdc.ts";

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
  /** Images: pixel L2 (on [0, 1]) below which two samples are near-duplicates (1.0). */
  duplicateThreshold?: number;
  /** Folder of the feature classifier (default: trainer/classifier/models/<dataset>). */
  classifier?: string;
  /** Folder of IDX files. */
  dataDir?: string;
  /** A run folder for the D diagnostics. */
  run?: string;
  /**
   * Keep the diagnostics of the model's current eval.json (its run folder is
   * gone, the checkpoint's figures still hold); not with `run`.
   */
  keepDiagnostics?: boolean;
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
  /** The same with training images in the generator's place (the measure's ceiling). */
  prdcTrainTest: PrdcReport;
  /** Near-duplicates, within-class diversity and precision/recall on the pixels, beside real. */
  pixels: PixelReport;
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
      precision_train_test: i.prdcTrainTest.precision,
      recall_train_test: i.prdcTrainTest.recall,
      class_kl: i.classes.reverseKl,
      classifier_accuracy: i.classifier.testAccuracy,
    });
    if (i.classes.labelAgreement !== null) m.label_agreement = i.classes.labelAgreement;
    Object.assign(m, {
      near_duplicate_rate: i.pixels.nearDuplicates.generated,
      near_duplicate_rate_real: i.pixels.nearDuplicates.real,
      near_duplicate_threshold: i.pixels.nearDuplicates.threshold,
      within_class_distance: i.pixels.withinClass.generatedMean,
      within_class_distance_real: i.pixels.withinClass.realMean,
      pixel_precision: i.pixels.prdc.precision,
      pixel_recall: i.pixels.prdc.recall,
    });
    if (i.pixels.prdcTrainTest) {
      m.pixel_precision_train_test = i.pixels.prdcTrainTest.precision;
      m.pixel_recall_train_test = i.pixels.prdcTrainTest.recall;
    }
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
  const prdcTrainTest = await precisionRecall(
    { x: real.features, dim },
    { x: trainFeat.features, dim },
  );
  const predicted = argmaxRows(fake.probs, classes);
  log("pixel space: near-duplicates, within-class distances, precision and recall …");
  const pixels = await pixelDiversity(
    {
      x: toUnitInterval(fakeX),
      dim: size,
      labels: generated.labels?.subarray(0, metric) ?? predicted,
    },
    { x: toUnitInterval(testX), dim: size, labels: test.labels!.subarray(0, testCount) },
    classes,
    generated.labels ? "conditioning label" : "classifier prediction",
    { threshold: o.duplicateThreshold, train: { x: toUnitInterval(trainSlice), dim: size } },
  );
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
    prdcTrainTest,
    pixels,
    classes: {
      ...classHistogram(predicted, classes),
      names: classifier.info.classNames,
      labelAgreement: generated.labels ? labelAgreement(predicted, generated.labels) : null,
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
        : `${dir}: image metrics need a dataset with a test split and a classifier ` +
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

/** The diagnostics of `dir`'s current eval.json, marked as kept from it. */
async function keptDiagnostics(dir: string, run?: string): Promise<DiagnosticsReport> {
  if (run) throw new Error("--keep-diagnostics and --run: measure the run, or keep, not both");
  const path = `${dir}/eval.json`;
  let previous: EvalReport;
  try {
    previous = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new Error(`--keep-diagnostics: cannot read ${path} (${(e as Error).message})`);
  }
  if (!previous.diagnostics) {
    throw new Error(`--keep-diagnostics: ${path} holds no diagnostics to keep`);
  }
  return { ...previous.diagnostics, keptFrom: path };
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
    const diagnostics = o.keepDiagnostics
      ? await keptDiagnostics(dir, o.run)
      : o.run
      ? await runDiagnostics(o.run)
      : undefined;
    if (metadata.output.kind === "image") {
      references = await loadImageReferences(metadata, dataset as keyof typeof IDX_DATASETS, o);
    }
    const n = references
      ? Math.max(o.parzenSamples ?? PAPER_PROTOCOL.samples, o.metricSamples ?? 10_000)
      : o.samples ?? 2500;
    o.log?.(`generating ${n} samples …`);
    const generated = await generate(model, metadata, n, seed);
    const k = metadata.classNames?.length ?? 0;
    const picture = samplePicture(
      generated.x,
      metadata.output,
      generated.labels ? { labels: generated.labels, classes: k } : undefined,
    );
    await Deno.writeFile(`${dir}/samples.${picture.ext}`, picture.bytes);
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
