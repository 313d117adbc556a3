/**
 * HTTP API v1 request and response shapes, shared by the edge (which
 * validates with them) and clients such as tests and the demo page.
 *
 * Query values arrive as strings, so the query schemas parse them strictly
 * (plain decimal digits, no exponents, no hex) into numbers. What depends on
 * the served model (latent length, class names, which formats) is passed in
 * as {@link ApiModelFacts}, so one schema factory serves every model.
 *
 * The same schemas document the API: the edge's OpenAPI document is their
 * JSON Schema (`z.toJSONSchema`, output side). So each query parameter is a
 * string parsed into a typed schema (`.pipe(z.int()…)`), which is what the
 * document shows, and every parameter and field carries its description.
 *
 * @module
 */
import { z } from "zod";
import { MAX_SEED } from "./prng.ts";
import { decodeLatent, LATENT_BOUND } from "./latent_codec.js";
import { GanMetadataSchema, QuantizationSchema } from "./schema.ts";

/** Default (and safe) largest `n` a sample request may ask for. */
export const MAX_SAMPLES = 64;
/** Most frames an interpolation may ask for. */
export const MAX_STEPS = 64;
/** Frames of an interpolation when `steps` is absent. */
export const DEFAULT_STEPS = 8;
/** Largest accepted truncation threshold. */
export const MAX_TRUNCATION = 100;

/** Response formats: JSON for every model, PNG for images, SVG for points. */
export const FORMATS = ["json", "png", "svg"] as const;
export type Format = typeof FORMATS[number];

/** Media type of each format. */
export const MEDIA_TYPES: Record<Format, string> = {
  json: "application/json",
  png: "image/png",
  svg: "image/svg+xml",
};

/** Largest factor a PNG may be upscaled by (`scale`). */
export const MAX_SCALE = 16;
/**
 * Most sample pixels one response's PNGs may hold after scaling (gutters not
 * counted): 2^20, a 1024 × 1024 picture. At the limit (64 Fashion-MNIST
 * samples at scale 4) a PNG costs no more than the same samples as JSON.
 */
export const MAX_PNG_PIXELS = 1 << 20;

/**
 * How a JSON body carries image samples: `array`, nested arrays of values in
 * [−1, 1]; `png-base64`, one PNG per sample, base64-encoded, in `images`.
 */
export const ENCODINGS = ["array", "png-base64"] as const;
export type Encoding = typeof ENCODINGS[number];

/** What the request schemas need to know about the served model. */
export interface ApiModelFacts {
  /** Latent length. */
  dim: number;
  /** Class names of a conditional model; absent otherwise. */
  classNames?: string[];
  /** Formats this model can be rendered in. */
  formats: readonly Format[];
  /** Largest `n` (and most rows of a POST body). */
  maxN: number;
  /** Pixels of one image sample (height × width); absent for a points model. */
  imagePixels?: number;
}

/** Required/optional-aware message: "required" when absent, else `what`. */
const expecting = (what: string) => ({
  error: (issue: { input: unknown }) => issue.input === undefined ? "required" : `expected ${what}`,
});

/** A decimal integer in [min, max], written with ASCII digits only. */
function intParam(min: number, max: number, description: string) {
  const what = `an integer in [${min}, ${max}]`;
  const error = { error: `expected ${what}` };
  return z.string(expecting(what))
    .regex(/^\d{1,10}$/, error)
    .transform(Number)
    .pipe(z.int(error).min(min, error).max(max, error))
    .meta({ description });
}

const seedParam = (description: string) => intParam(0, MAX_SEED, description);

const truncationParam = () => {
  const error = { error: `expected a decimal number in (0, ${MAX_TRUNCATION}]` };
  return z.string().regex(/^\d{1,3}(\.\d{1,6})?$/, error)
    .transform(Number)
    .pipe(z.number(error).gt(0, error).lte(MAX_TRUNCATION, error))
    .meta({
      description: "Truncation trick by clipping: every latent coordinate with |z| > T becomes ±T.",
    });
};

