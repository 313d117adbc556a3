/**
 * The generators shipped in edge/models (the edge's embedded defaults): each
 * valid, quantized, at most 1 MiB, carrying the headline metrics of the
 * eval.json beside it (measured with the papers' protocols), and shown in the
 * README with its sample picture.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { decodeArtifact } from "@gan-edge/shared/artifact";
import { type EvalReport, headlineMetrics } from "../../trainer/eval/evaluate.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const README = await Deno.readTextFile(`${ROOT}README.md`);

const SHIPPED = [
  { name: "fashion-mnist", quantization: "uint8", picture: "samples.png" },
  { name: "ring8", quantization: "float16", picture: "samples.svg" },
];

for (const { name, quantization, picture } of SHIPPED) {
  Deno.test(`shipped ${name}: valid, ${quantization}, ≤ 1 MiB, metrics = eval.json, in README`, async () => {
    const dir = `${ROOT}edge/models/${name}`;
    let bytes = 0;
    const read = async (file: string) => {
      const b = await Deno.readFile(`${dir}/${file}`);
      bytes += b.length;
      return b;
    };
    const { metadata, modelArtifacts } = await decodeArtifact(await read("model.json"), read);
    assert.ok(bytes <= 1024 * 1024, `${name}: ${bytes} bytes`);
    assert.equal(metadata.quantization, quantization);
    for (const w of modelArtifacts.weightSpecs!) {
      assert.equal(w.quantization?.dtype, quantization, `${name}: ${w.name}`);
    }
    const report: EvalReport = JSON.parse(await Deno.readTextFile(`${dir}/eval.json`));
    assert.deepEqual(metadata.metrics, headlineMetrics(report));
    assert.ok(report.diagnostics, `${name}: D(x) and D(G(z)) of its run`);
    if (report.modes) {
      assert.equal(report.modes.samples, 2500);
    } else {
      assert.equal(report.images!.parzen!.samples, 10_000);
      assert.equal(report.images!.parzen!.validation, 1_000);
      assert.equal(report.images!.parzen!.test, 10_000);
      assert.equal(metadata.classNames?.length, 10);
    }
    await Deno.stat(`${dir}/${picture}`);
    assert.ok(README.includes(`](edge/models/${name}/${picture})`), `${name}: README picture`);
  });
}

Deno.test("edge/models holds the shipped generators only (the deploy ships no classifier)", async () => {
  const found = [];
  for await (const e of Deno.readDir(`${ROOT}edge/models`)) found.push(e.name);
  assert.deepEqual(found.sort(), SHIPPED.map((s) => s.name).sort());
  // The classifier of the image metrics, with the trainer.
  await Deno.stat(`${ROOT}trainer/classifier/models/fashion-mnist/classifier.json`);
  const report: EvalReport = JSON.parse(
    await Deno.readTextFile(`${ROOT}edge/models/fashion-mnist/eval.json`),
  );
  await Deno.stat(`${ROOT}${report.images!.classifier.dir}/model.json`);
});
