/**
 * What the result tables (toy_table.ts, image_table.ts) share: training one
 * cell with `deno task train`'s entry point in a child process, and running
 * cells at most `jobs` at once with their results appended to a JSON-lines
 * file as each ends, so that an interrupted table resumes where it stopped.
 *
 * @module
 */

/** The results already in `path` (none if it does not exist). */
export async function readResults<R>(path: string): Promise<R[]> {
  try {
    return (await Deno.readTextFile(path)).split("\n").filter((l) => l.trim()).map((l) =>
      JSON.parse(l)
    );
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

/**
 * Trains one run into `dir` (`deno task train --out DIR ARGS`, by default
 * with a float32 export and a quiet log); a run cut off earlier continues
 * from its checkpoint.
 * Returns the wall time in seconds.
 */
export async function trainRun(args: string[], dir: string): Promise<number> {
  const started = performance.now();
  const main = new URL("../main.ts", import.meta.url).pathname;
  const resume = await Deno.stat(`${dir}/checkpoints/latest/state.json`).then(
    () => true,
    () => false,
  );
  const all = [
    "run",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-net",
    "--allow-sys=hostname",
    main,
    "--out",
    dir,
    "--log-every",
    "1000000",
    "--quantize",
    "float32",
    ...args,
    ...(resume ? ["--resume"] : []),
  ];
  const out = await new Deno.Command(Deno.execPath(), {
    args: all,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  if (!out.success) {
    throw new Error(
      `deno task train ${all.slice(6).join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return (performance.now() - started) / 1000;
}

/**
 * Runs `run` for every cell whose key is not yet among the results in
 * `resultsPath`, at most `jobs` at once, appending each result as it ends.
 * Returns all results, old and new.
 */
export async function runCells<C, R>(
  resultsPath: string,
  cells: C[],
  keys: { cell: (c: C) => string; result: (r: R) => string },
  jobs: number,
  run: (c: C) => Promise<R>,
): Promise<R[]> {
  const done = await readResults<R>(resultsPath);
  const have = new Set(done.map(keys.result));
  const todo = cells.filter((c) => !have.has(keys.cell(c)));
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const result = await run(todo[next++]);
      await Deno.writeTextFile(resultsPath, JSON.stringify(result) + "\n", { append: true });
      done.push(result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return done;
}
