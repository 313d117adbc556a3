/**
 * Every training setting, its default and its help line, in one table; the
 * command line overrides them (nanoGPT's "config at the top" in typed form).
 * Defaults that depend on the data or the loss (learning rate, batch size,
 * architecture, …) are marked `auto` and resolved by {@link resolveDefaults}
 * once the dataset is known, following the papers each setting comes from.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { LOSSES } from "./losses.ts";

/** A bad flag or flag value; the message names the flag. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export const BACKENDS = ["auto", "tensorflow", "webgpu", "wasm", "cpu"] as const;
export const ARCHS = ["auto", "mlp", "dcgan"] as const;
export const QUANTIZATIONS = ["uint8", "float16", "float32"] as const;
const DATASET_HELP = "ring8, grid25, fashion-mnist, mnist or folder:PATH";

type Kind = "int" | "number" | "string" | "bool" | "ints";
interface Flag {
  kind: Kind;
  /** null: resolved from the data and loss by {@link resolveDefaults}. */
  default: number | string | boolean | number[] | null;
  help: string;
  choices?: readonly string[];
  min?: number;
  max?: number;
}

/** The flags of `deno task train`, in help order. */
export const FLAGS = {
  dataset: { kind: "string", default: "ring8", help: `training data: ${DATASET_HELP}` },
  "data-dir": {
    kind: "string",
    default: "",
    help: "folder with the IDX files (mnist, fashion-mnist)",
  },
  "image-size": { kind: "int", default: 28, min: 1, help: "image side (dcgan: 28 or 32)" },
  out: {
    kind: "string",
    default: "runs/latest",
    help: "run folder (model/, checkpoints/, log.jsonl, …)",
  },
  resume: {
    kind: "bool",
    default: false,
    help: "continue the run in --out from its last checkpoint",
  },
  epochs: {
    kind: "int",
    default: null,
    min: 1,
    help: "epochs (auto: 4 for mixtures, 5 for images)",
  },
  steps: {
    kind: "int",
    default: null,
    min: 1,
    help: "generator updates in all (overrides --epochs)",
  },
  "epoch-steps": {
    kind: "int",
    default: null,
    min: 1,
    help: "steps per epoch (auto: dataset size / batch; 500 for mixtures)",
  },
  "batch-size": {
    kind: "int",
    default: null,
    min: 1,
    help: "samples per batch (auto: 256 points, 64 images)",
  },
  arch: {
    kind: "string",
    default: "auto",
    choices: ARCHS,
    help: "network (auto: mlp for points, dcgan for images)",
  },
  width: {
    kind: "int",
    default: 64,
    min: 1,
    help: "dcgan: filters of the widest-resolution layer",
  },
  "g-hidden": { kind: "ints", default: [128, 128], help: "mlp: G's hidden widths, comma list" },
  "d-hidden": { kind: "ints", default: [128, 128], help: "mlp: D's hidden widths, comma list" },
  dropout: { kind: "number", default: 0, min: 0, max: 0.99, help: "dropout rate in D" },
  conditional: {
    kind: "bool",
    default: false,
    help: "class-conditional G and D (labelled datasets)",
  },
  pack: { kind: "int", default: 1, min: 1, help: "PacGAN: samples D judges together" },
  "minibatch-std": {
    kind: "bool",
    default: false,
    help: "minibatch standard deviation feature in D",
  },
  ema: {
    kind: "number",
    default: 0,
    min: 0,
    max: 0.99999,
    help: "decay of an EMA of G's weights, exported (0: off)",
  },
  loss: { kind: "string", default: "ns", choices: LOSSES, help: "objective" },
  "d-steps": {
    kind: "int",
    default: null,
    min: 1,
    help: "D updates per G update, Algorithm 1's k (auto: 5 for wgan-gp, else 1)",
  },
  lr: {
    kind: "number",
    default: null,
    min: 0,
    help: "Adam learning rate (auto: 1e-4 wgan-gp, 2e-4 dcgan, 1e-3 mlp)",
  },
  beta1: { kind: "number", default: 0.5, min: 0, max: 1, help: "Adam β1" },
  beta2: {
    kind: "number",
    default: null,
    min: 0,
    max: 1,
    help: "Adam β2 (auto: 0.9 for wgan-gp, else 0.999)",
  },
  "lr-decay": {
    kind: "string",
    default: "none",
    choices: ["none", "linear"],
    help: "learning-rate schedule: constant, or linear to 0 at the last step",
  },
  "gp-lambda": { kind: "number", default: 10, min: 0, help: "wgan-gp: gradient penalty weight λ" },
  "latent-dim": {
    kind: "int",
    default: null,
    min: 1,
    help: "length of z (auto: 8 points, 64 images)",
  },
  seed: { kind: "int", default: 0, min: 0, max: 0xffffffff, help: "seed of every random draw" },
  backend: { kind: "string", default: "auto", choices: BACKENDS, help: "tfjs backend" },
  quantize: {
    kind: "string",
    default: "float16",
    choices: QUANTIZATIONS,
    help: "exported weight format",
  },
  "log-every": { kind: "int", default: 100, min: 1, help: "steps between plain progress lines" },
  help: { kind: "bool", default: false, help: "print this help" },
} as const satisfies Record<string, Flag>;

