/**
 * The compiled forward pass (edge/inference.ts, which reads the artifact
 * without tfjs-layers) against the stock tfjs-layers model
 * (`model.predict`): the shipped models through the sampler, and generators
 * built with the shared builders whose batch norms carry random statistics,
 * so that folding them is really exercised.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { type ArchitectureSpec, buildGenerator } from "../../trainer/architectures.ts";
import { decodeArtifact, encodeArtifact } from "@gan-edge/shared/artifact";
import { latents } from "@gan-edge/shared/prng";
import { initWasm } from "@gan-edge/edge/backend";
import { loadSampler, ModelLoadError } from "@gan-edge/edge/sampler";
import { modelArtifacts } from "@gan-edge/trainer/export";
import { type CompiledModel, compileModel } from "../../edge/inference.ts";
import { SHIPPED_RING8, validMetadata } from "../helpers/fixtures.ts";

await initWasm();

/** Outputs are in [−1, 1] (images) or a few units (points): rounding only. */
const TOLERANCE = 1e-5;
const SHIPPED_FASHION = new URL("../../edge/models/fashion-mnist", import.meta.url).pathname;

async function stockModel(dir: string): Promise<tfl.LayersModel> {
  const read = (name: string) => Deno.readFile(`${dir}/${name}`);
  const decoded = await decodeArtifact(await read("model.json"), read);
  return await tfl.loadLayersModel(tf.io.fromMemory(decoded.modelArtifacts));
}

/** The model compiled from its own save artifacts, as the edge compiles an artifact. */
async function compile(model: tfl.LayersModel): Promise<CompiledModel> {
  const net = compileModel(await modelArtifacts(model));
  // The shape pass infers what tfjs-layers inferred.
  assert.deepEqual(
    net.inputs,
    model.inputs.map((x, i) => ({ name: model.inputNames[i], shape: x.shape })),
  );
  assert.deepEqual(net.outputShape, model.outputs[0].shape);
  return net;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** model.predict on z (and labels as floats, as the model declares them). */
function predict(model: tfl.LayersModel, z: Float32Array, n: number, labels?: number[]) {
  return tf.tidy(() => {
    const zT = tf.tensor2d(z, [n, z.length / n]);
    const inputs = labels ? [zT, tf.tensor2d(labels, [n, 1])] : zT;
    return (model.predict(inputs) as tf.Tensor).dataSync() as Float32Array;
  });
}

for (const [name, dir] of [["fashion-mnist", SHIPPED_FASHION], ["ring8", SHIPPED_RING8]]) {
  Deno.test(`shipped ${name}: the sampler's output equals model.predict's`, async () => {
    const sampler = await loadSampler(dir);
    const model = await stockModel(dir);
    const n = 64;
    const z = latents(11, n, sampler.metadata.latent.dim, sampler.metadata.latent.distribution);
    const labels = sampler.classNames
      ? Array.from({ length: n }, (_, i) => i % sampler.classNames!.length)
      : undefined;
    for (const batch of [1, n]) {
      const zb = z.subarray(0, batch * sampler.metadata.latent.dim);
      const ours = await sampler.generate(zb, batch, labels?.slice(0, batch));
      const stock = predict(model, zb, batch, labels?.slice(0, batch));
      assert.ok(maxAbsDiff(ours, stock) <= TOLERANCE, `batch ${batch}: ${maxAbsDiff(ours, stock)}`);
    }
    model.dispose();
  });
}

/** Random batch-norm statistics and affine parameters, far from the defaults. */
function randomizeBatchNorms(model: tfl.LayersModel): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== "BatchNormalization") continue;
    const shape = layer.getWeights()[0].shape;
    const values = tf.tidy(() => [
      tf.randomUniform(shape, 0.5, 1.5, "float32", 1), // gamma
      tf.randomNormal(shape, 0, 0.3, "float32", 2), // beta
      tf.randomNormal(shape, 0, 0.5, "float32", 3), // moving mean
      tf.randomUniform(shape, 0.2, 2, "float32", 4), // moving variance
    ]);
    layer.setWeights(values);
    tf.dispose(values);
  }
}

const DCGAN: ArchitectureSpec = {
  id: "dcgan",
  latentDim: 64,
  output: { kind: "image", height: 28, width: 28, channels: 1, range: [-1, 1] },
  width: 32,
  dropout: 0,
};

