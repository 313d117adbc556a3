/**
 * A generator's forward pass for serving: a tfjs LayersModel compiled once,
 * at load time, into the few tfjs ops inference needs.
 *
 * Why: at batch 1 a DCGAN generator is a job of well under a millisecond,
 * and `model.predict` adds a fixed cost per call (input checks, the batching
 * loop, several ops per layer, batch norm as its own pass). Compiling:
 *
 * - folds each inference-mode BatchNormalization into the Dense, Conv2D or
 *   Conv2DTranspose before it (when it is that layer's only consumer):
 *   γ(Wx + b − μ)/√(σ² + ε) + β = (W·s)x + (b − μ)·s + β, s = γ/√(σ² + ε),
 *   scaling the kernel along its output channels;
 * - moves a ReLU or LeakyReLU layer (and a layer's own activation) into the
 *   layer before it, and runs Dense and Conv2D as tfjs's fused ops (matmul or
 *   conv, bias and activation in one kernel);
 * - runs everything else as the layer's own tfjs op.
 *
 * Only the layer types our architectures produce are known (see
 * {@link compileModel}); any other layer is refused at load time, never
 * approximated. The result equals `model.predict` up to float rounding
 * (tests/edge/inference_test.ts).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";

/** An activation, by its tfjs-layers name. */
interface Activation {
  name: "linear" | "relu" | "tanh" | "sigmoid" | "leakyrelu";
  alpha?: number;
}

/** Dense, Conv2D or Conv2DTranspose: x → act(x ⊛ kernel + bias). */
interface Affine {
  kind: "dense" | "conv2d" | "conv2dTranspose";
  kernel: tf.Tensor;
  bias?: tf.Tensor1D;
  activation: Activation;
  /** Convolutions only. */
  strides?: [number, number];
  padding?: "same" | "valid";
  /** Conv2DTranspose only: the output's height, width and channels. */
  outShape?: [number, number, number];
}

/** Inference-mode batch norm over the last axis. */
interface BatchNorm {
  kind: "batchNorm";
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  gamma?: tf.Tensor1D;
  beta?: tf.Tensor1D;
  epsilon: number;
}

type Op =
  | Affine
  | BatchNorm
  | { kind: "activation"; activation: Activation }
  | { kind: "embedding"; table: tf.Tensor2D }
  | { kind: "reshape"; shape: number[] }
  | { kind: "multiply" | "add" }
  | { kind: "concatenate"; axis: number };

/** One layer of the compiled network: its op and the layers it reads. */
interface Node {
  name: string;
  inputs: string[];
  op: Op;
}

/** A network compiled by {@link compileModel}. */
export interface CompiledModel {
  /**
   * The output for one tensor per model input, in the model's input order
   * (labels may be int32). Intermediates are disposed; the caller owns the
   * result.
   */
  run(inputs: tf.Tensor[]): tf.Tensor;
  /** Frees the compiled weights. */
  dispose(): void;
}

/**
 * An activation split into the part tfjs's fused matMul and conv2d apply in
 * their kernel (on wasm: linear, relu, sigmoid, leakyrelu) and the rest.
 */
function split(a: Activation): { fused: tf.fused.Activation; alpha?: number; after: Activation } {
  return a.name === "tanh"
    ? { fused: "linear", after: a }
    : { fused: a.name, alpha: a.alpha, after: { name: "linear" } };
}

/**
 * Compiles `model` (single output; each layer used once). Known layers:
 * Dense, Conv2D, Conv2DTranspose (channels last, no dilation),
 * BatchNormalization (last axis), ReLU (no max value), LeakyReLU,
 * Activation, Embedding, Flatten, Reshape, Multiply, Add, Concatenate; with
 * activations linear, relu, tanh, sigmoid. Throws a RangeError naming the
 * first layer it cannot run. The model can be disposed afterwards: the
 * compiled network holds its own copies of the weights.
 */
