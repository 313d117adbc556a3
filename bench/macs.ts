/**
 * Multiply-accumulates of a tfjs LayersModel, from its layer shapes, per
 * sample (one forward pass of batch 1). Counted: Dense (in·units),
 * Conv2D (outH·outW·outC·kh·kw·inC), Conv2DTranspose (inH·inW·inC·kh·kw·outC:
 * each input pixel scatters a kh×kw×outC patch; no multiply by an inserted
 * zero), Dot (the vector length). Element-wise layers (batch norm,
 * activations, Multiply, Add) and lookups (Embedding) count 0.
 *
 * @module
 */
import type * as tfl from "@tensorflow/tfjs-layers";

/** One counted layer. */
export interface LayerMacs {
  name: string;
  className: string;
  macs: number;
}

type Shape = (number | null)[];

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** Shape without the batch axis of the first input or output of `layer`'s first node. */
function dims(layer: tfl.layers.Layer, side: "inputTensors" | "outputTensors"): number[] {
  const node = layer.inboundNodes[0];
  if (!node) throw new Error(`${layer.name}: not connected in a model`);
  return (node[side][0].shape as Shape).slice(1) as number[];
}

/** MACs of one layer per sample, from its input and output shapes. */
export function layerMacs(layer: tfl.layers.Layer): number {
  const config = layer.getConfig() as Record<string, unknown>;
  const className = layer.getClassName();
  if (className === "Dense") {
    const input = dims(layer, "inputTensors");
    return prod(input) * (config.units as number);
  }
  if (className === "Conv2D" || className === "Conv2DTranspose") {
    if (config.dataFormat && config.dataFormat !== "channelsLast") {
      throw new Error(`${layer.name}: expected channelsLast, got ${config.dataFormat}`);
    }
    const [kh, kw] = config.kernelSize as number[];
    const [ih, iw, ic] = dims(layer, "inputTensors");
    const [oh, ow, oc] = dims(layer, "outputTensors");
    return className === "Conv2D" ? oh * ow * oc * kh * kw * ic : ih * iw * ic * kh * kw * oc;
  }
  if (className === "Dot") {
    const input = dims(layer, "inputTensors");
    return prod(input);
  }
  return 0;
}

/** Per-layer and total MACs of `model` for one sample. */
export function countMacs(model: tfl.LayersModel): { total: number; layers: LayerMacs[] } {
  const layers = model.layers.map((layer) => ({
    name: layer.name,
    className: layer.getClassName(),
    macs: layerMacs(layer),
  })).filter((l) => l.macs > 0);
  return { total: layers.reduce((n, l) => n + l.macs, 0), layers };
}
