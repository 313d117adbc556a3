/**
 * One command, one zod schema: its flags, their defaults and help lines, the
 * validation and the TypeScript type all come from the schema, so they cannot
 * drift apart. `node:util`'s `parseArgs` splits the command line (built in,
 * strict about unknown flags); zod's JSON Schema output describes each field
 * for the parser, the help and the error messages.
 *
 * A field's help line is its `.describe()` (or `.meta({ description })`);
 * `.meta({ value: "DIR" })` names its value in the help; `.meta({ default:
 * "auto" })` on an optional field documents a default resolved later. A
 * number field's text is converted with `Number`, an array field's text is
 * split on commas; everything else reaches zod as typed.
 *
 * @example A command, its help and its flags
 * ```ts
 * import { defineCommand, helpText, parseFlags, z } from "@gan-edge/cli";
 *
 * const greet = defineCommand({
 *   name: "greet",
 *   summary: "Say hello",
 *   flags: z.object({
 *     name: z.string().default("world").describe("who to greet"),
 *     times: z.int().min(1).default(1).describe("how often"),
 *   }),
 * });
 * const parsed = parseFlags(greet, ["--times", "2"]);
 * if (!parsed.help) console.log(parsed.flags.name, parsed.flags.times); // world 2
 * console.log(helpText(greet)); // Usage: deno task greet [flags] …
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { z } from "zod";

/** zod, re-exported so that a command's module needs no zod import of its own. */
export { z };

/** A command-line tool: `deno task <name>`. */
export interface Command<S extends z.ZodObject = z.ZodObject> {
  /** The task name, as in `deno task <name>`. */
  name: string;
  /** One line saying what the command does. */
  summary: string;
  /** Every flag, with its default and help line. */
  flags: S;
  /** The positional arguments' usage and help (e.g. `-- TRAIN FLAGS`); none if absent. */
  positionals?: { usage: string; help: string };
}

/** Declares a command; a typed identity, so that `flags` keeps its exact schema type. */
export function defineCommand<S extends z.ZodObject>(command: Command<S>): Command<S> {
  return command;
}

/** A bad command line; the message names the flag. Exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A parsed command line: `--help`, or valid flags. */
export type Parsed<S extends z.ZodObject> = { help: true } | {
  help: false;
  /** Every flag, defaults filled in, validated by the schema. */
  flags: z.output<S>;
  /** The flags typed on the command line (the rest took their default). */
  given: ReadonlySet<keyof z.output<S> & string>;
  /** Positional arguments (only for commands that declare them). */
  positionals: string[];
};

/** The part of a field's JSON Schema this layer reads. */
interface FieldSchema {
  type?: string;
  enum?: unknown[];
  items?: FieldSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
  description?: string;
  /** The value's name in the help, e.g. DIR. */
  value?: string;
}

interface Field {
  name: string;
  schema: FieldSchema;
  required: boolean;
}

/** The flags of a command in declaration order, each with its JSON Schema. */
function fieldsOf(command: Command): Field[] {
  const json = z.toJSONSchema(command.flags, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, FieldSchema>;
    required?: string[];
  };
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, schema]) => ({
    name,
    schema,
    required: required.has(name),
  }));
}

const isNumeric = (s: FieldSchema) => s.type === "integer" || s.type === "number";

/** Bounds beyond ±2^53 are zod's safe-integer limits, not the flag's. */
const bound = (x: number | undefined) =>
  x !== undefined && Math.abs(x) < Number.MAX_SAFE_INTEGER ? x : undefined;

/** What a field accepts, in words: "an integer ≥ 1", "one of a, b". */
function expectation(s: FieldSchema): string {
  if (s.enum) return `one of ${s.enum.join(", ")}`;
  if (s.type === "array" && s.items) return `a comma list, each ${expectation(s.items)}`;
  if (isNumeric(s)) {
    const bounds = [
      bound(s.minimum) !== undefined ? `≥ ${s.minimum}` : "",
      bound(s.exclusiveMinimum) !== undefined ? `> ${s.exclusiveMinimum}` : "",
      bound(s.maximum) !== undefined ? `≤ ${s.maximum}` : "",
      bound(s.exclusiveMaximum) !== undefined ? `< ${s.exclusiveMaximum}` : "",
    ].filter(Boolean).join(" and ");
    return `${s.type === "integer" ? "an integer" : "a number"}${bounds ? ` ${bounds}` : ""}`;
  }
  return s.type === "boolean" ? "no value" : "a string";
}

/** The flag's text as the schema's type: numbers for number fields, lists split on commas. */
function fromText(text: string, s: FieldSchema): unknown {
  if (s.type === "array") return text.split(",").map((part) => fromText(part, s.items ?? {}));
  // Blank text stays a string, which zod refuses, rather than Number("") === 0.
  if (isNumeric(s)) return text.trim() === "" ? text : Number(text);
  return text;
}

/** parseArgs's messages, rewritten to name the flag the house way. */
function usageMessage(e: Error & { code?: string }): string {
  const unknown = e.message.match(/Unknown option '([^']+)'/);
  if (unknown) return `${unknown[1]}: unknown flag`;
  const positional = e.message.match(/Unexpected argument '([^']*)'/);
  if (positional) return `"${positional[1]}": unexpected argument (flags start with --)`;
  const missing = e.message.match(/Option '(--[^ ']+)[^']*' argument missing/);
  if (missing) return `${missing[1]}: expected a value`;
  return e.message;
}

