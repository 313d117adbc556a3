/**
 * The typed contract between trainer and edge: the GAN metadata stored in a
 * TensorFlow.js LayersModel's `model.json` under `userDefinedMetadata`, and
 * the parts of `model.json` itself that the edge relies on.
 *
 * @module
 */
import { z } from "zod";

/** The artifact format this code writes; readers accept the same major. */
export const FORMAT_VERSION = "1.0.0";
const SUPPORTED_MAJOR = 1;

const positiveInt = z.int({ error: "expected positive integer" }).positive({
  error: "expected positive integer",
});
const nonNegativeInt = z.int({ error: "expected non-negative integer" }).min(
  0,
  { error: "expected non-negative integer" },
);
const name = z.string({ error: "expected string" }).min(1, {
  error: "expected non-empty string",
});

/** Where latent vectors come from. */
export const LatentSchema = z.object({
  dim: positiveInt,
  distribution: z.enum(["normal", "uniform"], {
    error: 'expected "normal" or "uniform"',
  }),
}).strict();

/** An image generator's output: NHWC in [−1, 1]. */
export const ImageOutputSchema = z.object({
  kind: z.literal("image"),
  height: positiveInt,
  width: positiveInt,
  channels: z.union([z.literal(1), z.literal(3)], { error: "expected 1 or 3" }),
  range: z.tuple([z.literal(-1), z.literal(1)], { error: "expected [-1, 1]" }),
}).strict();

/** A points generator's output: vectors of length `dim`. */
export const PointsOutputSchema = z.object({
  kind: z.literal("points"),
  dim: positiveInt,
}).strict();

export const OutputSchema = z.discriminatedUnion("kind", [
  ImageOutputSchema,
  PointsOutputSchema,
], { error: 'expected kind "image" or "points"' });

/** Which builder made the networks, and with what settings. */
export const ArchitectureSchema = z.object({
  id: z.enum(["mlp", "dcgan"], { error: 'expected "mlp" or "dcgan"' }),
  hyperparameters: z.record(
    z.string(),
    z.union([z.number(), z.string(), z.boolean(), z.array(z.number())]),
  ),
}).strict();

/** How the weights were made. */
export const ProvenanceSchema = z.object({
  dataset: name,
  loss: name,
  steps: nonNegativeInt,
  seed: nonNegativeInt,
  backend: name,
  date: z.iso.datetime({ error: "expected ISO 8601 date-time" }),
}).strict();

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, {
  error: "expected 64 lowercase hex digits",
});
/** A shard file name: a plain name, never a path. */
const shardPath = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\.bin$/, {
  error: "expected a plain file name ending in .bin",
});

export const ShardSchema = z.object({ path: shardPath, sha256 }).strict();

/**
 * The formats an artifact's weights may be stored in: 1, 2 or 4 bytes a
 * value. The one list; the trainer's and exporter's `--quantize` use it.
 */
export const QuantizationSchema = z.enum(["uint8", "float16", "float32"], {
  error: 'expected "uint8", "float16" or "float32"',
});

/** Everything the edge needs to know about a generator. */
export const GanMetadataSchema = z.object({
  formatVersion: z.string().regex(/^\d+\.\d+\.\d+$/, {
    error: "expected semver MAJOR.MINOR.PATCH",
  }),
  latent: LatentSchema,
  output: OutputSchema,
  classNames: z.array(name).min(2, { error: "expected at least 2 classes" })
    .optional(),
  architecture: ArchitectureSchema,
  training: ProvenanceSchema,
  metrics: z.record(z.string(), z.number()),
  quantization: QuantizationSchema,
  shards: z.array(ShardSchema).min(1, { error: "expected at least 1 shard" }),
}).strict();

export type Latent = z.infer<typeof LatentSchema>;
export type Output = z.infer<typeof OutputSchema>;
export type Architecture = z.infer<typeof ArchitectureSchema>;
export type Provenance = z.infer<typeof ProvenanceSchema>;
export type GanMetadata = z.infer<typeof GanMetadataSchema>;
export type Quantization = z.infer<typeof QuantizationSchema>;

/** tfjs's weight entry, with its optional quantization fields. */
export const WeightSpecSchema = z.object({
  name,
  shape: z.array(nonNegativeInt),
  dtype: z.literal("float32", { error: 'expected "float32"' }),
  quantization: z.object({
    dtype: z.enum(["uint8", "float16"]),
    min: z.number().optional(),
    scale: z.number().optional(),
    original_dtype: z.literal("float32").optional(),
  }).optional(),
});
export type WeightSpec = z.infer<typeof WeightSpecSchema>;

/** The parts of a LayersModel `model.json` that this project reads. */
export const ModelJsonSchema = z.object({
  format: z.literal("layers-model", { error: 'expected "layers-model"' }),
  generatedBy: z.string().optional(),
  convertedBy: z.string().nullable().optional(),
  modelTopology: z.record(z.string(), z.unknown(), {
    error: "expected an object",
  }),
  weightsManifest: z.array(z.object({
    paths: z.array(shardPath).min(1),
    weights: z.array(WeightSpecSchema),
  })).min(1, { error: "expected at least 1 weight group" }),
  userDefinedMetadata: GanMetadataSchema,
});
export type ModelJson = z.infer<typeof ModelJsonSchema>;

/** A bad artifact: the message names each offending field. */
export class ArtifactError extends Error {
  override name = "ArtifactError";
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return `${path || "(root)"}: ${issue.message}`;
  }).join("; ");
}

/** The major version of a semver string, or NaN. */
function majorOf(version: unknown): number {
  return typeof version === "string" ? Number(version.split(".")[0]) : NaN;
}

/**
 * Validates a parsed `model.json`; throws {@link ArtifactError} naming every
 * offending field, e.g. `userDefinedMetadata.latent.dim: expected positive
 * integer`. A different major format version is refused before anything else.
 *
 * @example
 * ```ts
 * import { parseModelJson } from "@gan-edge/shared/schema";
 * try {
 *   parseModelJson({ format: "layers-model" });
 * } catch (e) {
 *   console.log((e as Error).message); // names the missing fields
 * }
 * ```
 */
export function parseModelJson(json: unknown): ModelJson {
  const meta = (json as { userDefinedMetadata?: { formatVersion?: unknown } })
    ?.userDefinedMetadata;
  const major = majorOf(meta?.formatVersion);
  if (Number.isFinite(major) && major !== SUPPORTED_MAJOR) {
    throw new ArtifactError(
      `userDefinedMetadata.formatVersion: unsupported major version ${major} ` +
        `(got "${meta?.formatVersion}", this code reads ${SUPPORTED_MAJOR}.x)`,
    );
  }
  const result = ModelJsonSchema.safeParse(json);
  if (!result.success) throw new ArtifactError(formatIssues(result.error));
  const { userDefinedMetadata: m, weightsManifest } = result.data;
  const listed = weightsManifest.flatMap((g) => g.paths).sort().join(",");
  const hashed = m.shards.map((s) => s.path).sort().join(",");
  if (listed !== hashed) {
    throw new ArtifactError(
      `userDefinedMetadata.shards: expected a hash for each of [${listed}], got [${hashed}]`,
    );
  }
  return result.data;
}