function formatParam(facts: ApiModelFacts) {
  const list = facts.formats.join(", ");
  return z.enum(facts.formats as [Format, ...Format[]], {
    error: `expected one of ${list} for this model`,
  }).meta({
    description: "Response format; when absent, chosen from the Accept header (JSON by default).",
  });
}

/** What a points model answers to a PNG-only parameter. */
const NOT_IMAGES = "this model's samples are points, not images";

/** `scale`: an integer upscaling factor of PNG images; refused for a points model. */
function scaleParam(facts: ApiModelFacts) {
  if (facts.imagePixels === undefined) return refused(`${NOT_IMAGES}; it takes no scale`);
  return intParam(
    1,
    MAX_SCALE,
    "Upscale PNG images by nearest neighbour: each pixel becomes a scale × scale block " +
      `(default 1). For format=png or encoding=png-base64; at most ${MAX_PNG_PIXELS} ` +
      "sample pixels per response after scaling.",
  );
}

/** `encoding`: how JSON carries image samples; refused for a points model. */
function encodingParam(facts: ApiModelFacts) {
  if (facts.imagePixels === undefined) return refused(`${NOT_IMAGES}; it takes no encoding`);
  return z.enum(ENCODINGS, { error: `expected one of ${ENCODINGS.join(", ")}` }).meta({
    description: "How a JSON body carries the samples: `array` (default), nested arrays of " +
      "values in `samples`; `png-base64`, one PNG per sample, base64-encoded, in `images` " +
      "(as image APIs return b64_json). png-base64 answers JSON whatever Accept says.",
  });
}

/** A parameter this model refuses, whatever its value, saying `why`. */
function refused(why: string) {
  return z.string().transform((_, ctx) => {
    ctx.addIssue({ code: "custom", message: why });
    return z.NEVER;
  }).meta({ type: "string", description: `Refused: ${why}.` });
}

/** What a request asks about its rendering; `count` samples. */
interface RenderingQuery {
  format?: Format;
  encoding?: Encoding;
  scale?: number;
}

/**
 * What is wrong with `scale` for `count` samples of `facts`' model: more
 * than {@link MAX_PNG_PIXELS} pixels after scaling. Undefined when fine.
 */
export function scaleProblem(facts: ApiModelFacts, count: number, scale = 1): string | undefined {
  const pixels = count * (facts.imagePixels ?? 0) * scale * scale;
  if (pixels <= MAX_PNG_PIXELS) return undefined;
  const most = Math.floor(Math.sqrt(MAX_PNG_PIXELS / (count * facts.imagePixels!)));
  return `scale ${scale} makes ${pixels} pixels for ${count} sample${count > 1 ? "s" : ""}; ` +
    `at most ${MAX_PNG_PIXELS}${most >= 1 ? ` (scale ≤ ${most} here)` : ""}`;
}

/**
 * Issues of a request's rendering parameters together: png-base64 is a JSON
 * encoding; `scale` applies to PNG images only, and within the pixel budget
 * for `count` samples (unknown for a POST until its body is read).
 */
function checkRendering(
  q: RenderingQuery,
  count: number | undefined,
  facts: ApiModelFacts,
  ctx: z.RefinementCtx,
) {
  if (q.encoding === "png-base64" && q.format !== undefined && q.format !== "json") {
    ctx.addIssue({
      code: "custom",
      path: ["encoding"],
      message: `png-base64 is how a JSON body carries images; not with format=${q.format}`,
    });
  }
  if (q.scale === undefined) return;
  if (q.format !== undefined && q.format !== "png" && q.encoding !== "png-base64") {
    ctx.addIssue({ code: "custom", path: ["scale"], message: SCALE_NEEDS_PNG });
  }
  const problem = count === undefined ? undefined : scaleProblem(facts, count, q.scale);
  if (problem) ctx.addIssue({ code: "custom", path: ["scale"], message: problem });
}

