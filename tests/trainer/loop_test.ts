/**
 * The training loop in-process: every objective and option runs, tensors do
 * not leak across epochs, a divergence stops the run, and D reaches ½ when
 * G's samples come from p_data itself.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildDiscriminator } from "../../trainer/architectures.ts";
import { registerGradients } from "@gan-edge/kernels/training";
import { Prng } from "@gan-edge/shared/prng";
import { parseConfig } from "../../trainer/config.ts";
import { RING8, sampleMixture } from "../../trainer/data/toy.ts";
import { type DataSource, openDataset } from "../../trainer/data/mod.ts";
import * as losses from "../../trainer/losses.ts";
import {
  call,
  callTogether,
  DivergenceError,
  GanState,
  pack,
  perSample,
  specFor,
  type StepLog,
  trainEpochs,
  trainSteps,
} from "../../trainer/loop.ts";

await tf.setBackend("cpu");
tf.enableProdMode();

const ring8: DataSource = {
  name: "ring8",
  output: { kind: "points", dim: 2 },
  size: null,
  batch: (prng, n) => ({ x: sampleMixture(RING8, prng, n) }),
};

/** Tiny labelled 8×8… no: dcgan needs 28×28; random 28×28 images, 3 classes. */
const tinyImages: DataSource = {
  name: "tiny",
  output: { kind: "image", height: 28, width: 28, channels: 1, range: [-1, 1] },
  classNames: ["a", "b", "c"],
  size: 64,
  batch: (prng, n) => ({
    x: Float32Array.from({ length: n * 784 }, () => 2 * prng.uniform() - 1),
    labels: Int32Array.from({ length: n }, () => prng.int(3)),
  }),
};

async function run(args: string[], data: DataSource, steps: number): Promise<StepLog[]> {
  const facts = { kind: data.output.kind, size: data.size, labelled: Boolean(data.classNames) };
  const config = parseConfig(args, facts);
  const state = new GanState(config, specFor(config, data));
  const logs: StepLog[] = [];
  try {
    await trainSteps(state, data, steps, (l) => {
      logs.push(l);
    });
  } finally {
    state.dispose();
  }
  return logs;
}

Deno.test("every objective trains a few finite steps; V and JSD only for the minimax family", async () => {
  for (const loss of losses.LOSSES) {
    const logs = await run(["--loss", loss, "--batch-size", "32", "--d-steps", "2"], ring8, 3);
    assert.equal(logs.length, 3, loss);
    for (const l of logs) {
      assert.ok(
        Number.isFinite(l.loss_D) && Number.isFinite(l.loss_G),
        `${loss}: ${JSON.stringify(l)}`,
      );
      assert.ok(l.grad_norm_D > 0 && l.grad_norm_G > 0, loss);
      const bce = ["minimax", "ns", "feature-matching"].includes(loss);
      assert.equal(l.V !== null, bce, loss);
      if (bce) assert.ok(Math.abs(l.JSD! - (l.V! + Math.log(4)) / 2) < 1e-6);
    }
  }
});

Deno.test("PacGAN packing, minibatch std, dropout and EMA train", async () => {
  const logs = await run(
    ["--pack", "4", "--minibatch-std", "--dropout", "0.3", "--ema", "0.9", "--batch-size", "32"],
    ring8,
    3,
  );
  assert.ok(logs.every((l) => Number.isFinite(l.loss_D)));
});

Deno.test("perSample: D without batch statistics is per sample; minibatch std and batch norm are not", () => {
  const spec = {
    id: "mlp" as const,
    latentDim: 2,
    output: { kind: "points" as const, dim: 2 },
    generatorHidden: [],
    discriminatorHidden: [4],
    dropout: 0,
  };
  const plain = buildDiscriminator(spec);
  const mbstd = buildDiscriminator({ ...spec, minibatchStd: true });
  const input = tf.input({ shape: [2] });
  const bn = tf.model({
    inputs: input,
    outputs: tf.layers.batchNormalization().apply(input) as tf.SymbolicTensor,
  });
  assert.equal(perSample(plain), true);
  assert.equal(perSample(mbstd), false);
  assert.equal(perSample(bn), false);
  [plain, mbstd, bn].forEach((m) => m.dispose());
});

