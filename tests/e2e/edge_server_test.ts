/**
 * The edge as a real process on loopback: with the narrowest permissions
 * (read, net, env; no write, run or ffi) through both entry points
 * (`edge/serve.ts` and `deno serve edge/main.ts`), under a loopback load of
 * 20,000 requests at concurrency 64, and under Deno 2.5 (Deno Deploy's
 * documented runtime), installed from npm into a temporary prefix.
 */
import assert from "node:assert/strict";
import { encodeLatent } from "@gan-edge/shared/api";
import { latents } from "@gan-edge/shared/prng";
import { NARROW, ROOT, start } from "../helpers/edge_server.ts";

async function getJson(url: string) {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return await res.json();
}

/** Resident memory of the server in kB, as it reports it in /healthz. */
async function rssKb(url: string): Promise<number> {
  return (await getJson(`${url}healthz`)).rss / 1024;
}

Deno.test("with only read, net and env, both entry points serve the shipped default model", async () => {
  for (
    const args of [
      [...NARROW, "edge/serve.ts", "--hostname", "127.0.0.1", "--port", "0"],
      ["serve", ...NARROW, "--host", "127.0.0.1", "--port", "0", "edge/main.ts"],
    ]
  ) {
    const server = await start(
      Deno.execPath(),
      ["run", ...args].slice(args[0] === "serve" ? 1 : 0),
    );
    try {
      assert.match(
        server.log(),
        /\(fashion-mnist, model [0-9a-f]{12}, uint8, 10 classes\) on wasm, SIMD on/,
      );
      const health = await getJson(`${server.url}healthz`);
      assert.deepEqual([health.backend, health.simd], ["wasm", true]);
      const body = await getJson(`${server.url}v1/sample?seed=3&n=4&class=Dress`);
      assert.deepEqual(body.shape, [4, 28, 28, 1]);
      const png = await fetch(`${server.url}v1/sample?seed=3&n=10&format=png`);
      assert.equal(png.headers.get("content-type"), "image/png");
      await png.body?.cancel();
    } finally {
      await server.stop();
    }
  }
});

Deno.test("a bad limit in the environment stops start-up naming the variable", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...NARROW, "edge/serve.ts", "--port", "0"],
    cwd: ROOT,
    env: { MAX_N: "lots" },
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /MAX_N: expected an integer in \[1, 1024\]/);
});

Deno.test("loopback load: 20,000 mixed requests at concurrency 64, no 5xx, tensors and memory flat", async () => {
  // A capped V8 heap makes RSS track live memory rather than how lazily the
  // collector returns it, and turns any leak into a crash (dropped requests).
  const server = await start(Deno.execPath(), [
    "run",
    "--v8-flags=--max-old-space-size=64,--max-semi-space-size=2",
    ...NARROW,
    "edge/serve.ts",
    "--hostname",
    "127.0.0.1",
    "--port",
    "0",
  ], { RATE_LIMIT: "0", MODEL_DIR: `${ROOT}/edge/models/ring8` });
  try {
    const paths = (i: number): [string, RequestInit | undefined, number] => {
      const json = { "content-type": "application/json" };
      switch (i % 5) {
        case 0:
          return [`v1/sample?seed=${i}&n=${1 + i % 16}`, undefined, 200];
        case 1:
          return [`v1/sample?z=${encodeLatent(latents(i, 1, 8, "normal"))}`, undefined, 200];
        case 2:
          return ["v1/sample", {
            method: "POST",
            headers: json,
            body: JSON.stringify({ z: [Array.from(latents(i, 1, 8, "normal"))] }),
          }, 200];
        case 3:
          return [`v1/sample?seed=${i}&format=svg`, undefined, 200];
        default:
          return [`v1/sample?sede=${i}`, undefined, 400];
      }
    };
    const run = async (total: number) => {
      const statuses = new Map<number, number>();
      let next = 0;
      const worker = async () => {
        while (next < total) {
          const i = next++;
          const [path, init, expected] = paths(i);
          const res = await fetch(server.url + path, init);
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          assert.equal(res.status, expected, path);
        }
      };
      await Promise.all(Array.from({ length: 64 }, worker));
      return statuses;
    };
    await run(5_000); // warm-up: JIT, allocator, wasm heap, connection pool
    const tensors = (await getJson(`${server.url}healthz`)).tensors;
    const rssBefore = await rssKb(server.url);
    const t0 = performance.now();
    const statuses = await run(20_000);
    const seconds = (performance.now() - t0) / 1000;
    const rssAfter = await rssKb(server.url);
    assert.equal((await getJson(`${server.url}healthz`)).tensors, tensors);
    console.log(
      `20,000 requests in ${seconds.toFixed(1)} s (${(20_000 / seconds).toFixed(0)}/s), ` +
        `statuses ${JSON.stringify(Object.fromEntries(statuses))}, ` +
        `RSS ${(rssBefore / 1024).toFixed(0)} → ${(rssAfter / 1024).toFixed(0)} MiB`,
    );
    assert.equal([...statuses.keys()].filter((s) => s >= 500).length, 0);
    assert.equal([...statuses.values()].reduce((a, b) => a + b), 20_000, "no dropped requests");
    assert.ok(rssAfter < rssBefore * 1.1 + 8 * 1024, `RSS grew ${rssBefore} → ${rssAfter} kB`);
  } finally {
    await server.stop();
  }
});