/** Why a scale was refused for a response that holds no PNG. */
export const SCALE_NEEDS_PNG =
  "scale applies to PNG images: ask for format=png (or Accept: image/png) or encoding=png-base64";

/** The index of the class named `name` in any letter case (`dress`, `Dress`); -1 if none. */
export function classNamed(names: readonly string[], name: string): number {
  const wanted = name.toLowerCase();
  return names.findIndex((n) => n.toLowerCase() === wanted);
}

/** The class a query's `text` names: a decimal index, else a name ({@link classNamed}); -1 if none. */
function classIndex(names: readonly string[], text: string): number {
  if (!/^\d{1,3}$/.test(text)) return classNamed(names, text);
  const index = Number(text);
  return index < names.length ? index : -1;
}

/** What a class may be, for messages: `0 to 2 or one of T-shirt/top, …`. */
function classChoices(names: readonly string[]): string {
  return `0 to ${names.length - 1} or one of ${names.join(", ")} (any letter case)`;
}

/**
 * A class name's documented form: a string, case-insensitive. (JSON Schema
 * has no case-insensitive enum, so the names are examples, not an enum.)
 */
function classNameSchema(names: readonly string[]) {
  return { type: "string", examples: [...names] };
}

/**
 * `class` as a class index or a class name in any letter case; refused for
 * a model that is not conditional. Parses to the class index. (A transform
 * has no JSON Schema, so its documented form, index or name, is given as
 * metadata.)
 */
function classParam(facts: ApiModelFacts) {
  const names = facts.classNames;
  const documented = names
    ? {
      description: `Class index or name (any letter case): ${names.join(", ")}.`,
      anyOf: [
        { type: "integer", minimum: 0, maximum: names.length - 1 },
        classNameSchema(names),
      ],
    }
    : { type: "string", description: "Refused: this model is not conditional." };
  return z.string().transform((text, ctx) => {
    if (!names) {
      ctx.addIssue({
        code: "custom",
        message: "this model is not conditional; it takes no class",
      });
      return z.NEVER;
    }
    const index = classIndex(names, text);
    if (index < 0) {
      ctx.addIssue({
        code: "custom",
        message: `unknown class "${clip(text)}"; expected ${classChoices(names)}`,
      });
      return z.NEVER;
    }
    return index;
  }).meta(documented);
}

/** At most 40 characters of `text`, for echoing bad input back safely. */
function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * `GET /v1/sample` query: latents from `seed` (random when absent), or one
 * user latent `z`. `n` is absent with `z`, 1 by default otherwise.
 */
export function sampleQuerySchema(facts: ApiModelFacts) {
  return z.object({
    seed: seedParam(
      "Seed of the shared PRNG; random (and returned in X-Seed, not cached) when absent.",
    ).optional(),
    n: intParam(1, facts.maxN, "Number of samples (default 1).").optional(),
    z: z.string().transform((text, ctx) => {
      const result = decodeLatent(text, facts.dim);
      if (typeof result === "string") {
        ctx.addIssue({ code: "custom", message: result });
        return z.NEVER;
      }
      return result;
    }).meta({
      type: "string",
      description: `One latent of ${facts.dim} values (|v| ≤ ${LATENT_BOUND}): a comma list, ` +
        "or base64url of little-endian float32. Excludes seed and n.",
    }).optional(),
    format: formatParam(facts).optional(),
    encoding: encodingParam(facts).optional(),
    scale: scaleParam(facts).optional(),
    class: classParam(facts).optional(),
    truncation: truncationParam().optional(),
  }).strict().superRefine((q, ctx) => {
    for (const other of ["seed", "n"] as const) {
      if (q.z && q[other] !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [other],
          message: `not allowed with z (z is exactly one latent)`,
        });
      }
    }
    checkRendering(q, q.n ?? 1, facts, ctx);
  });
}
export type SampleQuery = z.output<ReturnType<typeof sampleQuerySchema>>;

