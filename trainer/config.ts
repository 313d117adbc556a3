/**
 * `deno task train`'s settings: every flag, its default and its help line in
 * one zod schema (nanoGPT's "config at the top" in typed form), from which
 * the CLI layer derives the parser, `--help` and the type. Defaults that
 * depend on the data or the loss (learning rate, batch size, architecture, …)
 * are `auto`: left unset by the command line and filled by
 * {@link resolveDefaults} once the dataset is known, following the papers
 * each setting comes from.
 *
 * @module
 */
import { defineCommand, parseFlags, UsageError, z } from "@gan-edge/cli";
import { QuantizationSchema } from "@gan-edge/shared/schema";
import { LOSSES } from "./losses.ts";

/** A bad flag or combination of flags found once the data is known; names the flag. */
export class ConfigError extends UsageError {
  override name = "ConfigError";
}

export const BACKENDS = ["auto", "tensorflow", "webgpu", "wasm", "cpu"] as const;
export const ARCHS = ["auto", "mlp", "dcgan"] as const;
const DATASET_HELP = "ring8, grid25, fashion-mnist, mnist or folder:PATH";

/** An optional flag whose default {@link resolveDefaults} picks; the help says how. */
const auto = (description: string) => ({ description, default: "auto" });
const widths = z.array(z.int().min(1)).min(1);

/** `deno task train`: the flags in help order. */
export const trainCommand = defineCommand({
  name: "train",
  summary: "Train a GAN; after each epoch write fixed-noise samples, a checkpoint and " +
    "report.html into --out, then export the generator to --out/model. " +
    "Ctrl-C checkpoints and stops; --resume continues.",
  flags: z.object({
    dataset: z.string().min(1).default("ring8").meta({
      value: "NAME",
      description: `training data: ${DATASET_HELP}`,
    }),
    "data-dir": z.string().default("").meta({
      value: "DIR",
      description: "folder with the IDX files (mnist, fashion-mnist)",
    }),
    "image-size": z.int().min(1).default(28).describe("image side (dcgan: 28 or 32)"),
    out: z.string().min(1).default("runs/latest").meta({
      value: "DIR",
      description: "run folder (model/, checkpoints/, log.jsonl, …)",
    }),
    resume: z.boolean().default(false).describe(
      "continue the run in --out from its last checkpoint",
    ),
    epochs: z.int().min(1).optional().meta(auto("epochs (auto: 4 for mixtures, 5 for images)")),
    steps: z.int().min(1).optional().meta(auto("generator updates in all (overrides --epochs)")),
    "epoch-steps": z.int().min(1).optional().meta(
      auto("steps per epoch (auto: dataset size / batch; 500 for mixtures)"),
    ),
    "batch-size": z.int().min(1).optional().meta(
      auto("samples per batch (auto: 256 points, 64 images)"),
    ),
    arch: z.enum(ARCHS).default("auto").describe(
      "network (auto: mlp for points, dcgan for images)",
    ),
    width: z.int().min(1).default(64).describe("dcgan: filters of the widest-resolution layer"),
    "g-hidden": widths.default([128, 128]).describe("mlp: G's hidden widths, comma list"),
    "d-hidden": widths.default([128, 128]).describe("mlp: D's hidden widths, comma list"),
    dropout: z.number().min(0).max(0.99).default(0).describe("dropout rate in D"),
    conditional: z.boolean().default(false).describe(
      "class-conditional G and D (labelled datasets)",
    ),
    pack: z.int().min(1).default(1).describe("PacGAN: samples D judges together"),
    "minibatch-std": z.boolean().default(false).describe(
      "minibatch standard deviation feature in D",
    ),
    ema: z.number().min(0).max(0.99999).default(0).describe(
      "decay of an EMA of G's weights, exported (0: off)",
    ),
    loss: z.enum(LOSSES).default("ns").describe("objective"),
    "d-steps": z.int().min(1).optional().meta(
      auto("D updates per G update, Algorithm 1's k (auto: 5 for wgan-gp, else 1)"),
    ),
    lr: z.number().min(0).optional().meta(
      auto("Adam learning rate (auto: 1e-4 wgan-gp, 2e-4 dcgan, 1e-3 mlp)"),
    ),
    beta1: z.number().min(0).max(1).default(0.5).describe("Adam β1"),
    beta2: z.number().min(0).max(1).optional().meta(
      auto("Adam β2 (auto: 0.9 for wgan-gp, else 0.999)"),
    ),
    "lr-decay": z.enum(["none", "linear"]).default("none").describe(
      "learning-rate schedule: constant, or linear to 0 at the last step",
    ),
    "gp-lambda": z.number().min(0).default(10).describe("wgan-gp: gradient penalty weight λ"),
    "latent-dim": z.int().min(1).optional().meta(auto("length of z (auto: 8 points, 64 images)")),
    seed: z.int().min(0).max(0xffffffff).default(0).describe("seed of every random draw"),
    backend: z.enum(BACKENDS).default("auto").describe("tfjs backend"),
    quantize: QuantizationSchema.default("float16").describe("exported weight format"),
    "log-every": z.int().min(1).default(100).describe("steps between plain progress lines"),
  }),
});