export function compileModel(model: tfl.LayersModel): CompiledModel {
  if (model.outputs.length !== 1) {
    throw new RangeError(`expected a network with one output, got ${model.outputs.length}`);
  }
  const inputNames = model.inputNames;
  const nodes: Node[] = [];
  try {
    const known = new Set(inputNames);
    for (const layer of model.layers) {
      if (layer.getClassName() === "InputLayer") continue;
      const node = parseLayer(layer);
      nodes.push(node);
      const missing = node.inputs.find((i) => !known.has(i));
      if (missing) {
        throw new RangeError(`layer ${node.name} reads ${missing}, not computed before it`);
      }
      known.add(node.name);
    }
  } catch (e) {
    tf.dispose(nodes.flatMap((n) => weightsOf(n.op)));
    throw e;
  }
  const output = fuse(nodes, model.outputs[0].sourceLayer.name);
  const steps = nodes.map((node) => ({ node, apply: emit(node.op) }));
  return {
    run(inputs) {
      return tf.tidy(() => {
        const values = new Map(inputNames.map((name, i) => [name, inputs[i]]));
        for (const { node, apply } of steps) {
          values.set(node.name, apply(node.inputs.map((name) => values.get(name)!)));
        }
        return values.get(output)!;
      });
    },
    dispose() {
      tf.dispose(nodes.flatMap((n) => weightsOf(n.op)));
    },
  };
}

/**
 * The layer's weights by their short name ("kernel", "gamma", …), copied;
 * `need(name)` throws if the layer has no such weight.
 */
function weights(layer: tfl.layers.Layer) {
  const copies = new Map<string, tf.Tensor>();
  for (const w of layer.weights) {
    copies.set(w.originalName.split("/").pop()!, tf.clone(w.read()));
  }
  return {
    need<T extends tf.Tensor>(name: string): T {
      const w = copies.get(name);
      if (!w) {
        tf.dispose([...copies.values()]);
        throw new RangeError(`layer ${layer.name}: expected a weight named ${name}`);
      }
      return w as T;
    },
    get: <T extends tf.Tensor>(name: string) => copies.get(name) as T | undefined,
  };
}

function activation(name: unknown, layer: string): Activation {
  if (name === "linear" || name === "relu" || name === "tanh" || name === "sigmoid") {
    return { name };
  }
  throw new RangeError(`layer ${layer}: activation ${String(name)} is not supported`);
}

