/**
 * Every training setting, its default and its help line, in one table; the
 * command line overrides them (nanoGPT's "config at the top" in typed form).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { LOSSES } from "./losses.ts";

/** A bad flag or flag value; the message names the flag. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export const BACKENDS = [
  "auto",
  "tensorflow",
  "webgpu",
  "wasm",
  "cpu",
] as const;
export const DATASETS = ["ring8", "grid25"] as const;
export const QUANTIZATIONS = ["uint8", "float16", "float32"] as const;

type Kind = "int" | "number" | "string" | "bool" | "ints";
interface Flag<K extends Kind = Kind> {
  kind: K;
  default: K extends "int" | "number" ? number
    : K extends "bool" ? boolean
    : K extends "ints" ? number[]
    : string;
  help: string;
  choices?: readonly string[];
  min?: number;
  max?: number;
}
const flag = <K extends Kind>(f: Flag<K>) => f;

/** The flags of `deno task train`, in help order. */
export const FLAGS = {
  dataset: flag({
    kind: "string",
    default: "ring8",
    help: "training data",
    choices: DATASETS,
  }),
  out: flag({
    kind: "string",
    default: "runs/latest",
    help: "run folder (model/, log.jsonl, …)",
  }),
  steps: flag({
    kind: "int",
    default: 2000,
    min: 1,
    help: "generator updates",
  }),
  "batch-size": flag({
    kind: "int",
    default: 256,
    min: 1,
    help: "samples per batch",
  }),
  loss: flag({
    kind: "string",
    default: "ns",
    help: "objective",
    choices: LOSSES,
  }),
  "d-steps": flag({
    kind: "int",
    default: 1,
    min: 1,
    help: "D updates per G update (Algorithm 1's k)",
  }),
  lr: flag({
    kind: "number",
    default: 1e-3,
    min: 0,
    help: "Adam learning rate of G and D",
  }),
  beta1: flag({
    kind: "number",
    default: 0.5,
    min: 0,
    max: 1,
    help: "Adam β1",
  }),
  beta2: flag({
    kind: "number",
    default: 0.999,
    min: 0,
    max: 1,
    help: "Adam β2",
  }),
  "latent-dim": flag({ kind: "int", default: 8, min: 1, help: "length of z" }),
  "g-hidden": flag({
    kind: "ints",
    default: [128, 128],
    help: "G's hidden widths, comma list",
  }),
  "d-hidden": flag({
    kind: "ints",
    default: [128, 128],
    help: "D's hidden widths, comma list",
  }),
  dropout: flag({
    kind: "number",
    default: 0,
    min: 0,
    max: 0.99,
    help: "dropout rate in D",
  }),
  seed: flag({
    kind: "int",
    default: 0,
    min: 0,
    max: 0xffffffff,
    help: "seed of every random draw",
  }),
  backend: flag({
    kind: "string",
    default: "auto",
    help: "tfjs backend",
    choices: BACKENDS,
  }),
  quantize: flag({
    kind: "string",
    default: "float16",
    help: "exported weight format",
    choices: QUANTIZATIONS,
  }),
  "log-every": flag({
    kind: "int",
    default: 100,
    min: 1,
    help: "steps between progress lines",
  }),
  help: flag({ kind: "bool", default: false, help: "print this help" }),
} as const;

type Flags = typeof FLAGS;
type ValueOf<F> = F extends Flag<infer K> ? Flag<K>["default"] : never;
/** Parsed settings, keyed by flag name. */
export type TrainConfig = { -readonly [K in keyof Flags]: ValueOf<Flags[K]> };

/** The help text, generated from {@link FLAGS}. */
export function helpText(): string {
  const lines = Object.entries(FLAGS).map(([name, f]) => {
    const choices = "choices" in f && f.choices ? ` (${f.choices.join("|")})` : "";
    const def = f.kind === "bool" ? "" : ` [default: ${f.default}]`;
    return `  --${name.padEnd(12)} ${f.help}${choices}${def}`;
  });
  return ["Usage: deno task train [flags]", "", ...lines].join("\n");
}

function parseValue(name: string, f: Flag, raw: string): unknown {
  const fail = (expected: string): never => {
    throw new ConfigError(`--${name}: expected ${expected}, got "${raw}"`);
  };
  const number = (text: string, integer: boolean) => {
    const v = Number(text);
    const bounds = [
      f.min !== undefined ? `≥ ${f.min}` : "",
      f.max !== undefined ? `≤ ${f.max}` : "",
    ].filter(Boolean).join(" and ");
    const expected = `${integer ? "an integer" : "a number"}${bounds ? " " + bounds : ""}`;
    if (
      text.trim() === "" || !Number.isFinite(v) ||
      (integer && !Number.isInteger(v))
    ) {
      fail(expected);
    }
    if (
      (f.min !== undefined && v < f.min) || (f.max !== undefined && v > f.max)
    ) fail(expected);
    return v;
  };
  switch (f.kind) {
    case "int":
      return number(raw, true);
    case "number":
      return number(raw, false);
    case "ints": {
      const parts = raw.split(",");
      return parts.map((p) => {
        const v = Number(p);
        if (!Number.isInteger(v) || v < 1) {
          fail("a comma list of positive integers");
        }
        return v;
      });
    }
    default:
      if (f.choices && !f.choices.includes(raw)) {
        fail(`one of ${f.choices.join(", ")}`);
      }
      return raw;
  }
}

/**
 * Parses command-line `args` into a {@link TrainConfig}; throws
 * {@link ConfigError} naming the flag for an unknown flag or a bad value.
 */
export function parseConfig(args: string[]): TrainConfig {
  const options = Object.fromEntries(
    Object.entries(FLAGS).map((
      [name, f],
    ) => [name, { type: f.kind === "bool" ? "boolean" : "string" }]),
  ) as Record<string, { type: "boolean" | "string" }>;
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}\n\n${helpText()}`);
  }
  const config: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(FLAGS) as [string, Flag][]) {
    const raw = values[name];
    config[name] = raw === undefined
      ? f.default
      : typeof raw === "boolean"
      ? raw
      : parseValue(name, f, raw);
  }
  return config as TrainConfig;
}
