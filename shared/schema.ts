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

/** A share in [0, 1]. */
const share = z.number().min(0, { error: "expected a share in [0, 1]" }).max(1, {
  error: "expected a share in [0, 1]",
});

/**
 * The headline evaluation a model carries (`deno task eval --record`), flat
 * and named by metric. Every name is optional (a points model has modes, an
 * image model the rest); other names are allowed as plain numbers, so that a
 * model recorded before a metric was named here stays valid.
 */
export const MetricsSchema = z.object({
  /** Mixtures: modes captured of `modes` (VEEGAN/PacGAN protocol). */
  modes_captured: nonNegativeInt.optional(),
  modes: positiveInt.optional(),
  /** Mixtures: share of samples within 3σ of their nearest mode. */
  high_quality: share.optional(),
  /** Mixtures: KL of the high-quality samples' mode histogram from uniform, nats. */
  reverse_kl: z.number().optional(),
  /** Images: Parzen-window log-likelihood (nats, [0, 1] images), its standard error, σ. */
  parzen_ll: z.number().optional(),
  parzen_se: z.number().optional(),
  parzen_sigma: z.number().optional(),
  /** Images: Fréchet distance in the eval classifier's features, and its train-vs-test floor. */
  frechet: z.number().optional(),
  frechet_floor: z.number().optional(),
  /** Images: k-NN precision and recall (k = 3) in the classifier's features. */
  precision: share.optional(),
  recall: share.optional(),
  /** The same with training images in the generator's place: the measure's ceiling. */
  precision_train_test: share.optional(),
  recall_train_test: share.optional(),
  /** Images: KL of the predicted-class histogram from uniform, nats. */
  class_kl: z.number().optional(),
  classifier_accuracy: share.optional(),
  /** Conditional images: share of samples the classifier puts in their conditioning class. */
  label_agreement: share.optional(),
  /** Images: share of samples whose nearest other sample is closer than the threshold. */
  near_duplicate_rate: share.optional(),
  /** The same share among the real test images. */
  near_duplicate_rate_real: share.optional(),
  /** Pixel L2 (on [0, 1] images) under which two samples are near-duplicates. */
  near_duplicate_threshold: z.number().positive().optional(),
  /** Images: mean pairwise pixel distance within a class, averaged over classes; real beside. */
  within_class_distance: z.number().min(0).optional(),
  within_class_distance_real: z.number().min(0).optional(),
  /** Images: k-NN precision and recall (k = 3) on the pixels. */
  pixel_precision: share.optional(),
  pixel_recall: share.optional(),
  pixel_precision_train_test: share.optional(),
  pixel_recall_train_test: share.optional(),
  /** The run's last checkpoint: mean D(x), D(G(z)), and V(G, D) (minimax family). */
  D_x: z.number().optional(),
  D_G_z: z.number().optional(),
  V: z.number().optional(),
}).catchall(z.number());

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
  metrics: MetricsSchema,
  quantization: QuantizationSchema,
  shards: z.array(ShardSchema).min(1, { error: "expected at least 1 shard" }),
}).strict();

export type Latent = z.infer<typeof LatentSchema>;
export type Output = z.infer<typeof OutputSchema>;
export type Architecture = z.infer<typeof ArchitectureSchema>;
export type Provenance = z.infer<typeof ProvenanceSchema>;
export type Metrics = z.infer<typeof MetricsSchema>;
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
