/**
 * `deno task eval` end to end on tiny models: a points model (mode coverage,
 * samples.svg, eval.json = the JSON printed), an image model against
 * Fashion-MNIST with a tiny classifier (every image metric, samples.png),
 * and the D diagnostics of a run whose D says ½ everywhere (V = −log 4
 * exactly).
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type ArchitectureSpec,
  buildDiscriminator,
  buildGenerator,
} from "../../trainer/architectures.ts";
import type { GanMetadata } from "@gan-edge/shared/schema";
import { loadCheckpoint, loadNetworkWeights, saveCheckpoint } from "../../trainer/checkpoint.ts";
import { parseConfig } from "../../trainer/config.ts";
import { openDataset } from "../../trainer/data/mod.ts";
import {
  buildClassifier,
  loadClassifier,
  saveClassifier,
  toClassifierInput,
} from "../../trainer/classifier/classifier.ts";
import { runDiagnostics, V_OPTIMUM } from "../../trainer/eval/diagnostics.ts";
import { loadIdxDataset } from "../../trainer/data/mnist.ts";
import { PAPER_SIGMAS } from "../../trainer/eval/metrics/parzen.ts";
import { evaluate, headlineMetrics } from "../../trainer/eval/evaluate.ts";
import { parseFlags } from "@gan-edge/cli";
import { evalCommand, evalOptions } from "../../trainer/eval/main.ts";
import { formatReport } from "../../trainer/eval/report.ts";
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

/** 28×28 grey images in [−1, 1], the output of the image models below. */
const IMAGE_OUTPUT = {
  kind: "image" as const,
  height: 28,
  width: 28,
  channels: 1 as const,
  range: [-1, 1] as [-1, 1],
};

/**
 * Builds an MLP generator (`weights` may replace its initial weights), exports
 * it as a float32 artifact to `path` with `dataset` as its training dataset,
 * and returns G(0), the sample of the zero latent.
 */
