/** The CLI layer: one zod schema gives the defaults, the help, the errors and the type. */
import assert from "node:assert/strict";
import { defineCommand, helpText, parseFlags, UsageError, usageLine, z } from "@gan-edge/cli";

const demo = defineCommand({
  name: "demo",
  summary: "A command for the tests.",
  flags: z.object({
    out: z.string().default("runs/latest").describe("run folder"),
    steps: z.int().min(1).optional().meta({ description: "updates in all", default: "auto" }),
    lr: z.number().min(0).max(1).default(0.001).describe("learning rate"),
    loss: z.enum(["ns", "hinge"]).default("ns").describe("objective"),
    hidden: z.array(z.int().min(1)).default([128, 64]).describe("hidden widths"),
    resume: z.boolean().default(false).describe("continue the run"),
    run: z.string().meta({ value: "DIR", description: "the run to read" }),
    folder: z.string().default("data").refine((s: string) => !s.endsWith("/"), {
      error: "expected no trailing slash",
    }).describe("data folder"),
  }),
});

/** parseFlags, asserting it did not see --help. */
function flags(args: string[]) {
  const parsed = parseFlags(demo, args);
  assert.ok(!parsed.help);
  return parsed;
}

/** The UsageError message of `args`. */
function error(args: string[]): string {
  try {
    parseFlags(demo, args);
  } catch (e) {
    assert.ok(e instanceof UsageError, String(e));
    return e.message;
  }
  assert.fail(`${args.join(" ")}: expected a UsageError`);
}

Deno.test("unset flags take the schema's defaults; typed ones are converted and listed", () => {
  const { flags: f, given } = flags(["--run", "r", "--steps", "5", "--hidden=8,4", "--resume"]);
  // The type comes from the schema: these lines type-check without casts.
  const steps: number | undefined = f.steps;
  const hidden: number[] = f.hidden;
  const loss: "ns" | "hinge" = f.loss;
  assert.deepEqual(
    { ...f, steps, hidden, loss },
    {
      out: "runs/latest",
      steps: 5,
      lr: 0.001,
      loss: "ns",
      hidden: [8, 4],
      resume: true,
      run: "r",
      folder: "data",
    },
  );
  assert.deepEqual([...given].sort(), ["hidden", "resume", "run", "steps"]);
});

Deno.test("--help wins over missing and bad flags", () => {
  assert.deepEqual(parseFlags(demo, ["--help"]), { help: true });
  assert.deepEqual(parseFlags(demo, ["--lr", "7", "--help"]), { help: true });
});

Deno.test("help lists every flag with its value name, help line and default", () => {
  const help = helpText(demo);
  assert.equal(help.split("\n")[0], "Usage: deno task demo [flags]");
  assert.equal(usageLine(demo), "Usage: deno task demo [flags]");
  assert.match(help, /A command for the tests\./);
  for (const name of Object.keys(demo.flags.shape)) assert.match(help, new RegExp(`--${name}\\b`));
  assert.match(help, /--out TEXT +run folder \[default: runs\/latest\]/);
  assert.match(help, /--steps N +updates in all \[default: auto\]/);
  assert.match(help, /--lr X +learning rate \[default: 0\.001\]/);
  assert.match(help, /--loss ns\|hinge +objective \[default: ns\]/);
  assert.match(help, /--hidden N,… +hidden widths \[default: 128,64\]/);
  assert.match(help, /--resume +continue the run$/m);
  assert.match(help, /--run DIR +the run to read \[required\]/);
  assert.match(help, /--help +print this help/);
});

Deno.test("a bad value is refused with the flag's name, what it expects and what came", () => {
  const cases: [string[], string][] = [
    [["--steps", "abc"], '--steps: expected an integer ≥ 1, got "abc"'],
    [["--steps", "0"], '--steps: expected an integer ≥ 1, got "0"'],
    [["--steps", "1.5"], '--steps: expected an integer ≥ 1, got "1.5"'],
    [["--steps", ""], '--steps: expected an integer ≥ 1, got ""'],
    [["--lr=-1"], '--lr: expected a number ≥ 0 and ≤ 1, got "-1"'],
    [["--loss", "wgan"], '--loss: expected one of ns, hinge, got "wgan"'],
    [["--hidden", "64,x"], '--hidden: expected a comma list, each an integer ≥ 1, got "64,x"'],
    [["--folder", "a/"], '--folder: expected no trailing slash, got "a/"'],
    [[], "--run: required (the run to read)"],
  ];
  for (const [args, message] of cases) {
    assert.equal(
      error(args.includes("--run") || !args.length ? args : [...args, "--run", "r"]),
      message,
    );
  }
});

Deno.test("an unknown flag, a missing value and a stray argument are named", () => {
  assert.equal(error(["--stesp", "5"]), "--stesp: unknown flag");
  assert.equal(error(["--run"]), "--run: expected a value");
  assert.equal(
    error(["--run", "r", "extra"]),
    '"extra": unexpected argument (flags start with --)',
  );
});

Deno.test("a command that declares positionals receives them", () => {
  const passOn = defineCommand({
    name: "table",
    summary: "Passes flags on.",
    flags: z.object({ jobs: z.int().min(1).default(2).describe("parallel runs") }),
    positionals: { usage: "[-- TRAIN FLAGS]", help: "passed to every training run" },
  });
  const parsed = parseFlags(passOn, ["--jobs", "3", "--", "--lr", "0.1"]);
  assert.ok(!parsed.help);
  assert.deepEqual([parsed.flags.jobs, parsed.positionals], [3, ["--lr", "0.1"]]);
  assert.match(helpText(passOn), /^Usage: deno task table \[flags\] \[-- TRAIN FLAGS\]/);
  assert.match(helpText(passOn), /\[-- TRAIN FLAGS\] +passed to every training run/);
});

Deno.test("parseFlagsOrExit: help exits 0; a bad flag exits 2 with the message, no stack trace", async () => {
  const script = `
    import { defineCommand, parseFlagsOrExit, z } from "@gan-edge/cli";
    const c = defineCommand({ name: "demo", summary: "Demo.", flags: z.object({
      steps: z.int().min(1).default(3).describe("updates"),
    }) });
    console.log("steps", parseFlagsOrExit(c, Deno.args).flags.steps);`;
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--ext=ts", script, ...args],
      cwd: new URL("../../", import.meta.url),
    }).output();
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
  };
  const ok = await run("--steps", "4");
  assert.deepEqual([ok.code, ok.stdout], [0, "steps 4\n"]);
  const help = await run("--help");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: deno task demo \[flags\]\n/);
  assert.match(help.stdout, /--steps N +updates \[default: 3\]/);
  const bad = await run("--steps", "x");
  assert.equal(bad.code, 2);
  assert.equal(
    bad.stderr,
    'error: --steps: expected an integer ≥ 1, got "x"\n' +
      "Usage: deno task demo [flags] (--help lists every flag)\n",
  );
});