/** The layer as a Node; its weights are copies this module owns. */
function parseLayer(layer: tfl.layers.Layer): Node {
  const name = layer.name;
  const cls = layer.getClassName();
  const config = layer.getConfig();
  if (layer.inboundNodes.length !== 1) {
    throw new RangeError(`layer ${name} (${cls}) is used ${layer.inboundNodes.length} times`);
  }
  const inputs = layer.inboundNodes[0].inboundLayers.map((l) => l.name);
  const node = (op: Op): Node => ({ name, inputs, op });
  const refuse = (why: string) => new RangeError(`layer ${name} (${cls}): ${why}`);
  switch (cls) {
    case "Dense": {
      if (rank(layer.inboundNodes[0].inputShapes) !== 2) throw refuse("expected a 2-D input");
      const act = activation(config.activation, name);
      const w = weights(layer);
      return node({
        kind: "dense",
        kernel: w.need("kernel"),
        bias: w.get("bias"),
        activation: act,
      });
    }
    case "Conv2D":
    case "Conv2DTranspose": {
      const dilation = config.dilationRate as number | number[] | undefined;
      if (config.dataFormat !== "channelsLast") throw refuse("expected channels last");
      if (config.padding !== "same" && config.padding !== "valid") {
        throw refuse(`padding ${config.padding} is not supported`);
      }
      if (dilation !== undefined && [dilation].flat().some((d) => d !== 1)) {
        throw refuse("dilation is not supported");
      }
      const act = activation(config.activation, name);
      const [, h, w, c] = layer.outputShape as number[];
      const ws = weights(layer);
      return node({
        kind: cls === "Conv2D" ? "conv2d" : "conv2dTranspose",
        kernel: ws.need("kernel"),
        bias: ws.get("bias"),
        activation: act,
        strides: config.strides as [number, number],
        padding: config.padding as "same" | "valid",
        outShape: [h, w, c],
      });
    }
    case "BatchNormalization": {
      const axis = config.axis as number;
      const r = rank(layer.inboundNodes[0].inputShapes);
      if (axis !== -1 && axis !== r - 1) throw refuse(`expected axis -1, got ${axis}`);
      const w = weights(layer);
      return node({
        kind: "batchNorm",
        mean: w.need("moving_mean"),
        variance: w.need("moving_variance"),
        gamma: w.get("gamma"),
        beta: w.get("beta"),
        epsilon: config.epsilon as number,
      });
    }
    case "ReLU":
      if (config.maxValue != null) throw refuse("max value is not supported");
      return node({ kind: "activation", activation: { name: "relu" } });
    case "LeakyReLU":
      return node({
        kind: "activation",
        activation: { name: "leakyrelu", alpha: config.alpha as number },
      });
    case "Activation":
      return node({ kind: "activation", activation: activation(config.activation, name) });
    case "Embedding":
      if (config.maskZero) throw refuse("mask zero is not supported");
      return node({
        kind: "embedding",
        table: weights(layer).need("embeddings"),
      });
    case "Flatten":
      return node({ kind: "reshape", shape: [-1] });
    case "Reshape":
      return node({ kind: "reshape", shape: config.targetShape as number[] });
    case "Multiply":
      return node({ kind: "multiply" });
    case "Add":
      return node({ kind: "add" });
    case "Concatenate":
      return node({ kind: "concatenate", axis: config.axis as number });
    default:
      throw refuse("this layer type is not supported by the edge's inference");
  }
}

function rank(shape: tfl.Shape | tfl.Shape[]): number {
  return (Array.isArray(shape[0]) ? shape[0] : shape).length;
}

/**
 * Folds each batch norm and activation into the Dense or convolution that
 * feeds it alone, removing it from `nodes` (in place); returns the name of
 * the node that now holds the network's output.
 */
function fuse(nodes: Node[], output: string): string {
  const alias = new Map<string, string>();
  const resolve = (name: string) => alias.get(name) ?? name;
  const consumers = new Map<string, number>();
  for (const n of nodes) {
    for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  }
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const kept: Node[] = [];
  for (const node of nodes) {
    node.inputs = node.inputs.map(resolve);
    const prev = node.inputs.length === 1 ? byName.get(node.inputs[0]) : undefined;
    const into = prev && isAffine(prev.op) && consumers.get(prev.name) === 1 &&
        prev.name !== output && prev.op.activation.name === "linear"
      ? prev
      : undefined;
    const op = node.op;
    if (into && op.kind === "batchNorm") {
      foldBatchNorm(into.op as Affine, op);
    } else if (into && op.kind === "activation") {
      (into.op as Affine).activation = op.activation;
    } else {
      kept.push(node);
      continue;
    }
    // `into` now stands for `node`: its consumers count as `into`'s.
    alias.set(node.name, into.name);
    consumers.set(into.name, consumers.get(node.name) ?? 0);
    if (node.name === output) output = into.name;
  }
  nodes.splice(0, nodes.length, ...kept);
  return output;
}

function isAffine(op: Op): op is Affine {
  return op.kind === "dense" || op.kind === "conv2d" || op.kind === "conv2dTranspose";
}

