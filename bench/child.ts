/**
 * The bench's child processes: each measure runs in a Deno process of its
 * own (so that backends and peers never share a heap) and prints JSON lines.
 *
 * @module
 */

/** What a child printed: its last JSON line, the progress lines before it, or why it failed. */
export interface ChildOutput {
  /** The last JSON line without a `progress` key; null when there is none. */
  last: unknown;
  /** The `progress` values of the lines that have one, in order. */
  progress: unknown[];
  /** Set when the child timed out or printed no result. */
  error?: string;
}

/**
 * Runs `deno run -A ARGS…` and collects its JSON lines; past
 * `timeoutSeconds` the process is killed (what it printed so far is kept).
 */
export async function runDenoChild(args: string[], timeoutSeconds = 900): Promise<ChildOutput> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutSeconds * 1000);
  const out = await child.output();
  clearTimeout(timer);
  const lines = parseJsonLines(new TextDecoder().decode(out.stdout));
  const progress = lines.flatMap((l) => isProgress(l) ? [l.progress] : []);
  const last = lines.filter((l) => !isProgress(l)).at(-1) ?? null;
  if (timedOut) {
    return { last: null, progress, error: `stopped at the ${timeoutSeconds} s time cap` };
  }
  if (last === null) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" ");
    return { last, progress, error: `exit ${out.code}: ${err}` };
  }
  return { last, progress };
}

const isProgress = (l: unknown): l is { progress: unknown } =>
  typeof l === "object" && l !== null && "progress" in l;

/** The lines of `text` that are JSON objects, parsed. */
export function parseJsonLines(text: string): unknown[] {
  return text.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}