Deno.test("callTogether: one D pass over real and fake equals two, outputs and gradients", async () => {
  for (const args of [["--dataset", "ring8", "--pack", "2"], ["--conditional", "--width", "8"]]) {
    const data = args[0] === "--dataset" ? ring8 : tinyImages;
    const facts = { kind: data.output.kind, size: data.size, labelled: Boolean(data.classNames) };
    const config = parseConfig([...args, "--batch-size", "8", "--out", "/nonexistent"], facts);
    const state = new GanState(config, specFor(config, data));
    assert.ok(perSample(state.D), `${args}: D is per sample`);
    const prng = new Prng(9);
    const batch = () => {
      const b = data.batch(prng, 8);
      const shape = [8 / config.pack, ...state.D.inputs[0].shape.slice(1)] as number[];
      const labels = b.labels
        ? tf.tensor2d(Float32Array.from(b.labels).slice(0, 8 / config.pack), [8 / config.pack, 1])
        : null;
      return [tf.tensor(b.x, shape), labels] as [tf.Tensor, tf.Tensor | null];
    };
    const real = batch();
    const fake = batch();
    const loss = (r: tf.Tensor, f: tf.Tensor) => losses.discriminatorBceLoss(r, f);
    const vars = state.D.trainableWeights.map((w) => w.read() as tf.Variable);
    const one = tf.variableGrads(() => loss(...callTogether(state.D, real, fake)), vars);
    const two = tf.variableGrads(() => loss(call(state.D, ...real), call(state.D, ...fake)), vars);
    const close = async (a: tf.Tensor, b: tf.Tensor, what: string) => {
      const [x, y] = [await a.data(), await b.data()];
      const scale = Math.max(1e-3, ...Array.from(y, Math.abs));
      x.forEach((v, i) =>
        assert.ok(Math.abs(v - y[i]) <= 1e-5 * scale, `${args} ${what}[${i}]: ${v} vs ${y[i]}`)
      );
    };
    await close(one.value, two.value, "loss");
    for (const name of Object.keys(two.grads)) await close(one.grads[name], two.grads[name], name);
    tf.dispose(
      [
        ...real,
        ...fake,
        one.value,
        two.value,
        ...Object.values(one.grads),
        ...Object.values(two.grads),
      ].filter((t): t is tf.Tensor => t !== null),
    );
    state.dispose();
  }
});

Deno.test("specFor: grid25's networks work in units of its extent (scale 4); ring8's need none", async () => {
  for (const [name, scale] of [["grid25", 4], ["ring8", undefined]] as const) {
    const data = await openDataset(name);
    const config = parseConfig(["--dataset", name, "--out", "/nonexistent"], {
      kind: "points",
      size: null,
      labelled: false,
    });
    const spec = specFor(config, data);
    assert.equal(spec.id === "mlp" ? spec.scale : "dcgan", scale, name);
  }
});

Deno.test("pack puts m samples side by side on the last axis", () => {
  const points = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
  assert.deepEqual(pack(points, 2).arraySync(), [[1, 2, 3, 4], [5, 6, 7, 8]]);
  const images = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2, 1]); // two 2×2 images
  assert.deepEqual(pack(images, 2).arraySync(), [[[[1, 5], [2, 6]], [[3, 7], [4, 8]]]]);
  tf.dispose([points, images]);
});

Deno.test("a conditional DCGAN step runs (28×28, labels, projection D)", async () => {
  const logs = await run(
    ["--conditional", "--width", "4", "--batch-size", "8", "--latent-dim", "8"],
    tinyImages,
    1,
  );
  assert.equal(logs.length, 1);
  assert.ok(Number.isFinite(logs[0].loss_D));
});

Deno.test("the live tensor count stays flat across epochs", async () => {
  const config = parseConfig(["--batch-size", "32", "--ema", "0.99"]);
  const state = new GanState(config, specFor(config, ring8));
  try {
    await trainSteps(state, ring8, 5);
    const after1 = tf.memory().numTensors;
    await trainSteps(state, ring8, 10);
    await trainSteps(state, ring8, 15);
    assert.equal(tf.memory().numTensors, after1);
  } finally {
    state.dispose();
  }
});

Deno.test("a NaN loss stops the run with a DivergenceError naming the step", async () => {
  const poisoned: DataSource = {
    ...ring8,
    batch: (_prng, n) => ({ x: new Float32Array(2 * n).fill(NaN) }),
  };
  const config = parseConfig(["--batch-size", "8"]);
  const state = new GanState(config, specFor(config, poisoned));
  try {
    await assert.rejects(trainSteps(state, poisoned, 3), (e: Error) => {
      assert.ok(e instanceof DivergenceError);
      assert.match(e.message, /step 1: the loss became NaN/);
      return true;
    });
    assert.equal(state.step, 0); // the bad step is not counted
  } finally {
    state.dispose();
  }
});

Deno.test("the optimal discriminator: when G's samples come from p_data, D approaches ½", async () => {
  const D = buildDiscriminator({
    id: "mlp",
    latentDim: 2,
    output: { kind: "points", dim: 2 },
    generatorHidden: [],
    discriminatorHidden: [32, 32],
    dropout: 0,
  });
  const opt = tf.train.adam(1e-3, 0.5, 0.999);
  const prng = new Prng(1);
  const vars = D.trainableWeights.map((w) => w.read() as tf.Variable);
  for (let i = 0; i < 200; i++) {
    const real = tf.tensor2d(sampleMixture(RING8, prng, 128), [128, 2]);
    const fake = tf.tensor2d(sampleMixture(RING8, prng, 128), [128, 2]); // "G" = p_data
    opt.minimize(
      () => losses.discriminatorBceLoss(D.apply(real) as tf.Tensor, D.apply(fake) as tf.Tensor),
      false,
      vars,
    );
    tf.dispose([real, fake]);
  }
  const x = tf.tensor2d(sampleMixture(RING8, prng, 2000), [2000, 2]);
  const d = tf.sigmoid(D.predict(x) as tf.Tensor);
  const mean = (await tf.mean(d).data())[0];
  const spread = (await tf.max(tf.abs(tf.sub(d, 0.5))).data())[0];
  assert.ok(Math.abs(mean - 0.5) < 0.03, `mean D(x) = ${mean}`);
  assert.ok(spread < 0.1, `max |D(x) − ½| = ${spread}`);
  // V at this D is close to its optimum −log 4.
  const v =
    (await losses.valueFunction(D.predict(x) as tf.Tensor, D.predict(x) as tf.Tensor).data())[0];
  assert.ok(Math.abs(v - losses.V_OPTIMUM) < 0.01, `V = ${v}`);
  tf.dispose([x, d]);
  opt.dispose();
  D.dispose();
});

