/**
 * Generator output as an HTTP response in the negotiated format: JSON with
 * the latents, a PNG image or grid for image models, an SVG scatter plot for
 * points models; the format from `format=` or else the Accept header.
 *
 * @module
 */
import type { Context } from "hono";
import { accepts } from "hono/accepts";
import { type Encoding, type Format, MEDIA_TYPES, SCALE_NEEDS_PNG } from "@gan-edge/shared/api";
import { pngGrid } from "@gan-edge/shared/render/png";
import { scatterSvg } from "@gan-edge/shared/render/svg";
import type { ApiFacts } from "./facts.ts";
import { badParam } from "./problem.ts";

type Match = NonNullable<Parameters<typeof accepts>[1]["match"]>;

/**
 * RFC 9110 §12.5.1: each media type takes the q of the most specific range
 * that matches it, and the highest q wins, the default on ties. (Hono's
 * default match never lets the all-types range match a type, so with
 * `image/png;q=0.1` and the all-types range at q=1 it would pick PNG, not the
 * JSON that the header rates higher.)
 */
const mostSpecificRange: Match = (ranges, { supports, default: fallback }) => {
  const quality = (type: string) => {
    let best = { specificity: 0, q: 0 };
    for (const range of ranges) {
      const r = range.type.toLowerCase();
      const specificity = r === type
        ? 3
        : r === `${type.split("/")[0]}/*`
        ? 2
        : r === "*/*"
        ? 1
        : 0;
      if (specificity > best.specificity) best = { specificity, q: range.q };
    }
    return best.q;
  };
  let choice = fallback;
  let bestQ = quality(fallback);
  for (const type of supports) {
    const q = quality(type);
    if (q > bestQ) [choice, bestQ] = [type, q];
  }
  return choice;
};

/** A request's rendering parameters, validated by the shared query schemas. */
export interface RenderingQuery {
  format?: Format;
  encoding?: Encoding;
  scale?: number;
}

/** How a response renders its samples, resolved from the query and Accept. */
export interface RenderingChoice {
  format: Format;
  encoding: Encoding;
  scale: number;
}

/**
 * The rendering of a response: its format ({@link responseFormat}; JSON for
 * `encoding=png-base64`), the encoding of its JSON samples and the PNG
 * scale. Throws a 400 naming `scale` when the format came from Accept and
 * holds no PNG (the query schemas refuse the other cases).
 */
export function rendering(c: Context, q: RenderingQuery, facts: ApiFacts): RenderingChoice {
  const encoding = q.encoding ?? "array";
  const format = encoding === "png-base64" ? "json" : responseFormat(c, q.format, facts);
  if (q.scale !== undefined && format !== "png" && encoding !== "png-base64") {
    throw badParam("scale", SCALE_NEEDS_PNG);
  }
  return { format, encoding, scale: q.scale ?? 1 };
}

/**
 * `how` as a cache key's parameters: the format, and the encoding and scale
 * only where they differ from their defaults, so that URLs without them keep
 * their keys, and `scale=1` names the same response as no scale.
 */
export function renderingParams(how: RenderingChoice): Record<string, string | number | undefined> {
  return {
    format: how.format,
    encoding: how.encoding === "array" ? undefined : how.encoding,
    scale: how.scale === 1 ? undefined : how.scale,
  };
}

/**
 * The response format: `format` when the query gave one (already
 * validated), else the best of the model's formats for the Accept header
 * (Hono's `accepts`), JSON when it names none of them (RFC 9110 allows
 * ignoring Accept rather than answering 406).
 */
export function responseFormat(c: Context, format: Format | undefined, facts: ApiFacts): Format {
  if (format) return format;
  const type = accepts(c, {
    header: "Accept",
    supports: facts.formats.map((f) => MEDIA_TYPES[f]),
    default: MEDIA_TYPES.json,
    match: mostSpecificRange,
  });
  return facts.formats.find((f) => MEDIA_TYPES[f] === type) ?? "json";
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
export interface Rendering extends RenderingChoice {
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
export function respond(c: Context, facts: ApiFacts, r: Rendering): Response {
  const shape = [r.n, ...facts.sampleShape];
  c.header("Content-Type", MEDIA_TYPES[r.format]);
  const sampleShape = [...facts.sampleShape];
  if (r.format === "png") {
    const png = pngGrid(r.out, r.n, sampleShape, r.strip ? r.n : undefined, r.scale);
    return c.body(png as Uint8Array<ArrayBuffer>);
  }
  if (r.format === "svg") {
    return c.body(scatterSvg(nest(r.out, shape) as number[][], r.strip));
  }
  const size = facts.sampleShape.reduce((a, b) => a * b, 1);
  return c.json({
    ...r.head,
    z: nest(r.z, [r.n, facts.dim]),
    ...(r.labels ? { class: r.labels } : {}),
    shape,
    ...(r.encoding === "png-base64"
      ? {
        images: Array.from({ length: r.n }, (_, i) => {
          const sample = r.out.subarray(i * size, (i + 1) * size);
          return pngGrid(sample, 1, sampleShape, 1, r.scale).toBase64();
        }),
      }
      : { samples: nest(r.out, shape) }),
  });
}