/** kernel·s and (bias − μ)·s + β along the output channels (disposes what it replaces). */
function foldBatchNorm(layer: Affine, bn: BatchNorm): void {
  const [kernel, bias] = tf.tidy(() => {
    let s = tf.rsqrt(tf.add(bn.variance, bn.epsilon));
    if (bn.gamma) s = tf.mul(s, bn.gamma);
    // Output channels: the kernel's last axis, but the third of
    // conv2dTranspose's [h, w, outC, inC].
    const scale = layer.kind === "conv2dTranspose" ? tf.reshape(s, [-1, 1]) : s;
    let b = tf.mul(layer.bias ? tf.sub(layer.bias, bn.mean) : tf.neg(bn.mean), s);
    if (bn.beta) b = tf.add(b, bn.beta);
    return [tf.mul(layer.kernel, scale), b as tf.Tensor1D];
  });
  tf.dispose([layer.kernel, layer.bias ?? [], ...weightsOf(bn)]);
  layer.kernel = kernel;
  layer.bias = bias;
}

function weightsOf(op: Op): tf.Tensor[] {
  switch (op.kind) {
    case "dense":
    case "conv2d":
    case "conv2dTranspose":
      return [op.kernel, ...(op.bias ? [op.bias] : [])];
    case "batchNorm":
      return [op.mean, op.variance, ...[op.gamma, op.beta].filter((t) => t !== undefined)];
    case "embedding":
      return [op.table];
    default:
      return [];
  }
}

function applyActivation(x: tf.Tensor, a: Activation): tf.Tensor {
  switch (a.name) {
    case "linear":
      return x;
    case "relu":
      return tf.relu(x);
    case "tanh":
      return tf.tanh(x);
    case "sigmoid":
      return tf.sigmoid(x);
    case "leakyrelu":
      return tf.leakyRelu(x, a.alpha);
  }
}

/** The op as a function of its input tensors. */
function emit(op: Op): (xs: tf.Tensor[]) => tf.Tensor {
  switch (op.kind) {
    case "dense": {
      const { fused, alpha, after } = split(op.activation);
      return ([x]) =>
        applyActivation(
          tf.fused.matMul({
            a: x as tf.Tensor2D,
            b: op.kernel as tf.Tensor2D,
            bias: op.bias,
            activation: fused,
            leakyreluAlpha: alpha,
          }),
          after,
        );
    }
    case "conv2d": {
      const { fused, alpha, after } = split(op.activation);
      return ([x]) =>
        applyActivation(
          tf.fused.conv2d({
            x: x as tf.Tensor4D,
            filter: op.kernel as tf.Tensor4D,
            strides: op.strides!,
            pad: op.padding!,
            bias: op.bias,
            activation: fused,
            leakyreluAlpha: alpha,
          }),
          after,
        );
    }
    case "conv2dTranspose": {
      // tfjs has no fused transposed convolution: bias and activation follow.
      const [h, w, c] = op.outShape!;
      return ([x]) => {
        let y: tf.Tensor = tf.conv2dTranspose(
          x as tf.Tensor4D,
          op.kernel as tf.Tensor4D,
          [x.shape[0], h, w, c],
          op.strides!,
          op.padding!,
        );
        if (op.bias) y = tf.add(y, op.bias);
        return applyActivation(y, op.activation);
      };
    }
    case "batchNorm":
      return ([x]) => tf.batchNorm(x, op.mean, op.variance, op.beta, op.gamma, op.epsilon);
    case "activation":
      return ([x]) => applyActivation(x, op.activation);
    case "embedding":
      // Ids [n, length] → [n, length, dim], as the Embedding layer.
      return ([ids]) => tf.gather(op.table, ids.dtype === "int32" ? ids : tf.cast(ids, "int32"));
    case "reshape":
      return ([x]) => tf.reshape(x, [x.shape[0], ...op.shape]);
    case "multiply":
      return (xs) => xs.reduce((a, b) => tf.mul(a, b));
    case "add":
      return (xs) => xs.reduce((a, b) => tf.add(a, b));
    case "concatenate":
      return (xs) => tf.concat(xs, op.axis);
  }
}
