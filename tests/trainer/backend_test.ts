import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import type { ArchitectureSpec } from "../../trainer/architectures.ts";
import {
  fasterBackend,
  napiLayoutHint,
  selectBackend,
  timedChoice,
} from "../../trainer/backend.ts";
import { stepMilliseconds } from "../../trainer/step_probe.ts";

Deno.test("tfjs-node under Deno: libtensorflow in napi-v10 but the addon in napi-v8 gets the fix", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/napi-v10`);
  await Deno.mkdir(`${dir}/napi-v8`);
  await Deno.writeTextFile(`${dir}/napi-v10/libtensorflow.so.2`, "");
  const lib = pathToFileURL(`${dir}/`);
  assert.match(
    await napiLayoutHint(lib),
    /installed into lib\/napi-v10, but the addon loads from lib\/napi-v8/,
  );
  assert.match(await napiLayoutHint(lib), /cp -a .*napi-v10\/\. .*napi-v8\//);
  await Deno.writeTextFile(`${dir}/napi-v8/libtensorflow.so.2`, "");
  assert.equal(await napiLayoutHint(lib), "");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--backend tensorflow without its native binding stops with how to install it", async () => {
  await assert.rejects(selectBackend("tensorflow"), (e: Error) => {
    assert.match(e.message, /CUDA 11\.2 and cuDNN 8\.1/);
    assert.match(e.message, /deno approve-scripts npm:@tensorflow\/tfjs-node-gpu/);
    assert.match(e.message, /README "CUDA backend"/);
    return true;
  });
});

Deno.test("auto without a model, or without a hardware GPU, picks WASM-SIMD and says why", async () => {
  const plain = await selectBackend("auto");
  assert.equal(plain.name, "wasm");
  assert.match(plain.reason, /WASM-SIMD/);
  const adapter = await navigator.gpu?.requestAdapter();
  if (adapter && !adapter.info.isFallbackAdapter) return; // a GPU machine: measured, below
  const conv = await selectBackend("auto", TINY_DCGAN, 4);
  assert.equal(conv.name, "wasm");
  assert.match(
    conv.reason,
    adapter ? /^auto: no hardware GPU \(WebGPU has only the software adapter .+\)/ : /no adapter/,
  );
});

const TINY_DCGAN: ArchitectureSpec = {
  id: "dcgan",
  latentDim: 8,
  output: { kind: "image", height: 28, width: 28, channels: 1, range: [-1, 1] },
  width: 4,
  dropout: 0,
  numClasses: 3,
};

Deno.test("auto with a hardware GPU takes the backend whose measured step is faster", () => {
  const faster = fasterBackend({ webgpu: 924.5, wasm: 1415.2 }, "NVIDIA H200", 64);
  assert.deepEqual(faster, {
    name: "webgpu",
    reason: "auto: webgpu is faster here (webgpu on NVIDIA H200 925 ms, wasm 1415 ms " +
      "per D+G step at batch 64, measured now)",
  });
  const slower = fasterBackend({ webgpu: 9.25, wasm: 3.5 }, "a GPU", 256);
  assert.equal(slower.name, "wasm");
  assert.match(slower.reason, /^auto: wasm is faster here \(webgpu on a GPU 9\.3 ms, wasm 3\.5 ms/);
  // A tie keeps wasm: the GPU must win to be chosen.
  assert.equal(fasterBackend({ webgpu: 5, wasm: 5 }, "a GPU", 64).name, "wasm");
});

Deno.test("stepMilliseconds times the trainer's D+G step and frees what it makes", async () => {
  await selectBackend("wasm");
  const before = tf.memory().numTensors;
  const ms = await stepMilliseconds(TINY_DCGAN, 4, { warmup: 1, runs: 1 });
  assert.ok(Number.isFinite(ms) && ms > 0, `${ms}`);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test({
  name: "auto's measured choice times both backends and leaves the faster active",
  ignore: !(await navigator.gpu?.requestAdapter()),
  async fn() {
    // Any adapter will do to exercise the path (here the software one, passed as the GPU).
    const choice = await timedChoice(TINY_DCGAN, 4, "the test adapter");
    assert.equal(tf.getBackend(), choice.name);
    assert.match(
      choice.reason,
      /^auto: (webgpu|wasm) is faster here \(webgpu on the test adapter [\d.]+ ms, wasm [\d.]+ ms per D\+G step at batch 4, measured now\)$/,
    );
  },
});
