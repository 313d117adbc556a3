/**
 * Generator and discriminator builders from a typed spec. The trainer builds
 * them with tfjs-layers; the edge reads the exported generator without it
 * (edge/inference.ts).
 *
 * @module
 */
import * as tfl from "@tensorflow/tfjs-layers";
import type { Output } from "@gan-edge/shared/schema";
import { MinibatchStd } from "./layers.ts";
import { sampleShape } from "@gan-edge/shared/shapes";

// Re-exported for the trainer's existing importers; the edge imports ./shapes.ts.
export { sampleShape };

/**
 * The fully connected GAN of Goodfellow et al. 2014: ReLU generator, leaky
 * ReLU discriminator with dropout, D's output a logit (no sigmoid; the losses
 * work on logits for numerical stability).
 */
export interface MlpSpec {
  id: "mlp";
  latentDim: number;
  output: Output;
  /** Hidden widths of G, first to last. */
  generatorHidden: number[];
  /** Hidden widths of D, first to last. */
  discriminatorHidden: number[];
  /** Dropout rate after each hidden layer of D. */
  dropout: number;
  /**
   * Points only: the data's extent (its modes lie within ±scale). G's output
   * is multiplied by it and D's input divided by it, by fixed layers, so that
   * both networks work on values of order 1 whatever the data's units (on
   * grid25, ±4, unscaled networks left most samples between modes). Absent
   * or 1: no layer.
   */
  scale?: number;
}

/**
 * DCGAN (Radford et al. 2016) for 28×28 and 32×32 images: G projects z to a
 * 7×7 (or 4×4) map and upsamples with stride-2 transposed convolutions, batch
 * norm and ReLU, tanh at the end; D downsamples with stride-2 convolutions and
 * leaky ReLU (no batch norm, so that every loss, WGAN-GP included, applies).
 */
export interface DcganSpec {
  id: "dcgan";
  latentDim: number;
  output: Output & { kind: "image" };
  /** Filters of the widest-resolution layer; the others are multiples. */
  width: number;
  /** Dropout rate after each convolution of D. */
  dropout: number;
}

/** Options shared by every architecture. */
export interface CommonOptions {
  /** Number of classes of a class-conditional model (absent: unconditional). */
  numClasses?: number;
  /** Append a minibatch-standard-deviation feature before D's head. */
  minibatchStd?: boolean;
  /** PacGAN: D judges `pack` samples at once, concatenated on the last axis. */
  pack?: number;
}

export type ArchitectureSpec = (MlpSpec | DcganSpec) & CommonOptions;

const apply = (
  layer: tfl.layers.Layer,
  x: tfl.SymbolicTensor | tfl.SymbolicTensor[],
) => layer.apply(x) as tfl.SymbolicTensor;

/**
 * Inputs of G: `z` [batch, latentDim], and for conditional models `label`
 * [batch, 1] (the class index as a float). A conditional G multiplies z by a
 * learnt class embedding (as tfjs-examples' mnist-acgan does).
 */
function generatorInputs(spec: ArchitectureSpec) {
  const z = tfl.input({ shape: [spec.latentDim], name: "z" });
  if (!spec.numClasses) return { inputs: [z], h: z };
  const label = tfl.input({ shape: [1], name: "label" });
  const embedded = apply(
    tfl.layers.flatten(),
    apply(
      tfl.layers.embedding({
        inputDim: spec.numClasses,
        outputDim: spec.latentDim,
        name: "g_embed",
      }),
      label,
    ),
  );
  return { inputs: [z, label], h: apply(tfl.layers.multiply(), [z, embedded]) };
}

/**
 * D's head on features h [batch, k]: a logit, plus for conditional models the
 * projection term ⟨embed(label), h⟩ (Miyato & Koyama 2018).
 */
function discriminatorHead(
  spec: ArchitectureSpec,
  h: tfl.SymbolicTensor,
  inputs: tfl.SymbolicTensor[],
): tfl.SymbolicTensor {
  if (spec.minibatchStd) h = apply(new MinibatchStd({ name: "d_mbstd" }), h);
  const features = apply(
    h.shape.length > 2
      ? tfl.layers.flatten({ name: "d_features" })
      : tfl.layers.activation({ activation: "linear", name: "d_features" }),
    h,
  );
  const logit = apply(
    tfl.layers.dense({ units: 1, name: "d_logit" }),
    features,
  );
  if (!spec.numClasses) return logit;
  const label = tfl.input({ shape: [1], name: "label" });
  inputs.push(label);
  const k = features.shape[1] as number;
  const embedded = apply(
    tfl.layers.flatten(),
    apply(
      tfl.layers.embedding({
        inputDim: spec.numClasses,
        outputDim: k,
        name: "d_embed",
      }),
      label,
    ),
  );
  const projection = apply(tfl.layers.dot({ axes: 1 }), [features, embedded]);
  return apply(tfl.layers.add({ name: "d_out" }), [logit, projection]);
}

/** D's input shape: one sample, or `pack` samples concatenated on the last axis. */
function discriminatorInputShape(spec: ArchitectureSpec): number[] {
  const shape = sampleShape(spec.output);
  const pack = spec.pack ?? 1;
  return [...shape.slice(0, -1), shape[shape.length - 1] * pack];
}

/** Values per sample of an output: h·w·c for images, dim for points. */
export function outputSize(output: Output): number {
  return output.kind === "image" ? output.height * output.width * output.channels : output.dim;
}