/**
 * Parses `args` against the command's schema. Returns `{ help: true }` for
 * `--help` (before any validation), else the validated flags; throws
 * {@link UsageError} naming the flag for an unknown flag or a bad value.
 */
export function parseFlags<S extends z.ZodObject>(command: Command<S>, args: string[]): Parsed<S> {
  const fields = fieldsOf(command);
  const options: Record<string, { type: "string" | "boolean" }> = {
    help: { type: "boolean" },
  };
  for (const f of fields) {
    options[f.name] = { type: f.schema.type === "boolean" ? "boolean" : "string" };
  }
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: command.positionals !== undefined,
    });
  } catch (e) {
    throw new UsageError(usageMessage(e as Error));
  }
  if (parsed.values.help) return { help: true };
  const input: Record<string, unknown> = {};
  const texts: Record<string, string> = {};
  const given = new Set<string>();
  for (const f of fields) {
    const raw = parsed.values[f.name];
    if (raw === undefined) continue;
    given.add(f.name);
    if (typeof raw === "string") texts[f.name] = raw;
    input[f.name] = typeof raw === "string" ? fromText(raw, f.schema) : raw;
  }
  const result = command.flags.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue.path[0] ?? "");
    const field = fields.find((f) => f.name === name);
    throw new UsageError(issueMessage(issue, field, texts[name]));
  }
  return {
    help: false,
    flags: result.data,
    given: given as ReadonlySet<keyof z.output<S> & string>,
    positionals: parsed.positionals,
  };
}

/** A zod issue as `--flag: expected …, got "…"`. */
function issueMessage(issue: z.core.$ZodIssue, field: Field | undefined, text?: string): string {
  if (!field) return issue.message; // a check across flags: its own message
  const flag = `--${field.name}`;
  if (text === undefined && issue.code === "invalid_type" && field.required) {
    return `${flag}: required${field.schema.description ? ` (${field.schema.description})` : ""}`;
  }
  // Custom checks and string formats carry their own words; types and bounds get ours.
  const ours = issue.code !== "custom" &&
    (isNumeric(field.schema) || field.schema.enum || field.schema.type === "array");
  const got = text === undefined ? "" : `, got "${text}"`;
  return ours
    ? `${flag}: expected ${expectation(field.schema)}${got}`
    : `${flag}: ${issue.message}${got}`;
}

/** A field's value in the help line: N for integers, the choices for enums, …. */
function valueName(s: FieldSchema): string {
  if (s.value) return s.value;
  if (s.type === "boolean") return "";
  if (s.enum) return s.enum.join("|");
  if (s.type === "array") return `${valueName(s.items ?? {})},…`;
  if (s.type === "integer") return "N";
  if (s.type === "number") return "X";
  return "TEXT";
}

/** A default as typed on the command line (lists joined by commas). */
function defaultText(s: FieldSchema, required: boolean): string {
  if (required) return " [required]";
  if (s.default === undefined || s.default === false || s.default === "") return "";
  const v = Array.isArray(s.default) ? s.default.join(",") : String(s.default);
  return ` [default: ${v === "" ? '""' : v}]`;
}

/** The one-line usage: `Usage: deno task NAME [flags] …`. */
export function usageLine(command: Command): string {
  const positionals = command.positionals ? ` ${command.positionals.usage}` : "";
  return `Usage: deno task ${command.name} [flags]${positionals}`;
}

/** The `--help` text: usage, summary, then every flag with its help line and default. */
export function helpText(command: Command): string {
  const rows: [string, string][] = fieldsOf(command).map((f) => {
    const value = valueName(f.schema);
    return [
      `--${f.name}${value ? ` ${value}` : ""}`,
      `${f.schema.description ?? ""}${defaultText(f.schema, f.required)}`,
    ];
  });
  rows.push(["--help", "print this help"]);
  if (command.positionals) rows.push([command.positionals.usage, command.positionals.help]);
  const width = Math.min(28, Math.max(...rows.map(([left]) => left.length)));
  const lines = rows.map(([left, right]) =>
    left.length > width
      ? `  ${left}\n  ${" ".repeat(width)}  ${right}`
      : `  ${left.padEnd(width)}  ${right}`
  );
  return [usageLine(command), "", command.summary, "", "Flags:", ...lines].join("\n");
}

/**
 * {@link parseFlags} for a `main`: prints the help and exits 0 on `--help`;
 * prints the error and the usage line and exits 2 on a bad command line.
 */
export function parseFlagsOrExit<S extends z.ZodObject>(
  command: Command<S>,
  args: string[],
): Exclude<Parsed<S>, { help: true }> {
  let parsed: Parsed<S>;
  try {
    parsed = parseFlags(command, args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}\n${usageLine(command)} (--help lists every flag)`);
    Deno.exit(2);
  }
  if (parsed.help) {
    console.log(helpText(command));
    Deno.exit(0);
  }
  return parsed;
}