/**
 * Deno 2.5.x from npm, cached in the temp folder between runs. Returns the
 * platform package's binary itself (`@deno/<platform>/deno`), not npm's
 * `.bin/deno` launcher, which runs it as a child that a kill would miss.
 */
async function deno25(): Promise<string> {
  const prefix = `${Deno.env.get("TMPDIR") ?? "/tmp"}/gan-edge-deno-2.5`;
  const find = async () => {
    let names: string[] = [];
    try {
      names = [...Deno.readDirSync(`${prefix}/node_modules/@deno`)].map((e) => e.name);
    } catch { /* not installed yet */ }
    for (const name of names) {
      const bin = `${prefix}/node_modules/@deno/${name}/deno`;
      try {
        const o = await new Deno.Command(bin, { args: ["--version"] }).output();
        if (/^deno 2\.5\./.test(new TextDecoder().decode(o.stdout))) return bin;
      } catch { /* not this one */ }
    }
    return undefined;
  };
  const cached = await find();
  if (cached) return cached;
  const out = await new Deno.Command("npm", {
    args: ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--silent", "deno@2.5"],
  }).output();
  assert.ok(out.success, `npm install deno@2.5 failed:\n${new TextDecoder().decode(out.stderr)}`);
  const bin = await find();
  assert.ok(bin, `no Deno 2.5 binary under ${prefix}/node_modules/@deno`);
  return bin;
}

async function hasCommand(name: string): Promise<boolean> {
  try {
    return (await new Deno.Command(name, { args: ["--version"] }).output()).success;
  } catch {
    return false;
  }
}
const hasNpm = await hasCommand("npm");

Deno.test({
  name: "under Deno 2.5 (Deno Deploy's runtime) the edge starts with narrow permissions and serves",
  ignore: !hasNpm,
  async fn() {
    const deno = await deno25();
    const server = await start(deno, [
      "serve",
      ...NARROW,
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "edge/main.ts",
    ]);
    try {
      const version = new TextDecoder().decode(
        (await new Deno.Command(deno, { args: ["--version"] }).output()).stdout,
      );
      assert.match(version, /^deno 2\.5\.\d+/);
      assert.match(server.log(), /on wasm, SIMD on/);
      const health = await getJson(`${server.url}healthz`);
      assert.deepEqual([health.backend, health.simd], ["wasm", true]);
      const body = await getJson(`${server.url}v1/sample?seed=3&n=4`);
      assert.deepEqual(body.shape, [4, 28, 28, 1]); // the shipped Fashion-MNIST model
      const page = await (await fetch(server.url)).text();
      assert.match(page, /<title>gan-edge demo<\/title>/);
      // What the page's in-browser generator loads is served under this runtime too.
      const imports = JSON.parse(page.match(/<script type="importmap">([^<]*)</)![1]).imports;
      for (
        const path of [
          "edge/page/stripped/edge/inference.js",
          "edge/page/stripped/kernels/inference/mod.js",
          imports["@tensorflow/tfjs-backend-wasm"].slice(1),
          `models/${health.model}/model.json`,
        ]
      ) {
        const res = await fetch(`${server.url}${path}`);
        assert.equal(res.status, 200, path);
        await res.body?.cancel();
      }
    } finally {
      await server.stop();
    }
  },
});