for (
  const [name, spec] of [
    ["unconditional DCGAN 28×28", DCGAN],
    ["conditional DCGAN 32×32×3", {
      ...DCGAN,
      output: { kind: "image", height: 32, width: 32, channels: 3, range: [-1, 1] },
      width: 16,
      numClasses: 10,
    }],
    ["MLP image generator (tanh, reshape)", {
      id: "mlp",
      latentDim: 8,
      output: { kind: "image", height: 28, width: 28, channels: 1, range: [-1, 1] },
      generatorHidden: [32, 64],
      discriminatorHidden: [16],
      dropout: 0,
    }],
    ["MLP points generator with a data scale (Rescaling after g_out)", {
      id: "mlp",
      latentDim: 8,
      output: { kind: "points", dim: 2 },
      generatorHidden: [32, 32],
      discriminatorHidden: [16],
      dropout: 0,
      scale: 4,
    }],
  ] as [string, ArchitectureSpec][]
) {
  Deno.test(`${name} from the shared builders: compiled equals model.predict`, async () => {
    const model = buildGenerator(spec);
    randomizeBatchNorms(model);
    const net = await compile(model);
    const n = 16;
    const z = latents(5, n, spec.latentDim, "normal");
    const labels = spec.numClasses ? Array.from({ length: n }, (_, i) => i % 10) : undefined;
    const stock = predict(model, z, n, labels);
    const before = tf.memory().numTensors;
    const ours = tf.tidy(() => {
      const inputs = [tf.tensor2d(z, [n, spec.latentDim])];
      if (labels) inputs.push(tf.tensor2d(labels, [n, 1], "int32"));
      return net.run(inputs).dataSync();
    });
    assert.equal(tf.memory().numTensors, before, "run leaves no tensor behind");
    const spread = Math.max(...stock) - Math.min(...stock);
    assert.ok(spread > 0.5, `outputs should vary, got a spread of ${spread}`);
    assert.ok(maxAbsDiff(ours, stock) <= TOLERANCE, `max |Δ| ${maxAbsDiff(ours, stock)}`);
    net.dispose();
    model.dispose();
  });
}

/**
 * The other layers the compiler knows (none of our generators uses them
 * today): Conv2D with a folded batch norm and a fused LeakyReLU, a batch
 * norm it cannot fold (its input feeds two layers), Concatenate, Add, a
 * Rescaling it cannot fold (after Add), sigmoid and tanh, and a transposed convolution with "valid" padding.
 */
function otherLayersModel(): tfl.LayersModel {
  const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) =>
    layer.apply(x) as tfl.SymbolicTensor;
  const z = tfl.input({ shape: [16], name: "z" });
  const y = tfl.input({ shape: [16], name: "y" });
  let h = apply(tfl.layers.concatenate({ axis: -1 }), [z, y]);
  h = apply(tfl.layers.dense({ units: 4 * 4 * 8, activation: "sigmoid" }), h);
  h = apply(tfl.layers.reshape({ targetShape: [4, 4, 8] }), h);
  const c = apply(tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: "same" }), h);
  const shared = apply(tfl.layers.batchNormalization({}), c);
  const a = apply(tfl.layers.leakyReLU({ alpha: 0.2 }), shared);
  const b = apply(tfl.layers.activation({ activation: "tanh" }), shared);
  h = apply(tfl.layers.add(), [a, b]);
  h = apply(tfl.layers.rescaling({ scale: 0.5, offset: 0.25 }), h); // after Add: not folded
  h = apply(tfl.layers.conv2d({ filters: 3, kernelSize: 2, strides: 2, padding: "valid" }), h);
  // 2×2 → 5×5: a transposed convolution's "valid" output is n·s + max(k − s, 0).
  h = apply(tfl.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2 }), h);
  h = apply(tfl.layers.batchNormalization({}), h);
  h = apply(tfl.layers.leakyReLU({ alpha: 0.1 }), h);
  return tfl.model({ inputs: [z, y], outputs: apply(tfl.layers.flatten(), h) });
}

Deno.test("Conv2D, LeakyReLU, Concatenate, Add, Rescaling, sigmoid: compiled equals model.predict", async () => {
  const model = otherLayersModel();
  randomizeBatchNorms(model);
  const net = await compile(model);
  const n = 8;
  const [z, y] = [latents(1, n, 16, "normal"), latents(2, n, 16, "normal")];
  const stock = tf.tidy(() =>
    (model.predict([tf.tensor2d(z, [n, 16]), tf.tensor2d(y, [n, 16])]) as tf.Tensor).dataSync()
  );
  const ours = tf.tidy(() =>
    net.run([tf.tensor2d(z, [n, 16]), tf.tensor2d(y, [n, 16])]).dataSync()
  );
  assert.ok(maxAbsDiff(ours, stock) <= TOLERANCE, `max |Δ| ${maxAbsDiff(ours, stock)}`);
  net.dispose();
  model.dispose();
});