/** `GET /v1/interpolate` query: slerp from seed `from` to seed `to`. */
export function interpolateQuerySchema(facts: ApiModelFacts) {
  return z.object({
    from: seedParam("Seed of the first latent."),
    to: seedParam("Seed of the last latent."),
    steps: intParam(2, MAX_STEPS, `Frames, both ends included (default ${DEFAULT_STEPS}).`)
      .optional(),
    format: formatParam(facts).optional(),
    encoding: encodingParam(facts).optional(),
    scale: scaleParam(facts).optional(),
    class: classParam(facts).optional(),
    truncation: truncationParam().optional(),
  }).strict().superRefine((q, ctx) => checkRendering(q, q.steps ?? DEFAULT_STEPS, facts, ctx));
}
export type InterpolateQuery = z.output<
  ReturnType<typeof interpolateQuerySchema>
>;

/**
 * `POST /v1/sample` query: only how to render and truncate. (The pixel
 * budget of `scale` is checked once the body says how many samples.)
 */
export function postQuerySchema(facts: ApiModelFacts) {
  return z.object({
    format: formatParam(facts).optional(),
    encoding: encodingParam(facts).optional(),
    scale: scaleParam(facts).optional(),
    truncation: truncationParam().optional(),
  }).strict().superRefine((q, ctx) => checkRendering(q, undefined, facts, ctx));
}

/**
 * An array of `min` to `max` items, checked without visiting them: zod's own
 * arrays parse every item before any length check (173,000 items of
 * `z.unknown()` cost ~65 ms), which an invalid body must not buy.
 */
function lengthIn(min: number, max: number, params: z.core.$ZodCustomParams) {
  return z.custom<unknown[]>(
    (v) => Array.isArray(v) && v.length >= min && v.length <= max,
    params,
  );
}

/**
 * `POST /v1/sample` body: a batch of latents, with a class each if any.
 * Every array's length is checked before its elements ({@link lengthIn},
 * piped into the element schema), so an invalid body is refused with one
 * issue, at no more cost than a valid one. (A pipe's JSON Schema is its
 * output side, so the length bounds are repeated as metadata.)
 */
export function sampleBodySchema(facts: ApiModelFacts) {
  const bound = { error: `expected |value| ≤ ${LATENT_BOUND}` };
  const value = z.number({ error: "expected a finite number" })
    .min(-LATENT_BOUND, bound).max(LATENT_BOUND, bound);
  const rowError = { error: `expected an array of ${facts.dim} numbers` };
  const row = lengthIn(facts.dim, facts.dim, rowError).pipe(z.array(value))
    .meta({ minItems: facts.dim, maxItems: facts.dim });
  const rows = `1 to ${facts.maxN} latents of ${facts.dim} numbers`;
  const names = facts.classNames ?? [];
  const choices = names.length ? `expected a class: ${classChoices(names)}` : "expected a class";
  // A JSON number is an index, a JSON string a name.
  const index = z.union([z.int(), z.string()], { error: choices })
    .transform((value, ctx) => {
      const index = typeof value === "number"
        ? (value >= 0 && value < names.length ? value : -1)
        : classNamed(names, value);
      if (index < 0) {
        ctx.addIssue({ code: "custom", message: choices });
        return z.NEVER;
      }
      return index;
    }).meta({
      anyOf: [
        { type: "integer", minimum: 0, maximum: Math.max(0, names.length - 1) },
        classNameSchema(names),
      ],
    });
  return z.object({
    z: lengthIn(1, facts.maxN, expecting(rows)).pipe(z.array(row))
      .meta({ minItems: 1, maxItems: facts.maxN, description: "The latents, one row each." }),
    class: lengthIn(0, facts.maxN, {
      error: (issue) =>
        Array.isArray(issue.input)
          ? `expected at most ${facts.maxN} classes`
          : "expected an array of classes (indices or names)",
    }).pipe(z.array(index)).meta({
      maxItems: facts.maxN,
      description: "One class per latent, an index or a name in any letter case " +
        "(conditional models only).",
    }).optional(),
  }, { error: "expected a JSON object {z, class?}" }).strict().superRefine(
    (body, ctx) => {
      if (body.class && !facts.classNames) {
        ctx.addIssue({
          code: "custom",
          path: ["class"],
          message: "this model is not conditional; it takes no class",
        });
      } else if (body.class && body.class.length !== body.z.length) {
        ctx.addIssue({
          code: "custom",
          path: ["class"],
          message: `expected one class per latent (${body.z.length})`,
        });
      }
    },
  );
}

