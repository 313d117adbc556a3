import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildGenerator } from "../../trainer/architectures.ts";
import {
  checkRoundTrip,
  decodeArtifact,
  dequantizeAll,
  encodeArtifact,
  SHARD_NAME,
} from "@gan-edge/shared/artifact";
import { ArtifactError } from "@gan-edge/shared/schema";
import { latents } from "@gan-edge/shared/prng";
import { modelArtifacts, writeArtifactDir } from "@gan-edge/trainer/export";
import { validMetadata } from "../helpers/fixtures.ts";

await tf.setBackend("cpu");
tf.enableProdMode();

const generator = buildGenerator({
  id: "mlp",
  latentDim: 8,
  output: { kind: "points", dim: 2 },
  generatorHidden: [16],
  discriminatorHidden: [16],
  dropout: 0,
});

const read = (files: Map<string, Uint8Array>) => (p: string) => Promise.resolve(files.get(p)!);

Deno.test("encode → decode round trip, for each quantization", async () => {
  const floats = generator.getWeights().map((w) => w.dataSync() as Float32Array);
  for (const q of ["float32", "float16", "uint8"] as const) {
    const files = await encodeArtifact(
      await modelArtifacts(generator),
      validMetadata(),
      q,
    );
    const decoded = await decodeArtifact(files.get("model.json")!, read(files));
    assert.equal(decoded.metadata.quantization, q);
    assert.equal(decoded.hash.length, 64);
    const back = dequantizeAll(decoded);
    const tolerance = q === "float32" ? 0 : q === "float16" ? 1e-3 : 0.02;
    back.forEach((w, i) =>
      w.forEach((v, j) => assert.ok(Math.abs(v - floats[i][j]) <= tolerance, `${q} weight ${i}`))
    );
  }
});

Deno.test("encoding checks what it wrote: a weight with another weight's uint8 range is refused by name", async () => {
  const files = await encodeArtifact(await modelArtifacts(generator), validMetadata(), "uint8");
  const json = JSON.parse(new TextDecoder().decode(files.get("model.json")!));
  const weights = json.weightsManifest[0].weights;
  const floats = new Float32Array(
    generator.getWeights().flatMap((w) => Array.from(w.dataSync() as Float32Array)),
  );
  checkRoundTrip(weights, files.get(SHARD_NAME)!, floats); // as written: fine
  const kernel = weights.findIndex((w: { shape: number[] }) => w.shape.length === 2);
  const other = weights.findIndex((w: { name: string }, i: number) =>
    i !== kernel && w.name !== weights[kernel].name
  );
  weights[other].quantization = { ...weights[kernel].quantization };
  assert.throws(
    () => checkRoundTrip(weights, files.get(SHARD_NAME)!, floats),
    (e: Error) =>
      e instanceof ArtifactError && e.message.includes(`weight ${weights[other].name}: reads back`),
  );
});

Deno.test("a changed byte or a truncated shard is refused by its SHA-256", async () => {
  const files = await encodeArtifact(
    await modelArtifacts(generator),
    validMetadata(),
    "uint8",
  );
  const shard = files.get(SHARD_NAME)!;
  const flipped = shard.slice();
  flipped[10] ^= 1;
  for (const bad of [flipped, shard.slice(0, shard.length - 4)]) {
    await assert.rejects(
      decodeArtifact(files.get("model.json")!, () => Promise.resolve(bad)),
      (e: Error) =>
        e instanceof ArtifactError &&
        /group1-shard1of1\.bin: SHA-256 mismatch/.test(e.message),
    );
  }
  await assert.rejects(
    decodeArtifact(new TextEncoder().encode("{not json"), read(files)),
    /model\.json: not valid JSON/,
  );
});

Deno.test("stock tf.loadLayersModel loads the artifact over HTTP, outputs match", async () => {
  const dir = await Deno.makeTempDir();
  const files = await encodeArtifact(
    await modelArtifacts(generator),
    validMetadata(),
    "float32",
  );
  await writeArtifactDir(files, `${dir}/model`);
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    async (req) => {
      const name = new URL(req.url).pathname.slice(1);
      if (!files.has(name)) return new Response("not found", { status: 404 });
      return new Response(await Deno.readFile(`${dir}/model/${name}`));
    },
  );
  try {
    const loaded = await tf.loadLayersModel(
      `http://127.0.0.1:${server.addr.port}/model.json`,
    );
    const z = tf.tensor2d(latents(1, 4, 8, "normal"), [4, 8]);
    const [a, b] = [generator.predict(z), loaded.predict(z)] as tf.Tensor[];
    assert.deepEqual(await a.data(), await b.data());
    tf.dispose([z, a, b]);
    loaded.dispose();
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeArtifactDir replaces a previous artifact whole", async () => {
  const dir = await Deno.makeTempDir();
  const target = `${dir}/model`;
  const first = await encodeArtifact(
    await modelArtifacts(generator),
    validMetadata(),
    "uint8",
  );
  const second = await encodeArtifact(
    await modelArtifacts(generator),
    validMetadata(),
    "float32",
  );
  await writeArtifactDir(first, target);
  await writeArtifactDir(second, target);
  const names = [...Deno.readDirSync(dir)].map((e) => e.name);
  assert.deepEqual(names, ["model"]);
  assert.deepEqual(
    await Deno.readFile(`${target}/${SHARD_NAME}`),
    second.get(SHARD_NAME),
  );
  await Deno.remove(dir, { recursive: true });
});