Deno.test("WGAN-GP's penalty gradient (second order, through leaky ReLU) matches finite differences", async () => {
  registerGradients();
  // A seeded initialisation: with Math.random's, about 1 run in 20 put a
  // pre-activation within the finite difference's step of leaky ReLU's kink.
  const prng = new Prng(11);
  const mathRandom = Math.random;
  Math.random = () => prng.uniform();
  let D;
  try {
    D = buildDiscriminator({
      id: "mlp",
      latentDim: 2,
      output: { kind: "points", dim: 2 },
      generatorHidden: [],
      discriminatorHidden: [8],
      dropout: 0,
    });
  } finally {
    Math.random = mathRandom;
  }
  const x = tf.tensor2d(sampleMixture(RING8, new Prng(3), 16), [16, 2]);
  const penalty = () =>
    losses.gradientPenalty(tf.grad((m: tf.Tensor) => tf.sum(D.apply(m) as tf.Tensor))(x), 10);
  const kernel = D.getLayer("d_dense0").getWeights()[0] as tf.Variable;
  const variable = D.getLayer("d_dense0").trainableWeights[0].read() as tf.Variable;
  const { grads } = tf.variableGrads(penalty, [variable]);
  const analytic = (await Object.values(grads)[0].data())[0];
  const base = await kernel.data();
  const h = 1e-2;
  const at = async (delta: number) => {
    const w = Float32Array.from(base);
    w[0] += delta;
    variable.assign(tf.tensor(w, variable.shape));
    return (await penalty().data())[0];
  };
  const numeric = (await at(h) - await at(-h)) / (2 * h);
  variable.assign(tf.tensor(base, variable.shape));
  assert.ok(Math.abs(analytic) > 1e-4, `gradient ${analytic} should not vanish`);
  assert.ok(
    Math.abs(analytic - numeric) < 2e-2 * Math.max(1, Math.abs(numeric)),
    `${analytic} vs ${numeric}`,
  );
  tf.dispose([x, ...Object.values(grads)]);
  D.dispose();
});

Deno.test("--lr-decay linear: --lr at step 1 down to --lr/steps at the last; Adam uses it", async () => {
  const { learningRateAt } = await import("../../trainer/loop.ts");
  const config = parseConfig([
    "--lr",
    "0.001",
    "--steps",
    "4",
    "--lr-decay",
    "linear",
    "--batch-size",
    "8",
  ]);
  assert.deepEqual([1, 2, 3, 4].map((s) => learningRateAt(config, s)), [
    0.001,
    0.00075,
    0.0005,
    0.00025,
  ]);
  assert.equal(learningRateAt(parseConfig(["--lr", "0.001"]), 4), 0.001);
  const state = new GanState(config, specFor(config, ring8));
  try {
    await trainSteps(state, ring8, 4);
    const lr = (state.optG as unknown as { learningRate: number }).learningRate;
    assert.equal(lr, 0.00025);
  } finally {
    state.dispose();
  }
});

Deno.test("trainEpochs: epochs of --epoch-steps up to --steps; a stop ends the epoch early", async () => {
  const config = parseConfig(["--batch-size", "8", "--steps", "5", "--epoch-steps", "2"]);
  const state = new GanState(config, specFor(config, ring8));
  try {
    const epochs: [number, number[], boolean][] = [];
    const steps: number[] = [];
    let stopAfter = 3;
    const hooks = {
      onStep: (l: StepLog) => void steps.push(l.step),
      onEpoch: ({ epoch, logs, complete }: { epoch: number; logs: StepLog[]; complete: boolean }) =>
        Promise.resolve(void epochs.push([epoch, logs.map((l) => l.step), complete])),
      shouldStop: () => state.step >= stopAfter,
    };
    await trainEpochs(state, ring8, hooks);
    assert.deepEqual(epochs, [[1, [1, 2], true], [2, [3], false]]);
    // Resumed: the epochs continue where an uninterrupted run's would be.
    stopAfter = Infinity;
    await trainEpochs(state, ring8, hooks);
    assert.deepEqual(epochs.slice(2), [[2, [4], true], [3, [5], true]]);
    assert.deepEqual(steps, [1, 2, 3, 4, 5]);
  } finally {
    state.dispose();
  }
});
