/**
 * tfjs-layers stays off the edge's start-up path (issue #7): evaluating it
 * and `loadLayersModel` cost ~20 ms of a cold start, and the edge compiles
 * its artifact without them (edge/inference.ts).
 */
import assert from "node:assert/strict";

interface Graph {
  modules: { specifier: string; npmPackage?: string }[];
  /** Every package of the lockfile's resolution, reachable or not. */
  npmPackages: Record<string, { dependencies?: string[] }>;
}

/** The module specifiers of `entry`'s graph, and the npm packages it reaches. */
async function moduleGraph(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: new URL("../../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const graph: Graph = JSON.parse(new TextDecoder().decode(out.stdout));
  const packages = new Set<string>();
  const reach = (pkg: string) => {
    if (packages.has(pkg)) return;
    packages.add(pkg);
    graph.npmPackages[pkg]?.dependencies?.forEach(reach);
  };
  graph.modules.forEach((m) => m.npmPackage && reach(m.npmPackage));
  return [...graph.modules.map((m) => m.specifier), ...packages];
}

for (const entry of ["edge/serve.ts", "edge/main.ts"]) {
  Deno.test(`${entry}'s module graph does not contain tfjs-layers`, async () => {
    const graph = await moduleGraph(entry);
    assert.ok(graph.some((s) => s.includes("tfjs-core")), `${entry}: expected tfjs-core`);
    assert.deepEqual(graph.filter((s) => s.includes("tfjs-layers")), []);
  });
}
