/**
 * The thin slice end to end, through the real commands: train a few steps,
 * export, serve on loopback, request samples.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

async function task(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", ...args],
    cwd: ROOT,
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return {
    code: out.code,
    stdout: decode(out.stdout),
    stderr: decode(out.stderr),
  };
}

/** Starts `deno task serve` and waits for its "Listening on" line. */
async function serve(args: string[], env: Record<string, string> = {}) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "serve", ...args],
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/Listening on (http:\S+)/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server exited before listening:\n${text}`);
    text += value;
  }
  const url = text.match(/Listening on (http:\S+)/)![1].replace(
    "localhost",
    "127.0.0.1",
  );
  return {
    url,
    text,
    async stop() {
      child.kill("SIGTERM");
      await reader.cancel();
      await child.status;
    },
  };
}

Deno.test("train → export → serve → sample, and the same seed gives the same samples", async () => {
  const out = await Deno.makeTempDir({ prefix: "gan-edge-run-" });
  try {
    const trained = await task([
      "train",
      "--dataset",
      "ring8",
      "--steps",
      "30",
      "--out",
      out,
      "--log-every",
      "10",
    ]);
    assert.equal(trained.code, 0, trained.stderr);
    assert.match(
      trained.stdout,
      /\[30\/30\] Loss_D: [\d.]+ Loss_G: [\d.]+ D\(x\): [\d.]+ D\(G\(z\)\): [\d.]+/,
    );
    const log = (await Deno.readTextFile(`${out}/log.jsonl`)).trim().split("\n")
      .map((l) => JSON.parse(l));
    const steps = log.filter((l) => !l.summary);
    assert.equal(steps.length, 30);
    assert.ok(steps.every((l) => Number.isFinite(l.loss_D) && Number.isFinite(l.V)));
    assert.equal(log.filter((l) => l.summary === "epoch").length, 1);

    const exported = await task([
      "export",
      "--run",
      out,
      "--quantize",
      "uint8",
    ]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(
      exported.stdout,
      /uint8; max \|Δ\| vs float32 [\d.e+-]+, mean [\d.e+-]+ over 256 latents/,
    );
    const meta = JSON.parse(await Deno.readTextFile(`${out}/model/model.json`))
      .userDefinedMetadata;
    assert.equal(meta.quantization, "uint8");
    assert.equal(meta.training.steps, 30);

    const evaluated = await task(["eval", "--model", `${out}/model`, "--json"]);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    const report = JSON.parse(evaluated.stdout.trim().split("\n").at(-1)!);
    assert.equal(report.modes.samples, 2500);
    assert.equal(report.modes.modes, 8);
    assert.deepEqual(
      JSON.parse(await Deno.readTextFile(`${out}/model/eval.json`)),
      report,
    );

    const server = await serve([
      "--model",
      `${out}/model`,
      "--hostname",
      "127.0.0.1",
    ], { PORT: "0" });
    try {
      assert.match(server.text, new RegExp(`serving ${out}/model \\(ring8`));
      assert.match(server.text, /on wasm, SIMD on/);
      const get = async (q: string) => {
        const res = await fetch(`${server.url}v1/sample?${q}`);
        assert.equal(res.status, 200);
        return await res.json();
      };
      const a = await get("seed=3&n=16");
      assert.deepEqual(a.shape, [16, 2]);
      assert.equal(a.samples.length, 16);
      assert.deepEqual(a, await get("seed=3&n=16"));
      assert.notDeepEqual(a.samples, (await get("seed=4&n=16")).samples);
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("serve refuses a bad model folder or port with a clear message", async () => {
  const bad = await new Deno.Command(Deno.execPath(), {
    args: ["task", "serve", "--model", "/nonexistent/model"],
    cwd: ROOT,
  }).output();
  assert.equal(bad.code, 1);
  assert.match(
    new TextDecoder().decode(bad.stderr),
    /cannot serve: .*model\.json: cannot read/,
  );

  const badPort = await task(["serve", "--port", "http"]);
  assert.equal(badPort.code, 2);
  assert.match(
    badPort.stderr,
    /--port: expected an integer ≥ 0 and ≤ 65535, got "http"/,
  );
});

Deno.test("train refuses bad flags with the flag's name and exit code 2", async () => {
  const r = await task(["train", "--steps", "many"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--steps: expected an integer ≥ 1, got "many"/);
});
