/**
 * A first serve installs only what serving imports. `deno task serve`, run
 * from a fresh copy of the repository with an empty DENO_DIR, downloads
 * exactly the npm packages of edge/serve.ts's module graph, none of the
 * training, bench or test tools, in about 13 MB of tarballs. With
 * `nodeModulesDir: "auto"` the task runner installs every package of the
 * workspace's lock before any task (denoland/deno#30887): 154 tarballs,
 * 101 MB, 508 MB unpacked. So the root deno.json says "manual", and the serve
 * task first runs install-serve, which installs its entry point's packages
 * (`deno install --entrypoint edge/serve.ts`).
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const HEAVY = [
  "onnxruntime-web",
  "playwright-core",
  "@tensorflow/tfjs",
  "@tensorflow/tfjs-node-gpu",
  "@tensorflow/tfjs-backend-webgl",
  "@tensorflow/tfjs-backend-webgpu",
  "@tensorflow/tfjs-layers",
  "@redocly/openapi-core",
];

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** The npm packages (name@version) that `entry`'s module graph reaches. */
async function graphPackages(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    // npm: specifiers rather than node_modules paths (the root deno.json says "manual").
    args: ["info", "--node-modules-dir=none", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, text(out.stderr));
  const graph = JSON.parse(text(out.stdout));
  const reached = new Set<string>();
  const reach = (id: string) => {
    if (reached.has(id)) return;
    reached.add(id);
    graph.npmPackages[id]?.dependencies?.forEach(reach);
  };
  for (const m of graph.modules) if (m.npmPackage) reach(m.npmPackage);
  // Ids carry peer suffixes: `@tensorflow/tfjs-backend-cpu@4.22.0_@tensorflow+tfjs-core@4.22.0`.
  return [...reached].map((id) => id.split("_")[0]).sort();
}

/**
 * Bytes of the regular files under `dirs`, as `du` counts them: symbolic
 * links not followed, a hard-linked file once (node_modules links into DENO_DIR).
 */
async function diskBytes(...dirs: string[]): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      if (!entry.isFile) continue;
      const { dev, ino, size } = await Deno.stat(path);
      if (seen.has(`${dev}:${ino}`)) continue;
      seen.add(`${dev}:${ino}`);
      total += size;
    }
  };
  for (const dir of dirs) {
    await walk(dir).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
  }
  return total;
}

/** Copies the repository's files that git tracks or would track into `dest`. */
async function copyRepository(dest: string) {
  const out = await new Deno.Command("git", {
    args: ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  assert.ok(out.success);
  for (const path of text(out.stdout).split("\0").filter(Boolean)) {
    const from = new URL(path, ROOT);
    if (!(await Deno.stat(from).then((s) => s.isFile, () => false))) continue; // deleted
    await Deno.mkdir(`${dest}/${path.split("/").slice(0, -1).join("/")}`, { recursive: true });
    await Deno.copyFile(from, `${dest}/${path}`);
  }
}

const registry = await fetch("https://registry.npmjs.org/hono", {
  method: "HEAD",
  signal: AbortSignal.timeout(5000),
}).then((r) => r.ok, () => false);
if (!registry) console.warn("lean_serve_test: registry.npmjs.org unreachable; test ignored");

Deno.test({
  name: "a fresh serve downloads only the npm packages serving imports (no bench or test tools)",
  ignore: !registry,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "gan-edge-fresh-" });
    try {
      await copyRepository(`${tmp}/repo`);
      const t0 = performance.now();
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["task", "serve", "--help"],
        cwd: `${tmp}/repo`,
        env: { DENO_DIR: `${tmp}/deno_dir`, NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const seconds = (performance.now() - t0) / 1000;
      const log = text(out.stderr);
      assert.ok(out.success, log);
      assert.match(text(out.stdout), /Usage: deno task serve/);
      // "Download https://registry.npmjs.org/@scope/name/-/name-1.2.3.tgz" → "@scope/name@1.2.3"
      const downloaded = [
        ...log.matchAll(/^Download \S+?\/((?:@[^/]+\/)?[^/@]+)\/-\/\S+-(\d[^/]*)\.tgz$/gm),
      ]
        .map(([, name, version]) => `${name}@${version}`).sort();
      assert.deepEqual(downloaded, await graphPackages("edge/serve.ts"));
      const names = downloaded.map((p) => p.slice(0, p.lastIndexOf("@")));
      assert.deepEqual(names.filter((n) => HEAVY.includes(n)), []);
      const mb = await diskBytes(`${tmp}/deno_dir`, `${tmp}/repo/node_modules`) / 1e6;
      console.log(
        `fresh serve: ${downloaded.length} npm packages, ${mb.toFixed(0)} MB on disk, ` +
          `${seconds.toFixed(1)} s`,
      );
      // Measured: 19 packages, 88 MB unpacked (tfjs-core alone is 40 MB), 3-5 s.
      assert.ok(downloaded.length <= 25, `${downloaded.length} packages`);
      assert.ok(mb < 120, `${mb.toFixed(0)} MB`);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
