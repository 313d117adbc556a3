/**
 * Shapes that follow from the output schema alone. The trainer's
 * architectures.ts builds its networks to them; the edge reads them without
 * loading tfjs-layers (issue #7: start-up time).
 *
 * @module
 */
import type { Output } from "./schema.ts";

/**
 * Shape of one sample, without the batch axis: [height, width, channels]
 * for images, [dim] for points.
 *
 * @example
 * ```ts
 * import { sampleShape } from "@gan-edge/shared/shapes";
 * const shape = sampleShape({ kind: "points", dim: 2 });
 * if (shape.join() !== "2") throw new Error("one 2-d point");
 * ```
 */
export function sampleShape(output: Output): number[] {
  return output.kind === "image" ? [output.height, output.width, output.channels] : [output.dim];
}
