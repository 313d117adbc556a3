/**
 * `deno task eval` end to end on tiny models: a points model (mode coverage,
 * samples.svg, eval.json = the JSON printed), an image model against
 * Fashion-MNIST with a tiny classifier (every image metric, samples.png),
 * the D diagnostics of a run whose D says ½ everywhere (V = −log 4 exactly),
 * and the class histogram on known predictions.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { fileURLToPath } from "node:url";
import { buildGenerator } from "@gan-edge/shared/architectures";
import { saveCheckpoint } from "../../trainer/checkpoint.ts";
import { parseConfig } from "../../trainer/config.ts";
import { openDataset } from "../../trainer/data/mod.ts";
import {
  buildClassifier,
  classHistogram,
  loadClassifier,
  saveClassifier,
  toClassifierInput,
} from "../../trainer/eval/classifier.ts";
import { runDiagnostics, V_OPTIMUM } from "../../trainer/eval/diagnostics.ts";
import { evaluate, formatReport, parseEvalArgs } from "../../trainer/eval_main.ts";
import { exportGenerator } from "../../trainer/export.ts";
import { GanState, specFor } from "../../trainer/loop.ts";
import { metadataFor } from "../../trainer/main.ts";

await tf.setBackend("cpu");
tf.enableProdMode();

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FASHION = "/usr/share/datasets/fashion-mnist";
const hasFashion = await Deno.stat(`${FASHION}/t10k-images-idx3-ubyte.gz`).then(
  () => true,
  () => false,
);

const training = (dataset: string) => ({
  dataset,
  loss: "ns",
  steps: 0,
  seed: 0,
  backend: "cpu",
  date: new Date(0).toISOString(),
});

Deno.test("class histogram: even → KL 0, one class → log K", () => {
  const even = classHistogram([0, 1, 2, 3, 0, 1, 2, 3], 4);
  assert.deepEqual(even.counts, [2, 2, 2, 2]);
  assert.equal(even.reverseKl, 0);
  assert.equal(even.present, 4);
  const one = classHistogram([2, 2, 2], 4);
  assert.ok(Math.abs(one.reverseKl - Math.log(4)) < 1e-12);
  assert.equal(one.present, 1);
  // Half and half of 4 classes: KL = log 2.
  assert.ok(Math.abs(classHistogram([0, 1], 4).reverseKl - Math.log(2)) < 1e-12);
});

Deno.test("32×32 images are cropped to their central 28×28", () => {
  const x = new Float32Array(32 * 32).map((_, i) => {
    const [r, c] = [Math.floor(i / 32), i % 32];
    return r >= 2 && r < 30 && c >= 2 && c < 30 ? 1 : -1;
  });
  const out = toClassifierInput(x, 32, 1);
  assert.equal(out.length, 784);
  assert.ok(out.every((v) => v === 1));
  assert.throws(() => toClassifierInput(x, 30, 1), /28×28 or 32×32/);
});

Deno.test("a points model: modes, samples.svg, eval.json", async () => {
  const dir = await Deno.makeTempDir();
  const spec = {
    id: "mlp" as const,
    latentDim: 2,
    output: { kind: "points" as const, dim: 2 },
    generatorHidden: [8],
    discriminatorHidden: [8],
    dropout: 0,
  };
  const G = buildGenerator(spec);
  await exportGenerator(
    G,
    {
      latent: { dim: 2, distribution: "normal" },
      output: spec.output,
      architecture: { id: "mlp", hyperparameters: {} },
      training: training("ring8"),
      metrics: {},
    },
    "float32",
    `${dir}/model`,
  );
  G.dispose();
  const report = await evaluate(`${dir}/model`, { samples: 500 });
  assert.equal(report.dataset, "ring8");
  assert.equal(report.modes!.samples, 500);
  assert.equal(report.modes!.modes, 8);
  assert.deepEqual(
    JSON.parse(await Deno.readTextFile(`${dir}/model/eval.json`)),
    JSON.parse(JSON.stringify(report)),
  );
  assert.match(await Deno.readTextFile(`${dir}/model/samples.svg`), /<svg/);
  assert.match(formatReport(report), /modes captured\s+\d \/ 8/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name: "an image model against Fashion-MNIST: Parzen, FD, precision/recall, classes, samples.png",
  ignore: !hasFashion,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const output = {
      kind: "image" as const,
      height: 28,
      width: 28,
      channels: 1 as const,
      range: [-1, 1] as [-1, 1],
    };
    const G = buildGenerator({
      id: "mlp",
      latentDim: 4,
      output,
      generatorHidden: [16],
      discriminatorHidden: [8],
      dropout: 0,
    });
    await exportGenerator(
      G,
      {
        latent: { dim: 4, distribution: "normal" },
        output,
        architecture: { id: "mlp", hyperparameters: {} },
        training: training("fashion-mnist"),
        metrics: {},
      },
      "float32",
      `${dir}/model`,
    );
    G.dispose();
    // An untrained classifier: the metrics' plumbing, not their values.
    const names = Array.from({ length: 10 }, (_, i) => `c${i}`);
    const clf = buildClassifier(10);
    await saveClassifier(clf, {
      dataset: "fashion-mnist",
      classNames: names,
      inputShape: [28, 28, 1],
      featureDim: 64,
      testAccuracy: 0.1,
      testImages: 0,
      epochs: 0,
      trainSeconds: 0,
      backend: "cpu",
      parameters: clf.countParams(),
      seed: 0,
      date: new Date(0).toISOString(),
    }, `${dir}/classifier`);
    clf.dispose();
    assert.equal((await loadClassifier(`${dir}/classifier`)).info.featureDim, 64);

    const options = parseEvalArgs([
      "--model",
      `${dir}/model`,
      "--parzen-samples",
      "200",
      "--validation",
      "50",
      "--test",
      "150",
      "--metric-samples",
      "150",
      "--classifier",
      `${dir}/classifier`,
      "--data-dir",
      FASHION,
    ]);
    const before = tf.memory().numTensors;
    const r = await evaluate(options.model, options);
    assert.equal(tf.memory().numTensors, before, "no tensor leaks");
    const i = r.images!;
    assert.equal(i.generated, 200);
    assert.equal(i.metricSamples, 150);
    assert.equal(i.testImages, 150);
    assert.equal(i.parzen!.samples, 200);
    assert.equal(i.parzen!.validation, 50);
    assert.equal(i.parzen!.test, 150);
    assert.equal(i.parzen!.scale, "[0, 1]");
    assert.equal(i.parzen!.validationBySigma.length, 10);
    assert.ok(Number.isFinite(i.parzen!.mean) && i.parzen!.stderr > 0);
    assert.ok(i.frechet >= 0 && i.frechetTrainTest >= 0);
    assert.ok(i.prdc.precision >= 0 && i.prdc.precision <= 1);
    assert.equal(i.classes.counts.reduce((a, b) => a + b), 150);
    assert.equal(i.classes.labelAgreement, null);
    const png = await Deno.readFile(`${dir}/model/samples.png`);
    assert.deepEqual(Array.from(png.subarray(1, 4)), [0x50, 0x4e, 0x47]); // "PNG"
    assert.match(formatReport(r), /Parzen log-lik\.\s+-?\d+\.\d ± \d+\.\d nats/);
    assert.match(formatReport(r), /not Inception FID/);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test("diagnostics from a run: a D that says ½ everywhere gives V = −log 4", async () => {
  const dir = await Deno.makeTempDir();
  const data = await openDataset("ring8");
  const config = parseConfig([
    "--g-hidden",
    "8",
    "--d-hidden",
    "8",
    "--out",
    dir,
    "--backend",
    "cpu",
  ]);
  const state = new GanState(config, specFor(config, data));
  // Zero D's weights: every logit is 0, D = σ(0) = ½.
  state.D.setWeights(state.D.getWeights().map((w) => tf.zerosLike(w)));
  await saveCheckpoint(dir, state, metadataFor(config, data, state, "cpu"));
  state.dispose();
  const d = await runDiagnostics(dir, 256);
  assert.equal(d.D_x, 0.5);
  assert.equal(d.D_G_z, 0.5);
  assert.ok(Math.abs(d.V! - V_OPTIMUM) < 1e-6, `V = ${d.V}`);
  assert.ok(Math.abs(d.gap!) < 1e-6);
  assert.equal(d.heldOut, "fresh draws from the mixture");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the CLI refuses bad flags with the flag's name", async () => {
  const run = async (args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "trainer/eval_main.ts",
        ...args,
      ],
      cwd: ROOT,
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  };
  const noModel = await run([]);
  assert.equal(noModel.code, 2);
  assert.match(noModel.stderr, /--model DIR is required/);
  assert.throws(() => parseEvalArgs(["--model", "m", "--parzen-samples", "x"]), /--parzen-samples/);
  assert.throws(() => parseEvalArgs(["--model", "m", "--backend", "cuda"]), /--backend/);
});