Deno.test("compiling then disposing leaves the tensor count as it was", async () => {
  const model = buildGenerator(DCGAN);
  const artifacts = await modelArtifacts(model);
  const before = tf.memory().numTensors;
  compileModel(artifacts).dispose();
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

Deno.test("a layer the edge cannot run is a ModelLoadError naming it, and leaks nothing", async () => {
  const z = tfl.input({ shape: [8], name: "z" });
  let h = tfl.layers.dense({ units: 4, name: "g_dense" }).apply(z) as tfl.SymbolicTensor;
  h = tfl.layers.gaussianNoise({ stddev: 0.1, name: "g_noise" }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.dense({ units: 2, name: "g_out" }).apply(h) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: z, outputs: h });
  const artifacts = await modelArtifacts(model);
  model.dispose();
  const before = tf.memory().numTensors;
  assert.throws(() => compileModel(artifacts), /layer g_noise \(GaussianNoise\)/);
  assert.equal(tf.memory().numTensors, before);
  const files = await encodeArtifact(artifacts, validMetadata(), "float32");
  const dir = await Deno.makeTempDir({ prefix: "gan-edge-unknown-layer-" });
  for (const [file, bytes] of files) await Deno.writeFile(`${dir}/${file}`, bytes);
  await assert.rejects(
    loadSampler(dir),
    (e) => e instanceof ModelLoadError && /g_noise \(GaussianNoise\)/.test(e.message),
  );
  assert.equal(tf.memory().numTensors, before);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a Rescaling whose scale is not a number is refused, naming the layer and the field", async () => {
  const model = buildGenerator({
    id: "mlp",
    latentDim: 4,
    output: { kind: "points", dim: 2 },
    generatorHidden: [8],
    discriminatorHidden: [8],
    dropout: 0,
    scale: 4,
  });
  const artifacts = await modelArtifacts(model);
  model.dispose();
  // deno-lint-ignore no-explicit-any
  const topology = structuredClone(artifacts.modelTopology) as any;
  const layers = (topology.model_config ?? topology).config.layers;
  layers.find((l: { name: string }) => l.name === "g_scale").config.scale = "4";
  const before = tf.memory().numTensors;
  assert.throws(
    () => compileModel({ ...artifacts, modelTopology: topology }),
    /layer g_scale \(Rescaling\): expected a number scale/,
  );
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("an artifact whose topology or weights disagree is refused, and leaks nothing", async () => {
  const model = buildGenerator({ ...DCGAN, numClasses: 10 });
  const good = await modelArtifacts(model);
  model.dispose();
  /** A copy of the artifacts with `edit` applied to its topology and weight specs. */
  const edited = (
    edit: (layers: Record<string, unknown>[], specs: tf.io.WeightsManifestEntry[]) => void,
  ) => {
    const a = structuredClone(good);
    const topology = a.modelTopology as { config: { layers: Record<string, unknown>[] } };
    edit(topology.config.layers, a.weightSpecs!);
    return a;
  };
  const layer = (layers: Record<string, unknown>[], name: string) =>
    layers.find((l) => l.name === name) as { config: Record<string, unknown> };
  const cases: [string, tf.io.ModelArtifacts, RegExp][] = [
    [
      "a weight of another shape",
      edited((layers) => {
        layer(layers, "g_project").config.units = 6271;
      }),
      /weight g_project\/kernel: expected shape \[64,6271\], got \[64,6272\]/,
    ],
    [
      "a weight no layer uses",
      edited((layers) => {
        layer(layers, "g_deconv1").config.use_bias = false;
      }),
      /weight g_deconv1\/bias belongs to no layer/,
    ],
    [
      "a missing weight",
      edited((_, specs) => {
        specs.find((w) => w.name === "g_bn0/gamma")!.name = "g_bn0/gamma2";
      }),
      /layer g_bn0: expected a weight named g_bn0\/gamma/,
    ],
    [
      "a reshape that changes the size",
      edited((layers) => {
        layers.find((l) => l.class_name === "Reshape")!.config = { target_shape: [7, 7, 64] };
      }),
      /cannot reshape \[6272\] to \[7,7,64\]/,
    ],
    [
      "no layer list",
      { ...good, modelTopology: { class_name: "Model", config: {} } },
      /modelTopology: expected a list of layers/,
    ],
    [
      "a Sequential model",
      { ...good, modelTopology: { class_name: "Sequential", config: {} } },
      /expected a functional model, got Sequential/,
    ],
  ];
  const before = tf.memory().numTensors;
  for (const [what, artifacts, message] of cases) {
    assert.throws(() => compileModel(artifacts), message, what);
    assert.equal(tf.memory().numTensors, before, what);
  }
});
