/**
 * Generator output as an HTTP response in the negotiated format: JSON with
 * the latents, a PNG image or grid for image models, an SVG scatter plot for
 * points models. Also says which formats a model has.
 *
 * @module
 */
import type { Context } from "hono";
import type { ApiModelFacts, Format } from "@gan-edge/shared/api";
import type { EdgeConfig } from "./config.ts";
import type { Sampler } from "./sampler.ts";
import { MEDIA_TYPES } from "./negotiate.ts";
import { pngGrid } from "@gan-edge/shared/render/png";
import { scatterSvg } from "@gan-edge/shared/render/svg";

/** What the request schemas need to know about `sampler` under `config`. */
export function apiFacts(sampler: Sampler, config: EdgeConfig): ApiModelFacts {
  return {
    dim: sampler.metadata.latent.dim,
    ...(sampler.classNames ? { classNames: sampler.classNames } : {}),
    formats: sampler.metadata.output.kind === "image" ? ["json", "png"] : ["json", "svg"],
    maxN: config.maxN,
  };
}

/** Splits a flat row-major buffer into `n` nested arrays of `shape`. */
export function nest(values: Float32Array, shape: number[]): unknown[] {
  const [head, ...rest] = shape;
  const size = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: head }, (_, i) => {
    const part = values.subarray(i * size, (i + 1) * size);
    return rest.length === 0 ? part[0] : rest.length === 1 ? Array.from(part) : nest(part, rest);
  });
}

/** How to render `n` samples `out` drawn from latents `z`. */
export interface Rendering {
  format: Format;
  n: number;
  z: Float32Array;
  out: Float32Array;
  /** Class index per sample (conditional models). */
  labels?: number[];
  /** Fields put first in the JSON body (seed, or from/to/steps). */
  head: Record<string, unknown>;
  /** Lay images out in one row and join points by a line (interpolation). */
  strip?: boolean;
}

/** The response for `r`, in its format. */
export function respond(c: Context, sampler: Sampler, r: Rendering): Response {
  const shape = [r.n, ...sampler.sampleShape];
  c.header("Content-Type", MEDIA_TYPES[r.format]);
  if (r.format === "png") {
    const png = pngGrid(r.out, r.n, sampler.sampleShape, r.strip ? r.n : undefined);
    return c.body(png as Uint8Array<ArrayBuffer>);
  }
  if (r.format === "svg") {
    return c.body(scatterSvg(nest(r.out, shape) as number[][], r.strip));
  }
  return c.json({
    ...r.head,
    z: nest(r.z, [r.n, sampler.metadata.latent.dim]),
    ...(r.labels ? { class: r.labels } : {}),
    shape,
    samples: nest(r.out, shape),
  });
}
