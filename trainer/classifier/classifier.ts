/**
 * The feature extractor of our image metrics: a small CNN trained on the
 * dataset itself (./train.ts, `deno task train-classifier`) and kept as a
 * tfjs LayersModel in `trainer/classifier/models/<dataset>/` with
 * `classifier.json` (its test accuracy, how it was trained): a measuring
 * instrument of the trainer, so it stays out of the deployed edge/models.
 * Its 64-wide penultimate layer (`features`) is the space of our Fréchet
 * distance and k-NN precision/recall; its softmax gives the class histogram
 * of generated samples.
 *
 * Inputs are the project's image format: NHWC in [−1, 1], 28×28×1 (32×32
 * inputs are cropped to their central 28×28, undoing the DCGAN padding).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Where our classifiers live: `<root>/<dataset>/model.json`. */
export const CLASSIFIERS_DIR = new URL("./models/", import.meta.url);

/** Name of the layer whose output is the feature vector. */
export const FEATURES_LAYER = "features";

/** What `classifier.json` says about a classifier. */
export interface ClassifierInfo {
  dataset: string;
  classNames: string[];
  inputShape: [number, number, number];
  featureDim: number;
  testAccuracy: number;
  testImages: number;
  epochs: number;
  trainSeconds: number;
  backend: string;
  parameters: number;
  seed: number;
  date: string;
}

/**
 * The CNN: conv 3×3×16 → max-pool → conv 3×3×32 → max-pool → dense 64
 * (`features`, ReLU) → dense softmax. ~57 k parameters (~230 kB float32).
 * Input [batch, 28, 28, 1] in [−1, 1]; output [batch, classes] probabilities.
 */
export function buildClassifier(classes: number): tf.LayersModel {
  const m = tf.sequential({ name: "classifier" });
  m.add(tf.layers.conv2d({
    inputShape: [28, 28, 1],
    filters: 16,
    kernelSize: 3,
    activation: "relu",
    name: "conv1",
  }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: "pool1" }));
  m.add(tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: "relu", name: "conv2" }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: "pool2" }));
  m.add(tf.layers.flatten({ name: "flatten" }));
  m.add(tf.layers.dense({ units: 64, activation: "relu", name: FEATURES_LAYER }));
  m.add(tf.layers.dense({ units: classes, activation: "softmax", name: "probs" }));
  return m;
}

/** A loaded classifier: the model, its feature sub-model and its info. */
export interface Classifier {
  model: tf.LayersModel;
  features: tf.LayersModel;
  info: ClassifierInfo;
  dispose(): void;
}

/** Wraps a model (from {@link buildClassifier}) with its feature extractor. */
export function asClassifier(model: tf.LayersModel, info: ClassifierInfo): Classifier {
  const features = tf.model({
    inputs: model.inputs,
    outputs: model.getLayer(FEATURES_LAYER).output as tf.SymbolicTensor,
  });
  return { model, features, info, dispose: () => model.dispose() };
}

/** Loads the classifier in `dir` (model.json, its shard, classifier.json). */
export async function loadClassifier(dir: string | URL): Promise<Classifier> {
  const base = typeof dir === "string" ? dir.replace(/\/?$/, "/") : dir.href.replace(/\/?$/, "/");
  const path = (name: string) => base.startsWith("file:") ? new URL(name, base) : base + name;
  let info: ClassifierInfo;
  try {
    info = JSON.parse(await Deno.readTextFile(path("classifier.json")));
  } catch (e) {
    throw new Error(
      `${path("classifier.json")}: cannot read the classifier (${(e as Error).message}); ` +
        "train one with: deno task train-classifier --dataset <name>",
    );
  }
  const json = JSON.parse(await Deno.readTextFile(path("model.json")));
  const specs = json.weightsManifest.flatMap((g: { weights: tf.io.WeightsManifestEntry[] }) =>
    g.weights
  );
  const shards = await Promise.all(
    json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths).map((p: string) =>
      Deno.readFile(path(p))
    ),
  );
  const total = shards.reduce((n: number, s: Uint8Array) => n + s.length, 0);
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const s of shards) {
    weightData.set(s, at);
    at += s.length;
  }
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: specs,
    weightData: weightData.buffer,
  }));
  return asClassifier(model, info);
}

/** Saves `model` as model.json + one shard in `dir`, with `info` beside it. */
export async function saveClassifier(
  model: tf.LayersModel,
  info: ClassifierInfo,
  dir: string,
): Promise<number> {
  await Deno.mkdir(dir, { recursive: true });
  let bytes = 0;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const data = new Uint8Array(artifacts.weightData as ArrayBuffer);
    const shard = "weights.bin";
    const modelJson = {
      format: "layers-model",
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      convertedBy: null,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: [shard], weights: artifacts.weightSpecs }],
    };
    const text = JSON.stringify(modelJson);
    await Deno.writeFile(`${dir}/${shard}`, data);
    await Deno.writeTextFile(`${dir}/model.json`, text);
    bytes = data.length + text.length;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
  await Deno.writeTextFile(`${dir}/classifier.json`, JSON.stringify(info, null, 2) + "\n");
  return bytes;
}

/**
 * Crops [n, 32, 32, 1] images to their central 28×28 (DCGAN's padding);
 * 28×28 images come back as they are. Other sizes are refused.
 */
export function toClassifierInput(x: Float32Array, side: number, channels: number): Float32Array {
  if (channels !== 1) {
    throw new RangeError(`classifier: expected 1-channel images, got ${channels} channels`);
  }
  if (side === 28) return x;
  if (side !== 32) throw new RangeError(`classifier: expected 28×28 or 32×32 images, got ${side}`);
  const n = x.length / (32 * 32);
  const out = new Float32Array(n * 28 * 28);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < 28; r++) {
      const from = (i * 32 + r + 2) * 32 + 2;
      out.set(x.subarray(from, from + 28), (i * 28 + r) * 28);
    }
  }
  return out;
}

/** Features [n, featureDim] and class probabilities [n, classes] of images. */
export async function classify(
  c: Classifier,
  images: Float32Array,
  chunk = 1000,
): Promise<{ features: Float32Array; probs: Float32Array }> {
  const [h, w, ch] = c.info.inputShape;
  const size = h * w * ch;
  const n = images.length / size;
  const classes = c.info.classNames.length;
  const features = new Float32Array(n * c.info.featureDim);
  const probs = new Float32Array(n * classes);
  for (let start = 0; start < n; start += chunk) {
    const rows = Math.min(chunk, n - start);
    const [f, p] = tf.tidy(() => {
      const x = tf.tensor4d(images.subarray(start * size, (start + rows) * size), [rows, h, w, ch]);
      return [c.features.predict(x) as tf.Tensor, c.model.predict(x) as tf.Tensor];
    });
    features.set(await f.data() as Float32Array, start * c.info.featureDim);
    probs.set(await p.data() as Float32Array, start * classes);
    tf.dispose([f, p]);
  }
  return { features, probs };
}

/** Argmax of each row of `probs` ([n, classes]). */
export function argmaxRows(probs: Float32Array, classes: number): Int32Array {
  const n = probs.length / classes;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) {
      if (probs[i * classes + k] > probs[i * classes + best]) best = k;
    }
    out[i] = best;
  }
  return out;
}
