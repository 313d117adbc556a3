/** `deno task train` run as a user runs it: a child process in the repository root. */
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** `deno` arguments that run the trainer, with the train task's permissions. */
export const TRAIN = [
  "run",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-net",
  "--allow-sys=hostname",
  "trainer/main.ts",
];

/** A small, fast run: ring8 on the CPU, a checkpoint every 10 steps. */
export const SMALL = ["--backend", "cpu", "--batch-size", "64", "--epoch-steps", "10"];

/** Runs the trainer with `args` to the end. */
export async function train(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), { args: [...TRAIN, ...args], cwd: ROOT })
    .output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** Starts a long run in `dir` and waits until its log has `lines` lines. */
export async function startRun(dir: string, lines: number) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...TRAIN, ...SMALL, "--steps", "100000", "--out", dir],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const text = await Deno.readTextFile(`${dir}/log.jsonl`).catch(() => "");
    if (text.split("\n").length > lines) break;
  }
  return child;
}

/** The step lines of a run's log, without the fields that vary between runs. */
export async function stepLogs(dir: string) {
  const text = await Deno.readTextFile(`${dir}/log.jsonl`);
  return text.trim().split("\n").map((l) => JSON.parse(l)).filter((l) => !l.summary)
    .map(({ samples_per_sec: _s, tensors: _t, ...rest }) => rest);
}

/** Whether the tests run as root, which mounting a tmpfs needs. */
export const IS_ROOT =
  new TextDecoder().decode(new Deno.Command("id", { args: ["-u"] }).outputSync().stdout).trim() ===
    "0";

/** Runs a command that must succeed (mount, umount, cp). */
export async function sh(...args: string[]): Promise<void> {
  const r = await new Deno.Command(args[0], { args: args.slice(1) }).output();
  if (r.code !== 0) {
    throw new Error(`${args.join(" ")}: ${new TextDecoder().decode(r.stderr)}`);
  }
}

/** Hex SHA-256 of a file. */
async function fileHash(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Writes `state` as the state.json of the checkpoint in `dir` and rewrites
 * its SHA256SUMS to match, as a trainer writing that state would have.
 */
export async function resealState(dir: string, state: object): Promise<void> {
  await Deno.writeTextFile(`${dir}/state.json`, JSON.stringify({ ...state, version: 2 }));
  const files = ["tensors.bin", "state.json"];
  for await (const e of Deno.readDir(`${dir}/generator`)) files.push(`generator/${e.name}`);
  const lines = await Promise.all(
    files.map(async (f) => `${await fileHash(`${dir}/${f}`)}  ${f}\n`),
  );
  await Deno.writeTextFile(`${dir}/SHA256SUMS`, lines.join(""));
}

/**
 * Turns the checkpoint in `dir` into a version 1 one with `state`: no
 * SHA256SUMS, and tensors.bin's hash inside state.json.
 */
export async function writeVersion1(dir: string, state: object): Promise<void> {
  const sha256 = await fileHash(`${dir}/tensors.bin`);
  await Deno.writeTextFile(`${dir}/state.json`, JSON.stringify({ ...state, version: 1, sha256 }));
  await Deno.remove(`${dir}/SHA256SUMS`).catch(() => {});
}
