/**
 * The trainer's imports run one way: no module imports itself back through a
 * circle (trainer/data/ had images.ts ↔ mod.ts); nothing imports a command
 * (a `deno task` entry point), and only experiments import experiments, so a
 * library can be read, tested and reused without the CLI that happens to use
 * it (the result tables imported the eval CLI).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = new URL("../../", import.meta.url);

interface Module {
  specifier: string;
  dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
}

/** The project's own files (file: URLs) under `dir`, recursively. */
async function sourceFiles(dir: URL): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const url = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
    if (e.isDirectory && e.name !== "node_modules") out.push(...await sourceFiles(url));
    else if (e.isFile && e.name.endsWith(".ts")) out.push(url.href);
  }
  return out;
}

/** Edges between the project's modules reachable from every file in trainer/. */
async function importEdges(): Promise<Map<string, Set<string>>> {
  const edges = new Map<string, Set<string>>();
  for (const file of await sourceFiles(new URL("trainer/", ROOT))) {
    if (edges.has(file)) continue; // already in an earlier graph
    const out = await new Deno.Command(Deno.execPath(), {
      // npm: specifiers rather than node_modules paths (the root deno.json says "manual").
      args: ["info", "--node-modules-dir=none", "--json", fileURLToPath(file)],
      cwd: fileURLToPath(ROOT),
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const modules: Module[] = JSON.parse(new TextDecoder().decode(out.stdout)).modules;
    for (const m of modules) {
      if (!m.specifier.startsWith("file:")) continue;
      const to = new Set<string>();
      for (const d of m.dependencies ?? []) {
        for (const s of [d.code?.specifier, d.type?.specifier]) {
          if (s?.startsWith("file:")) to.add(s);
        }
      }
      edges.set(m.specifier, to);
    }
  }
  return edges;
}

const edges = await importEdges();
const short = (url: string) => url.slice(ROOT.href.length);

Deno.test("trainer modules import no circle", () => {
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const stack: string[] = [];
  const visit = (u: string) => {
    state.set(u, "open");
    stack.push(u);
    for (const v of edges.get(u) ?? []) {
      if (state.get(v) === "open") {
        cycles.push([...stack.slice(stack.indexOf(v)), v].map(short).join(" → "));
      } else if (!state.has(v)) visit(v);
    }
    stack.pop();
    state.set(u, "done");
  };
  for (const u of edges.keys()) if (!state.has(u)) visit(u);
  assert.deepEqual(cycles, []);
});

Deno.test("no module imports a command (a deno task's entry point), nor a library an experiment", async () => {
  const tasks: Record<string, { command: string }> =
    JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))).tasks;
  const entries = new Set(
    Object.values(tasks).flatMap(({ command }) =>
      command.split(/\s+/).filter((w) => /^[\w./-]+\.ts$/.test(w))
        .map((w) => new URL(w, ROOT).href)
    ),
  );
  assert.ok(entries.has(new URL("trainer/main.ts", ROOT).href), "tasks read from deno.json");
  const experiment = (url: string) => short(url).startsWith("trainer/experiments/");
  const upward = [...edges].flatMap(([from, to]) =>
    [...to].filter((t) => entries.has(t) || (experiment(t) && !experiment(from)))
      .map((t) => `${short(from)} → ${short(t)}`)
  );
  assert.deepEqual(upward, []);
});