async function exportMlp(
  path: string,
  dataset: string,
  output: GanMetadata["output"],
  latentDim: number,
  hidden: number,
  weights?: (initial: tf.Tensor[]) => tf.Tensor[],
): Promise<Float32Array> {
  const G = buildGenerator({
    id: "mlp",
    latentDim,
    output,
    generatorHidden: [hidden],
    discriminatorHidden: [8],
    dropout: 0,
  });
  if (weights) G.setWeights(weights(G.getWeights()));
  const atZero = tf.tidy(() => (G.predict(tf.zeros([1, latentDim])) as tf.Tensor).dataSync());
  await exportGenerator(
    G,
    {
      latent: { dim: latentDim, distribution: "normal" },
      output,
      architecture: { id: "mlp", hyperparameters: {} },
      training: training(dataset),
      metrics: {},
    },
    "float32",
    path,
  );
  G.dispose();
  return atZero as Float32Array;
}

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
  await exportMlp(`${dir}/model`, "ring8", { kind: "points", dim: 2 }, 2, 8);
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
    await exportMlp(`${dir}/model`, "fashion-mnist", IMAGE_OUTPUT, 4, 16);
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

    const options = evalArgs([
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
    // A missing classifier fails before anything is generated or written.
    await assert.rejects(
      evaluate(`${dir}/model`, { ...options, classifier: `${dir}/no-classifier` }),
      /no-classifier\/classifier\.json: cannot read the classifier/,
    );
    await assert.rejects(Deno.stat(`${dir}/model/samples.png`), Deno.errors.NotFound);
    const before = tf.memory().numTensors;
    const r = await evaluate(`${dir}/model`, options);
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
    assert.equal(i.pixels.prdc.real, 150);
    assert.equal(i.pixels.prdcTrainTest!.fake, 150); // the first 150 training images
    assert.equal(i.prdcTrainTest.fake, 150);
    assert.equal(i.pixels.prdc.fake, 150);
    assert.equal(i.pixels.withinClass.real.length, 10);
    assert.match(formatReport(r), /near-duplicates\s+\d+\.\d+ % of samples \(real test images: /);
    assert.match(formatReport(r), /pixel P\/R\s+\d\.\d{3} \/ \d\.\d{3} \(k = 3/);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "a generator collapsed on one test image: precision 1, recall 0, one class, all twins, " +
    "no within-class spread, Parzen in closed form on [0, 1]",
  ignore: !hasFashion,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const test = await loadIdxDataset("fashion-mnist", "test", { dataDir: FASHION });
    const train = await loadIdxDataset("fashion-mnist", "train", { dataDir: FASHION });
    const d = 28 * 28;
    // G(z) = tanh(b) = c for every z: zero kernels, b = atanh of test image 0.
    const image = test.x.subarray(0, d);
    const c = await exportMlp(
      `${dir}/model`,
      "fashion-mnist",
      IMAGE_OUTPUT,
      4,
      8,
      (initial) =>
        initial.map((w, i) =>
          i === initial.length - 1
            ? tf.tensor1d(image.map((v) => Math.atanh(Math.max(-0.999, Math.min(0.999, v)))))
            : tf.zerosLike(w)
        ),
    );
    const [samples, v, m] = [200, 50, 150];
    // Our classifier (trainer/classifier/models/fashion-mnist), the default.
    const r = (await evaluate(`${dir}/model`, {
      parzenSamples: samples,
      validation: v,
      test: m,
      metricSamples: m,
      dataDir: FASHION,
    })).images!;

    // Our classifier, named relative to the working folder (eval.json is committed).
    assert.equal(
      resolve(r.classifier.dir),
      resolve(ROOT, "trainer/classifier/models/fashion-mnist"),
    );
    assert.ok(!isAbsolute(r.classifier.dir), r.classifier.dir);
    // Fakes sit on a real image: inside the real manifold (precision 1); every fake is
    // the same point, so its k-NN ball is empty and covers no real image (recall ≈ 0).
    // Swapping real and fake would give precision ≈ 1/150 and recall 1.
    assert.equal(r.prdc.precision, 1);
    assert.ok(r.prdc.recall <= 1 / m, `recall ${r.prdc.recall}`);
    // One class, the image's own: KL from uniform = log 10.
    assert.equal(Math.max(...r.classes.counts), m);
    assert.equal(r.classes.counts[test.labels![0]], m);
    assert.ok(Math.abs(r.classes.reverseKl - Math.log(10)) < 1e-9);
    // Pixel space: one image over and over. Every sample has a twin (real test images:
    // almost none), the twins' balls hold no other real image (pixel recall ≈ 0), and the
    // one class the classifier sees has no spread, where real classes have plenty.
    const px = r.pixels;
    assert.equal(px.nearDuplicates.generated, 1);
    assert.ok(px.nearDuplicates.real < 0.05, `real twins ${px.nearDuplicates.real}`);
    assert.ok(px.nearDuplicates.medianNearest.generated < 0.1);
    assert.ok(px.nearDuplicates.medianNearest.real > 1, `${px.nearDuplicates.medianNearest.real}`);
    assert.ok(px.prdc.recall <= 1 / m, `pixel recall ${px.prdc.recall}`);
    assert.equal(px.withinClass.by, "classifier prediction");
    assert.ok(px.withinClass.generatedMean < 0.1, `within-class ${px.withinClass.generatedMean}`);
    assert.ok(px.withinClass.realMean > 5, `real within-class ${px.withinClass.realMean}`);
    const headline = headlineMetrics({ dataset: "fashion-mnist", seed: 0, images: r, seconds: 0 });
    assert.equal(headline.near_duplicate_rate, 1);
    assert.equal(headline.near_duplicate_threshold, 1);
    assert.equal(headline.pixel_recall, px.prdc.recall);

    // Every Parzen kernel sits on c, so log p(x) = −‖u − u_c‖²/2σ² − d log(σ√2π) with
    // u = (x + 1)/2: σ by the mean over the last v training images, reported on the
    // first m test images. Without the [0, 1] map the distances would be 4× larger.
    const unit = (x: number) => (x + 1) / 2;
    const logLik = (x: Float32Array, sigma: number) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += (unit(x[j]) - unit(c[j])) ** 2;
      return -s / (2 * sigma * sigma) - d * Math.log(sigma * Math.sqrt(2 * Math.PI));
    };
    const meanOver = (x: Float32Array, count: number, sigma: number) => {
      let s = 0;
      for (let i = 0; i < count; i++) s += logLik(x.subarray(i * d, (i + 1) * d), sigma);
      return s / count;
    };
    const validation = train.x.subarray((train.count - v) * d);
    const bySigma = PAPER_SIGMAS.map((sigma) => meanOver(validation, v, sigma));
    const sigma = PAPER_SIGMAS[bySigma.indexOf(Math.max(...bySigma))];
    assert.equal(r.parzen!.sigma, sigma);
    const expected = meanOver(test.x, m, sigma);
    assert.ok(
      Math.abs(r.parzen!.mean - expected) < 1e-3 * Math.abs(expected),
      `Parzen ${r.parzen!.mean} against ${expected}`,
    );
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test("diagnostics from a run's checkpoint tensors: a D that says ½ everywhere gives V = −log 4", async () => {
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
  // The networks alone, straight from the checkpoint's tensors: G's weights as trained.
  const checkpoint = (await loadCheckpoint(dir))!;
  const G = buildGenerator(state.spec);
  loadNetworkWeights(G, checkpoint, "G");
  G.weights.forEach((w, i) =>
    assert.deepEqual(w.read().dataSync(), state.G.weights[i].read().dataSync(), w.name)
  );
  G.dispose();
  const other = buildDiscriminator(
    { ...specFor(config, data), discriminatorHidden: [8, 8] } as ArchitectureSpec,
  );
  assert.throws(
    () => loadNetworkWeights(other, checkpoint, "D"),
    /D has 4 saved weights, the model 6; was the checkpoint made with other architecture flags/,
  );
  other.dispose();
  state.dispose();
  const d = await runDiagnostics(dir, 256);
  assert.equal(d.D_x, 0.5);
  assert.equal(d.D_G_z, 0.5);
  assert.ok(Math.abs(d.V! - V_OPTIMUM) < 1e-6, `V = ${d.V}`);
  assert.ok(Math.abs(d.gap!) < 1e-6);
  assert.equal(d.heldOut, "fresh draws from the mixture");
  await Deno.remove(dir, { recursive: true });
});

/** evaluate()'s options from a command line of `deno task eval`. */
function evalArgs(args: string[]) {
  const parsed = parseFlags(evalCommand, args);
  assert.ok(!parsed.help);
  return evalOptions(parsed.flags);
}

/** `deno task eval`'s script in a child process, with the task's permissions. */
async function runEvalCli(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", "--allow-env", "trainer/eval/main.ts", ...args],
    cwd: ROOT,
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("the CLI refuses bad flags with the flag's name", async () => {
  const defaults = evalArgs(["--model", "m"]);
  assert.equal(defaults.samples, 2500); // VEEGAN/PacGAN
  assert.equal(defaults.parzenSamples, 10_000); // Goodfellow et al. 2014
  assert.equal(defaults.validation, 1_000);
  assert.equal(defaults.test, undefined); // the whole test split
  const noModel = await runEvalCli([]);
  assert.equal(noModel.code, 2);
  assert.match(noModel.stderr, /--model: required/);
  assert.doesNotMatch(noModel.stderr, /Uncaught|^ {4}at /m);
  assert.throws(
    () => evalArgs(["--model", "m", "--parzen-samples", "x"]),
    /--parzen-samples: expected an integer ≥ 0, got "x"/,
  );
  assert.throws(
    () => evalArgs(["--model", "m", "--backend", "cuda"]),
    /--backend: expected one of/,
  );
  const help = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "eval", "--help"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(help.code, 0);
  const text = new TextDecoder().decode(help.stdout);
  assert.match(text, /--parzen-samples N +.*\[default: 10000\]/);
  assert.match(text, /--classifier DIR +.*\[default: trainer\/classifier\/models\/DATASET\]/);
});

Deno.test("the CLI names the bad input, exits 1 without a stack trace and writes nothing", async () => {
  // A copy of the shipped ring8 model, without its eval.json and samples.svg.
  const dir = await Deno.makeTempDir();
  for (const file of ["model.json", "group1-shard1of1.bin"]) {
    await Deno.copyFile(`${ROOT}edge/models/ring8/${file}`, `${dir}/${file}`);
  }
  const cases: [string[], RegExp][] = [
    [["--model", "/nonexistent-model"], /cannot read \/nonexistent-model\/model\.json/],
    [["--model", "README.md"], /README\.md is not a usable model folder/],
    [["--model", dir, "--dataset", "grid25"], /--dataset grid25: .* was trained on ring8/],
    [
      ["--model", dir, "--dataset", "mnist"],
      /a points model is measured on ring8 or grid25, not mnist/,
    ],
    [["--model", dir, "--run", "/nonexistent-run"], /--run \/nonexistent-run: no checkpoint/],
    // The CUDA binding is never installed here (see trainer/backend.ts).
    [["--model", dir, "--backend", "tensorflow"], /tfjs-node-gpu/],
  ];
  const results = await Promise.all(cases.map(([args]) => runEvalCli(args)));
  results.forEach(({ code, stderr }, i) => {
    const [args, pattern] = cases[i];
    assert.equal(code, 1, `${args.join(" ")}: ${stderr}`);
    assert.match(stderr, /^error: /m, args.join(" "));
    assert.match(stderr, pattern, args.join(" "));
    assert.doesNotMatch(stderr, /Uncaught|^ {4}at /m, args.join(" "));
  });
  const left = [];
  for await (const e of Deno.readDir(dir)) left.push(e.name);
  assert.deepEqual(left.sort(), ["group1-shard1of1.bin", "model.json"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--keep-diagnostics keeps the checkpoint figures of the model's eval.json, marked as kept", async () => {
  const dir = await Deno.makeTempDir();
  for (const file of ["model.json", "group1-shard1of1.bin", "eval.json"]) {
    await Deno.copyFile(`${ROOT}edge/models/ring8/${file}`, `${dir}/${file}`);
  }
  const previous = JSON.parse(await Deno.readTextFile(`${dir}/eval.json`)).diagnostics;
  assert.ok(previous, "the shipped ring8 eval.json has diagnostics");
  await assert.rejects(
    evaluate(dir, { keepDiagnostics: true, run: "/some-run" }),
    /--keep-diagnostics and --run/,
  );
  const r = await evaluate(dir, { keepDiagnostics: true, samples: 500 });
  assert.deepEqual(r.diagnostics, { ...previous, keptFrom: `${dir}/eval.json` });
  assert.match(formatReport(r), /kept from .*eval\.json, not measured now/);
  // Kept again from the new eval.json: the same figures.
  const again = await evaluate(dir, { keepDiagnostics: true, samples: 500 });
  assert.equal(again.diagnostics!.D_x, previous.D_x);
  // No eval.json: refused before anything is written.
  await Deno.remove(`${dir}/eval.json`);
  await Deno.remove(`${dir}/samples.svg`);
  await assert.rejects(
    evaluate(dir, { keepDiagnostics: true }),
    /--keep-diagnostics: cannot read .*eval\.json/,
  );
  await assert.rejects(Deno.stat(`${dir}/samples.svg`), Deno.errors.NotFound);
  await Deno.remove(dir, { recursive: true });
});
