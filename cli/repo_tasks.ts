/**
 * The repository's own tasks, `deno task check`, `test` and `deploy`, as
 * commands of the CLI layer, so that they answer `--help` like every other
 * task (deno task appends its arguments to a shell command's last word, where
 * `--help` would reach `deno check` or `deno deploy` instead). Each runs the
 * same deno subcommands the shell line did, in order, stopping at the first
 * that fails with its exit code.
 *
 * Usage: `deno run --allow-run repo_tasks.ts check|test|deploy [args]`.
 *
 * @module
 */
import { type Command, defineCommand, parseFlagsOrExit, z } from "./mod.ts";

/** The permissions the test suite runs with. */
const TEST_PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-net",
  "--allow-run",
];

const CHECKS = [["fmt", "--check"], ["lint"], ["check"]];

const PASS_ON = (to: string) => ({ usage: "[-- ARGS]", help: `passed on to ${to}` });

/** Each task: its command and the deno subcommands it runs, given the arguments passed on. */
export const REPO_TASKS: Record<
  string,
  { command: Command; steps: (rest: string[]) => string[][] }
> = {
  check: {
    command: defineCommand({
      name: "check",
      summary: "Format check, lint and type check of every file: deno fmt --check, deno lint, " +
        "deno check.",
      flags: z.object({}),
    }),
    steps: () => CHECKS,
  },
  test: {
    command: defineCommand({
      name: "test",
      summary: "deno task check, then the whole test suite (tests/) and the @example blocks " +
        "of shared/ and cli/ (deno test --doc).",
      flags: z.object({}),
      positionals: PASS_ON("deno test, e.g. -- --filter resume"),
    }),
    steps: (rest) => [
      ...CHECKS,
      ["test", "--doc", ...TEST_PERMISSIONS, "tests/", "shared/", "cli/", ...rest],
    ],
  },
  deploy: {
    command: defineCommand({
      name: "deploy",
      summary: "Deploy edge/ with its model to Deno Deploy (deno deploy; see deno.json's " +
        '"deploy" for the entry point and the files it uploads).',
      flags: z.object({}),
      positionals: PASS_ON("deno deploy, e.g. -- --help for its own flags"),
    }),
    steps: (rest) => [["deploy", ...rest]],
  },
};

if (import.meta.main) {
  const [name, ...args] = Deno.args;
  const task = REPO_TASKS[name];
  if (!task) {
    console.error(`error: expected a task, one of ${Object.keys(REPO_TASKS).join(", ")}`);
    Deno.exit(2);
  }
  const { positionals } = parseFlagsOrExit(task.command, args);
  for (const step of task.steps(positionals)) {
    const { code } = await new Deno.Command(Deno.execPath(), { args: step }).spawn().status;
    if (code !== 0) Deno.exit(code);
  }
}