/**
 * G: z [batch, latentDim] (and label [batch, 1]) → sample
 * [batch, ...sampleShape(output)]; linear output for points, tanh (range
 * [−1, 1]) for images.
 */
export function buildGenerator(spec: ArchitectureSpec): tfl.LayersModel {
  const { inputs, h: z } = generatorInputs(spec);
  const out = spec.id === "dcgan" ? dcganGenerator(spec, z) : mlpGenerator(spec, z);
  return tfl.model({ inputs, outputs: out, name: "generator" });
}

function mlpGenerator(
  spec: MlpSpec,
  z: tfl.SymbolicTensor,
): tfl.SymbolicTensor {
  let h = z;
  spec.generatorHidden.forEach((units, i) => {
    h = apply(
      tfl.layers.dense({ units, activation: "relu", name: `g_dense${i}` }),
      h,
    );
  });
  const isImage = spec.output.kind === "image";
  h = apply(
    tfl.layers.dense({
      units: outputSize(spec.output),
      activation: isImage ? "tanh" : "linear",
      name: "g_out",
    }),
    h,
  );
  if (isImage) return apply(tfl.layers.reshape({ targetShape: sampleShape(spec.output) }), h);
  return hasScale(spec)
    ? apply(tfl.layers.rescaling({ scale: spec.scale, name: "g_scale" }), h)
    : h;
}

/**
 * True when a points MLP has a data scale other than 1, i.e. when its
 * networks have the fixed scale layers (g_scale, d_scale).
 */
export function hasScale(spec: MlpSpec | DcganSpec): spec is MlpSpec & { scale: number } {
  return spec.id === "mlp" && spec.output.kind === "points" && spec.scale !== undefined &&
    spec.scale !== 1;
}

function dcganGenerator(
  spec: DcganSpec,
  z: tfl.SymbolicTensor,
): tfl.SymbolicTensor {
  const { height, width, channels } = spec.output;
  if (height !== width || (height !== 28 && height !== 32)) {
    throw new RangeError(
      `dcgan: expected 28×28 or 32×32 images, got ${height}×${width}`,
    );
  }
  // 28 = 7·2·2; 32 = 4·2·2·2. Filters halve as the resolution doubles.
  const start = height === 28 ? 7 : 4;
  const ups = height === 28 ? 2 : 3;
  const filters = (i: number) => spec.width * 2 ** (ups - 1 - i);
  let h = apply(
    tfl.layers.dense({
      units: start * start * filters(0) * 2,
      useBias: false,
      name: "g_project",
    }),
    z,
  );
  h = apply(
    tfl.layers.batchNormalization({ momentum: 0.9, name: "g_bn_project" }),
    h,
  );
  h = apply(tfl.layers.reLU(), h);
  h = apply(
    tfl.layers.reshape({ targetShape: [start, start, filters(0) * 2] }),
    h,
  );
  for (let i = 0; i < ups; i++) {
    const last = i === ups - 1;
    h = apply(
      tfl.layers.conv2dTranspose({
        filters: last ? channels : filters(i),
        kernelSize: 4,
        strides: 2,
        padding: "same",
        useBias: last,
        activation: last ? "tanh" : "linear",
        name: `g_deconv${i}`,
      }),
      h,
    );
    if (!last) {
      h = apply(
        tfl.layers.batchNormalization({ momentum: 0.9, name: `g_bn${i}` }),
        h,
      );
      h = apply(tfl.layers.reLU(), h);
    }
  }
  return h;
}

/**
 * D: sample [batch, ...sampleShape(output)] (and label [batch, 1]) → logit
 * [batch, 1]. Its flattened last features are the layer `d_features`, for
 * feature matching.
 */
export function buildDiscriminator(spec: ArchitectureSpec): tfl.LayersModel {
  const x = tfl.input({ shape: discriminatorInputShape(spec), name: "x" });
  const inputs = [x];
  let h: tfl.SymbolicTensor;
  if (spec.id === "dcgan") {
    h = x;
    const depth = spec.output.height === 28 ? 2 : 3;
    for (let i = 0; i < depth; i++) {
      h = apply(
        tfl.layers.conv2d({
          filters: spec.width * 2 ** i,
          kernelSize: 4,
          strides: 2,
          padding: "same",
          name: `d_conv${i}`,
        }),
        h,
      );
      h = apply(tfl.layers.leakyReLU({ alpha: 0.2 }), h);
      if (spec.dropout > 0) {
        h = apply(tfl.layers.dropout({ rate: spec.dropout }), h);
      }
    }
  } else {
    h = spec.output.kind === "image" ? apply(tfl.layers.flatten(), x) : x;
    if (hasScale(spec)) {
      h = apply(tfl.layers.rescaling({ scale: 1 / spec.scale, name: "d_scale" }), h);
    }
    spec.discriminatorHidden.forEach((units, i) => {
      h = apply(tfl.layers.dense({ units, name: `d_dense${i}` }), h);
      h = apply(tfl.layers.leakyReLU({ alpha: 0.2 }), h);
      if (spec.dropout > 0) {
        h = apply(tfl.layers.dropout({ rate: spec.dropout }), h);
      }
    });
  }
  const out = discriminatorHead(spec, h, inputs);
  return tfl.model({ inputs, outputs: out, name: "discriminator" });
}
