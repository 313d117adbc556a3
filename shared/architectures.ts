/**
 * Generator and discriminator builders from a typed spec, shared so that the
 * trainer builds and the edge (or any tfjs runtime) reads the same layers.
 *
 * @module
 */
import * as tfl from "@tensorflow/tfjs-layers";
import type { Output } from "./schema.ts";

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
}

export type ArchitectureSpec = MlpSpec;

/** Values per sample of an output: h·w·c for images, dim for points. */
export function outputSize(output: Output): number {
  return output.kind === "image"
    ? output.height * output.width * output.channels
    : output.dim;
}

/** Shape of one sample, without the batch axis. */
export function sampleShape(output: Output): number[] {
  return output.kind === "image"
    ? [output.height, output.width, output.channels]
    : [output.dim];
}

/**
 * G: z [batch, latentDim] → sample [batch, ...sampleShape(output)];
 * linear output for points, tanh (range [−1, 1]) for images.
 */
export function buildGenerator(spec: ArchitectureSpec): tfl.LayersModel {
  const z = tfl.input({ shape: [spec.latentDim], name: "z" });
  let h: tfl.SymbolicTensor = z;
  spec.generatorHidden.forEach((units, i) => {
    h = tfl.layers.dense({ units, activation: "relu", name: `g_dense${i}` })
      .apply(h) as tfl.SymbolicTensor;
  });
  const isImage = spec.output.kind === "image";
  h = tfl.layers.dense({
    units: outputSize(spec.output),
    activation: isImage ? "tanh" : "linear",
    name: "g_out",
  }).apply(h) as tfl.SymbolicTensor;
  if (isImage) {
    h = tfl.layers.reshape({ targetShape: sampleShape(spec.output) })
      .apply(h) as tfl.SymbolicTensor;
  }
  return tfl.model({ inputs: z, outputs: h, name: "generator" });
}

/**
 * D: sample [batch, ...sampleShape(output)] → logit [batch, 1].
 * Exposes its last hidden layer as `d_features` for feature matching.
 */
export function buildDiscriminator(spec: ArchitectureSpec): tfl.LayersModel {
  const x = tfl.input({ shape: sampleShape(spec.output), name: "x" });
  let h: tfl.SymbolicTensor = spec.output.kind === "image"
    ? tfl.layers.flatten().apply(x) as tfl.SymbolicTensor
    : x;
  spec.discriminatorHidden.forEach((units, i) => {
    h = tfl.layers.dense({ units, name: `d_dense${i}` }).apply(
      h,
    ) as tfl.SymbolicTensor;
    h = tfl.layers.leakyReLU({
      alpha: 0.2,
      name: i === spec.discriminatorHidden.length - 1
        ? "d_features"
        : `d_act${i}`,
    }).apply(h) as tfl.SymbolicTensor;
    if (spec.dropout > 0) {
      h = tfl.layers.dropout({ rate: spec.dropout }).apply(
        h,
      ) as tfl.SymbolicTensor;
    }
  });
  const logit = tfl.layers.dense({ units: 1, name: "d_logit" }).apply(
    h,
  ) as tfl.SymbolicTensor;
  return tfl.model({ inputs: x, outputs: logit, name: "discriminator" });
}