/** The longest JSON text of a latent value in the bound: `-0.0000012345678901234567`. */
const LONGEST_VALUE = 25;

/**
 * Bytes of the largest valid `POST /v1/sample` body for `facts`, written
 * compactly: `maxN` rows of `dim` values of the longest form, and for a
 * conditional model a class per row, its longest index or name. The edge's
 * default body limit, so that it never reads much more than a valid request.
 * (About 103 KB for 64 latents of 64 and Fashion-MNIST's 10 classes.)
 *
 * @example
 * ```ts
 * import { largestSampleBody } from "@gan-edge/shared/api";
 * const value = -0.0000012345678901234567;
 * const body = JSON.stringify({ z: [[value, value], [value, value]] });
 * if (largestSampleBody({ dim: 2, maxN: 2, formats: ["json"] }) !== body.length) {
 *   throw new Error("not the largest");
 * }
 * ```
 */
export function largestSampleBody(facts: ApiModelFacts): number {
  const list = (count: number, width: number) => 2 + count * width + Math.max(0, count - 1);
  const row = list(facts.dim, LONGEST_VALUE);
  const latents = `{"z":}`.length + list(facts.maxN, row);
  const names = facts.classNames ?? [];
  if (names.length === 0) return latents;
  const entry = Math.max(
    String(names.length - 1).length,
    ...names.map((name) => JSON.stringify(name).length),
  );
  return latents + `,"class":`.length + list(facts.maxN, entry);
}
export type SampleBody = z.output<ReturnType<typeof sampleBodySchema>>;

// One implementation for the API and the demo page, which imports it as-is.
export { decodeLatent, LATENT_BOUND };
export { encodeLatent } from "./latent_codec.js";

/** Nested arrays of numbers of exactly `shape` (a number for `[]`). */
function nestedNumbers(shape: readonly number[]): z.ZodType {
  const [head, ...rest] = shape;
  if (head === undefined) return z.number();
  return z.array(nestedNumbers(rest)).length(head);
}

/**
 * A samples response: `head` (seed, or from/to/steps), the latents, classes
 * and shape, then the samples, as nested arrays in `samples` or, for an
 * image model asked for `encoding=png-base64`, as base64 PNGs in `images`.
 */
function samplesResponse<Head extends z.ZodRawShape>(
  head: Head,
  facts: ApiModelFacts,
  sampleShape: readonly number[],
) {
  const classes = facts.classNames?.length ?? 0;
  const common = {
    ...head,
    z: z.array(z.array(z.number()).length(facts.dim))
      .describe("The latent vectors used (after truncation), one row per sample."),
    ...(classes
      ? {
        class: z.array(z.int().min(0).max(classes - 1))
          .describe("Class index of each sample."),
      }
      : {}),
    shape: z.array(z.int().positive()).describe("Shape of the samples: [n, ...sample shape]."),
  };
  const arrays = z.object({
    ...common,
    samples: z.array(nestedNumbers(sampleShape)).describe(
      "One entry per sample: a point, or an image as nested [height][width][channels] " +
        "arrays of values in [-1, 1].",
    ),
  }).strict();
  if (facts.imagePixels === undefined) return arrays;
  const pngs = z.object({
    ...common,
    images: z.array(z.base64().meta({ contentMediaType: "image/png" })).describe(
      "With encoding=png-base64: one PNG per sample (scaled by `scale`), base64 with " +
        "padding, ready for a `data:image/png;base64,` URL.",
    ),
  }).strict();
  return z.union([arrays, pngs]);
}

