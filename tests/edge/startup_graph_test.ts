/**
 * The edge's module graph. tfjs-layers stays off its start-up path (issue
 * #7): evaluating it and `loadLayersModel` cost ~20 ms of a cold start, and
 * the edge compiles its artifact without them (edge/inference.ts). So do the
 * training kernels: the edge registers only `@gan-edge/kernels/inference`.
 * And every module it loads is in deno.json's deploy `include`, so that a
 * deploy (which uploads only those paths) starts.
 */
import assert from "node:assert/strict";

interface Graph {
  modules: { specifier: string; npmPackage?: string }[];
  /** Every package of the lockfile's resolution, reachable or not. */
  npmPackages: Record<string, { dependencies?: string[] }>;
}

const ROOT = new URL("../../", import.meta.url);

/** The module specifiers of `entry`'s graph, and the npm packages it reaches. */
async function moduleGraph(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    // npm: specifiers rather than node_modules paths (the root deno.json says "manual").
    args: ["info", "--node-modules-dir=none", "--json", entry],
    cwd: ROOT.pathname,
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

/** Whether deploy path pattern `pattern` (a file, a folder ending in /, `*` within a name) holds `path`. */
function matches(pattern: string, path: string): boolean {
  const re = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/]*");
  return new RegExp(`^${re}${pattern.endsWith("/") ? "" : "$"}`).test(path);
}

for (const entry of ["edge/serve.ts", "edge/main.ts"]) {
  Deno.test(`${entry}'s module graph contains neither tfjs-layers nor the training kernels`, async () => {
    const graph = await moduleGraph(entry);
    assert.ok(graph.some((s) => s.includes("tfjs-core")), `${entry}: expected tfjs-core`);
    assert.ok(graph.some((s) => s.includes("/kernels/inference/")), `${entry}: expected kernels`);
    assert.deepEqual(graph.filter((s) => s.includes("tfjs-layers")), []);
    assert.deepEqual(graph.filter((s) => s.includes("/kernels/training/")), []);
  });

  Deno.test(`${entry}'s graph reaches no npm package of training, bench or tests`, async () => {
    // What a first serve downloads (tests/edge/lean_serve_test.ts): these are 480 MB unpacked.
    const tools = [
      "onnxruntime-web",
      "playwright-core",
      "@tensorflow/tfjs",
      "@tensorflow/tfjs-node-gpu",
      "@tensorflow/tfjs-backend-webgl",
      "@redocly/openapi-core",
    ];
    const graph = await moduleGraph(entry);
    assert.deepEqual(graph.filter((s) => tools.some((t) => s.startsWith(`${t}@`))), []);
  });

  Deno.test(`${entry}'s local modules are all in deno.json's deploy include`, async () => {
    const { deploy } = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
    const local = (await moduleGraph(entry))
      .filter((s) => s.startsWith(ROOT.href))
      .map((s) => s.slice(ROOT.href.length));
    assert.ok(local.includes(entry), `${entry}: expected itself in its graph`);
    const shipped = (path: string) =>
      deploy.include.some((p: string) => matches(p, path)) &&
      !deploy.exclude.some((p: string) => matches(p, path));
    assert.deepEqual(local.filter((path) => !shipped(path)), []);
  });
}
