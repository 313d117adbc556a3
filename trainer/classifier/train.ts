/**
 * `deno task train-classifier [--dataset fashion-mnist] [--epochs 2]
 * [--out trainer/classifier/models/<dataset>] [--backend wasm] [--seed 0]`
 * (`--help` lists every flag): trains the small CNN of ./classifier.ts on the training split, measures
 * its accuracy on the test split and writes model.json, weights.bin and
 * classifier.json (accuracy, epochs, wall time, backend) into `--out`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { defineCommand, parseFlagsOrExit, z } from "@gan-edge/cli";
import { Prng } from "@gan-edge/shared/prng";
import { selectBackend } from "../backend.ts";
import { BACKENDS } from "../config.ts";
import { IDX_DATASETS, loadIdxDataset } from "../data/mnist.ts";
import {
  argmaxRows,
  buildClassifier,
  type ClassifierInfo,
  CLASSIFIERS_DIR,
  saveClassifier,
} from "./classifier.ts";

/** Options of {@link trainClassifier}. */
export interface TrainClassifierOptions {
  dataset: keyof typeof IDX_DATASETS;
  epochs: number;
  batchSize: number;
  seed: number;
  out: string;
  backend: string;
  /** Use only the first `limit` training images (tests). */
  limit?: number;
  dataDir?: string;
  log?: (line: string) => void;
}

/** Trains, evaluates on the test split and saves; returns the info written. */
export async function trainClassifier(o: TrainClassifierOptions): Promise<ClassifierInfo> {
  const log = o.log ?? console.log;
  const spec = IDX_DATASETS[o.dataset];
  const train = await loadIdxDataset(spec, "train", { dataDir: o.dataDir });
  const test = await loadIdxDataset(spec, "test", { dataDir: o.dataDir });
  const count = Math.min(train.count, o.limit ?? train.count);
  const classes = spec.classNames.length;
  const prng = new Prng(o.seed);
  const random = Math.random;
  Math.random = () => prng.uniform(); // initialisers and fit's shuffling follow --seed
  const started = performance.now();
  let model: tf.LayersModel;
  try {
    model = buildClassifier(classes);
    model.compile({
      optimizer: tf.train.adam(1e-3),
      loss: "categoricalCrossentropy",
      metrics: ["accuracy"],
    });
    const x = tf.tensor4d(train.x.subarray(0, count * 784), [count, 28, 28, 1]);
    const y = tf.tidy(() =>
      tf.oneHot(tf.tensor1d(train.labels!.subarray(0, count), "int32"), classes)
    );
    try {
      await model.fit(x, y, {
        epochs: o.epochs,
        batchSize: o.batchSize,
        shuffle: true,
        verbose: 0,
        callbacks: {
          onEpochEnd: (epoch, logs) => {
            const s = ((performance.now() - started) / 1000).toFixed(0);
            log(
              `epoch ${epoch + 1}/${o.epochs}: loss ${logs?.loss.toFixed(4)} ` +
                `accuracy ${logs?.acc.toFixed(4)} (${s} s)`,
            );
          },
        },
      });
    } finally {
      tf.dispose([x, y]);
    }
  } finally {
    Math.random = random;
  }
  const trainSeconds = (performance.now() - started) / 1000;
  let correct = 0;
  for (let start = 0; start < test.count; start += 1000) {
    const rows = Math.min(1000, test.count - start);
    const p = tf.tidy(() =>
      model.predict(
        tf.tensor4d(test.x.subarray(start * 784, (start + rows) * 784), [rows, 28, 28, 1]),
      ) as tf.Tensor
    );
    const pred = argmaxRows(await p.data() as Float32Array, classes);
    p.dispose();
    for (let i = 0; i < rows; i++) if (pred[i] === test.labels![start + i]) correct++;
  }
  const info: ClassifierInfo = {
    dataset: o.dataset,
    classNames: spec.classNames,
    inputShape: [28, 28, 1],
    featureDim: 64,
    testAccuracy: correct / test.count,
    testImages: test.count,
    epochs: o.epochs,
    trainSeconds: Math.round(trainSeconds),
    backend: o.backend,
    parameters: model.countParams(),
    seed: o.seed,
    date: new Date().toISOString(),
  };
  const bytes = await saveClassifier(model, info, o.out);
  model.dispose();
  log(
    `test accuracy ${(100 * info.testAccuracy).toFixed(2)} % on ${test.count} images; ` +
      `trained in ${info.trainSeconds} s on ${o.backend}; wrote ${o.out} (${bytes} bytes)`,
  );
  return info;
}

/** `deno task train-classifier`'s flags. */
export const trainClassifierCommand = defineCommand({
  name: "train-classifier",
  summary: "Train the small CNN whose features and predictions the image metrics of " +
    "deno task eval use; measure it on the test split and write it with classifier.json.",
  flags: z.object({
    dataset: z.enum(Object.keys(IDX_DATASETS) as [keyof typeof IDX_DATASETS]).default(
      "fashion-mnist",
    ).describe("labelled dataset with a test split"),
    epochs: z.int().min(1).default(2).describe("passes over the training split"),
    "batch-size": z.int().min(1).default(128).describe("images per Adam step"),
    seed: z.int().min(0).max(0xffffffff).default(0).describe(
      "seed of the initial weights and the shuffling",
    ),
    out: z.string().min(1).optional().meta({
      value: "DIR",
      description: "folder to write",
      default: "trainer/classifier/models/DATASET",
    }),
    backend: z.enum(BACKENDS).default("wasm").describe("tfjs backend"),
    "data-dir": z.string().min(1).optional().meta({
      value: "DIR",
      description: "folder of the IDX files",
    }),
  }),
});

if (import.meta.main) {
  const { flags } = parseFlagsOrExit(trainClassifierCommand, Deno.args);
  const backend = await selectBackend(flags.backend);
  console.log(`backend: ${backend.name} (${backend.reason})`);
  await trainClassifier({
    dataset: flags.dataset,
    epochs: flags.epochs,
    batchSize: flags["batch-size"],
    seed: flags.seed,
    out: flags.out ?? decodeURIComponent(new URL(flags.dataset, CLASSIFIERS_DIR).pathname),
    backend: backend.name,
    dataDir: flags["data-dir"],
  });
}