/** The settings as parsed: `auto` ones still unset. */
export type TrainFlags = z.output<typeof trainCommand.flags>;

/** The settings with every `auto` resolved by {@link resolveDefaults}. */
export type TrainConfig = Required<Omit<TrainFlags, "arch">> & {
  arch: Exclude<TrainFlags["arch"], "auto">;
};

/** Flags that may change when resuming; the rest come from the checkpoint. */
export const RESUMABLE: readonly (keyof TrainFlags)[] = [
  "out",
  "steps",
  "epochs",
  "backend",
  "quantize",
  "log-every",
  "resume",
  "data-dir",
];

/**
 * The settings of a resumed run: the checkpoint's `saved` ones, with the
 * flags typed now (`given`) that may change ({@link RESUMABLE}); `ignored`
 * names the other flags typed. `--epochs` without `--steps` sets a new length.
 */
export function resumeFlags(
  saved: TrainConfig,
  flags: TrainFlags,
  given: ReadonlySet<keyof TrainFlags>,
): { flags: TrainFlags; ignored: (keyof TrainFlags)[] } {
  const overrides = Object.fromEntries(
    RESUMABLE.filter((k) => given.has(k)).map((k) => [k, flags[k]]),
  );
  const merged = trainCommand.flags.safeParse({ ...saved, ...overrides, resume: true });
  if (!merged.success) {
    const issue = merged.error.issues[0];
    throw new ConfigError(
      `--resume: the checkpoint's --${issue.path.join(".")} does not fit this trainer ` +
        `(${issue.message})`,
    );
  }
  const newLength = given.has("epochs") && !given.has("steps");
  return {
    flags: newLength ? { ...merged.data, steps: undefined } : merged.data,
    ignored: [...given].filter((k) => !RESUMABLE.includes(k)),
  };
}

/** What {@link resolveDefaults} needs to know about the data. */
export interface DataFacts {
  kind: "points" | "image";
  /** Examples per epoch; null for the endless mixtures. */
  size: number | null;
  labelled: boolean;
}

/**
 * Fills every `auto` setting from the data and the loss, and checks the
 * combinations: WGAN-GP's defaults are Gulrajani et al.'s (lr 1e-4, β2 0.9,
 * 5 critic steps); DCGAN's are Radford et al.'s (lr 2e-4, β1 0.5, batch 64).
 */
export function resolveDefaults(flags: TrainFlags, data: DataFacts): TrainConfig {
  const isImage = data.kind === "image";
  const wgan = flags.loss === "wgan-gp";
  const arch = flags.arch === "auto" ? (isImage ? "dcgan" : "mlp") : flags.arch;
  const batchSize = flags["batch-size"] ?? (isImage ? 64 : 256);
  const epochSteps = flags["epoch-steps"] ??
    (data.size === null ? 500 : Math.ceil(data.size / batchSize));
  const epochs = flags.steps === undefined
    ? flags.epochs ?? (isImage ? 5 : 4)
    : Math.ceil(flags.steps / epochSteps);
  const config: TrainConfig = {
    ...flags,
    arch,
    "batch-size": batchSize,
    "latent-dim": flags["latent-dim"] ?? (isImage ? 64 : 8),
    "d-steps": flags["d-steps"] ?? (wgan ? 5 : 1),
    lr: flags.lr ?? (wgan ? 1e-4 : arch === "dcgan" ? 2e-4 : 1e-3),
    beta2: flags.beta2 ?? (wgan ? 0.9 : 0.999),
    "epoch-steps": epochSteps,
    epochs,
    steps: flags.steps ?? epochs * epochSteps,
  };
  if (config.arch === "dcgan" && !isImage) {
    throw new ConfigError(
      `--arch dcgan: expected an image dataset, got points data (${config.dataset})`,
    );
  }
  if (config.arch === "dcgan" && config["image-size"] !== 28 && config["image-size"] !== 32) {
    throw new ConfigError(`--image-size: dcgan expects 28 or 32, got ${config["image-size"]}`);
  }
  if (config.conditional && !data.labelled) {
    throw new ConfigError(
      `--conditional: expected a labelled dataset, ${config.dataset} has no labels`,
    );
  }
  if (config.pack > 1 && config.conditional) {
    throw new ConfigError("--pack: cannot be combined with --conditional (a pack mixes classes)");
  }
  if (config["batch-size"] % config.pack !== 0) {
    throw new ConfigError(
      `--pack: expected a divisor of --batch-size ${config["batch-size"]}, got ${config.pack}`,
    );
  }
  return config;
}

/**
 * Parses and resolves in one go (tests and tools that know the data); throws
 * a {@link UsageError} naming the flag. `--help` is not a setting here.
 */
export function parseConfig(
  args: string[],
  data: DataFacts = { kind: "points", size: null, labelled: false },
): TrainConfig {
  const parsed = parseFlags(trainCommand, args);
  if (parsed.help) throw new ConfigError("--help: not a training setting");
  return resolveDefaults(parsed.flags, data);
}