/**
 * `GET /v1/sample` and `POST /v1/sample` JSON response, for a model whose
 * samples have shape `sampleShape`.
 */
export function sampleResponseSchema(facts: ApiModelFacts, sampleShape: readonly number[]) {
  return samplesResponse(
    {
      seed: z.int().min(0).max(MAX_SEED).nullable()
        .describe("The seed the latents were drawn from; null for user latents."),
    },
    facts,
    sampleShape,
  );
}
export type SampleResponse = z.output<ReturnType<typeof sampleResponseSchema>>;

/** `GET /v1/interpolate` JSON response. */
export function interpolateResponseSchema(facts: ApiModelFacts, sampleShape: readonly number[]) {
  return samplesResponse(
    {
      from: z.int().min(0).max(MAX_SEED),
      to: z.int().min(0).max(MAX_SEED),
      steps: z.int().min(2).max(MAX_STEPS),
    },
    facts,
    sampleShape,
  );
}
export type InterpolateResponse = z.output<ReturnType<typeof interpolateResponseSchema>>;

/** An RFC 9457 problem: every error response's body (`application/problem+json`). */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int().min(400).max(599),
  detail: z.string().describe("What was wrong, starting with the parameter's name."),
  param: z.string().optional().describe("The offending parameter or body field."),
}).strict();
export type Problem = z.output<typeof ProblemSchema>;

/**
 * `GET /v1/model`: the artifact's metadata, its hash, and what the API
 * serves for it: formats, limits and the versioned routes, whose seeded
 * responses are immutable (the hash names the model in their path).
 */
/** A model's hash: names it in versioned URLs. */
const HashSchema = z.string().regex(/^[0-9a-f]{64}$/)
  .describe("SHA-256 over model.json and its shards: names the model in versioned URLs.");

export const ModelResponseSchema = GanMetadataSchema.extend({
  hash: HashSchema,
  api: z.object({
    formats: z.array(z.enum(FORMATS)).describe("Formats this model is rendered in."),
    maxN: z.int().positive().describe("Largest n of a sample request (and rows of a POST)."),
    maxSteps: z.int().positive().describe("Most frames of an interpolation."),
    sample: z.string().describe("This model's sample route: /v1/models/{hash}/sample."),
    interpolate: z.string()
      .describe("This model's interpolation route: /v1/models/{hash}/interpolate."),
    openapi: z.string()
      .describe("This model's API description: /v1/models/{hash}/openapi.json."),
  }).strict(),
}).strict();
export type ModelResponse = z.output<typeof ModelResponseSchema>;

/** One served model, as `GET /v1/models` lists it. */
export const ModelSummarySchema = z.object({
  hash: HashSchema,
  dataset: z.string().describe("The training data set."),
  kind: z.enum(["image", "points"]).describe("What a sample is."),
  sampleShape: z.array(z.int().positive()).describe("Shape of one sample."),
  latentDim: z.int().positive().describe("Length of a latent vector z."),
  classNames: z.array(z.string()).optional()
    .describe("Class names of a conditional model (index = position)."),
  quantization: QuantizationSchema,
  links: z.object({
    self: z.string().describe("The model's metadata: /v1/models/{hash}."),
    sample: z.string().describe("/v1/models/{hash}/sample"),
    interpolate: z.string().describe("/v1/models/{hash}/interpolate"),
    openapi: z.string().describe("/v1/models/{hash}/openapi.json"),
  }).strict(),
}).strict();
export type ModelSummary = z.output<typeof ModelSummarySchema>;

/** `GET /v1/models`: every model this server serves. */
export const ModelsResponseSchema = z.object({
  default: HashSchema.describe("The model the plain routes (/v1/sample, …) serve."),
  models: z.array(ModelSummarySchema).describe("The served models, the default first."),
}).strict();
export type ModelsResponse = z.output<typeof ModelsResponseSchema>;
