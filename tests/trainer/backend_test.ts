import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { napiLayoutHint, selectBackend } from "../../trainer/backend.ts";

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

Deno.test("auto picks WASM-SIMD (with training kernels) and says why", async () => {
  const dense = await selectBackend("auto");
  assert.equal(dense.name, "wasm");
  assert.match(dense.reason, /WASM-SIMD/);
  const conv = await selectBackend("auto", {
    id: "dcgan",
    latentDim: 8,
    output: { kind: "image", height: 28, width: 28, channels: 1, range: [-1, 1] },
    width: 4,
    dropout: 0,
  });
  assert.match(conv.name, /^(wasm|webgpu)$/);
  assert.match(conv.reason, /^auto: /);
});