/** Parsed and resolved settings, keyed by flag name. */
export interface TrainConfig {
  dataset: string;
  "data-dir": string;
  "image-size": number;
  out: string;
  resume: boolean;
  epochs: number;
  steps: number;
  "epoch-steps": number;
  "batch-size": number;
  arch: "mlp" | "dcgan";
  width: number;
  "g-hidden": number[];
  "d-hidden": number[];
  dropout: number;
  conditional: boolean;
  pack: number;
  "minibatch-std": boolean;
  ema: number;
  loss: typeof LOSSES[number];
  "d-steps": number;
  lr: number;
  beta1: number;
  beta2: number;
  "lr-decay": "none" | "linear";
  "gp-lambda": number;
  "latent-dim": number;
  seed: number;
  backend: typeof BACKENDS[number];
  quantize: typeof QUANTIZATIONS[number];
  "log-every": number;
  help: boolean;
}

/** Flags as parsed: `auto` ones still null; `given` lists the flags typed. */
export interface ParsedArgs {
  values: Record<string, unknown>;
  given: Set<string>;
}

/** The help text, generated from {@link FLAGS}. */
export function helpText(): string {
  const lines = Object.entries(FLAGS).map(([name, f]: [string, Flag]) => {
    const choices = f.choices ? ` (${f.choices.join("|")})` : "";
    const def = f.kind === "bool"
      ? ""
      : f.default === null
      ? " [default: auto]"
      : ` [default: ${f.default}]`;
    return `  --${name.padEnd(14)} ${f.help}${choices}${def}`;
  });
  return ["Usage: deno task train [flags]", "", ...lines].join("\n");
}

function parseValue(name: string, f: Flag, raw: string): unknown {
  const fail = (expected: string): never => {
    throw new ConfigError(`--${name}: expected ${expected}, got "${raw}"`);
  };
  if (f.kind === "int" || f.kind === "number") {
    const integer = f.kind === "int";
    const v = Number(raw);
    const bounds = [
      f.min !== undefined ? `≥ ${f.min}` : "",
      f.max !== undefined ? `≤ ${f.max}` : "",
    ]
      .filter(Boolean).join(" and ");
    const expected = `${integer ? "an integer" : "a number"}${bounds ? " " + bounds : ""}`;
    if (raw.trim() === "" || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      fail(expected);
    }
    if ((f.min !== undefined && v < f.min) || (f.max !== undefined && v > f.max)) fail(expected);
    return v;
  }
  if (f.kind === "ints") {
    return raw.split(",").map((p) => {
      const v = Number(p);
      if (p.trim() === "" || !Number.isInteger(v) || v < 1) {
        fail("a comma list of positive integers");
      }
      return v;
    });
  }
  if (f.choices && !f.choices.includes(raw)) fail(`one of ${f.choices.join(", ")}`);
  return raw;
}

/**
 * Parses command-line `args`; throws {@link ConfigError} naming the flag for
 * an unknown flag or a bad value. `auto` settings stay null.
 */
export function parseArgsToValues(args: string[]): ParsedArgs {
  const options = Object.fromEntries(
    Object.entries(FLAGS).map((
      [name, f],
    ) => [name, { type: f.kind === "bool" ? "boolean" : "string" }]),
  ) as Record<string, { type: "boolean" | "string" }>;
  let raw: Record<string, string | boolean | undefined>;
  try {
    ({ values: raw } = parseArgs({ args, options, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}\n\n${helpText()}`);
  }
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  for (const [name, f] of Object.entries(FLAGS) as [string, Flag][]) {
    const v = raw[name];
    if (v !== undefined) given.add(name);
    values[name] = v === undefined
      ? f.default
      : typeof v === "boolean"
      ? v
      : parseValue(name, f, v);
  }
  return { values, given };
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
export function resolveDefaults(values: Record<string, unknown>, data: DataFacts): TrainConfig {
  const v = { ...values } as Record<string, unknown>;
  const isImage = data.kind === "image";
  const wgan = v.loss === "wgan-gp";
  if (v.arch === "auto") v.arch = isImage ? "dcgan" : "mlp";
  v["batch-size"] ??= isImage ? 64 : 256;
  v["latent-dim"] ??= isImage ? 64 : 8;
  v["d-steps"] ??= wgan ? 5 : 1;
  v.lr ??= wgan ? 1e-4 : v.arch === "dcgan" ? 2e-4 : 1e-3;
  v.beta2 ??= wgan ? 0.9 : 0.999;
  v["epoch-steps"] ??= data.size === null
    ? 500
    : Math.ceil(data.size / (v["batch-size"] as number));
  v.epochs ??= isImage ? 5 : 4;
  if (v.steps === null) v.steps = (v.epochs as number) * (v["epoch-steps"] as number);
  else v.epochs = Math.ceil((v.steps as number) / (v["epoch-steps"] as number));
  const config = v as unknown as TrainConfig;
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

/** Parses and resolves in one go (tests and tools that know the data). */
export function parseConfig(
  args: string[],
  data: DataFacts = { kind: "points", size: null, labelled: false },
): TrainConfig {
  return resolveDefaults(parseArgsToValues(args).values, data);
}
