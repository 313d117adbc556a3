import assert from "node:assert/strict";
import { decodeArtifact } from "@gan-edge/shared/artifact";
import { recordMetrics } from "../../trainer/export.ts";
import { copyOfShippedModel } from "../helpers/fixtures.ts";

Deno.test("recordMetrics writes evaluation metrics into the metadata; the artifact stays valid", async () => {
  const dir = await copyOfShippedModel();
  await recordMetrics(dir, { modes_captured: 8, high_quality: 0.83 });
  const read = (name: string) => Deno.readFile(`${dir}/${name}`);
  const decoded = await decodeArtifact(await read("model.json"), read);
  assert.equal(decoded.metadata.metrics.modes_captured, 8);
  assert.equal(decoded.metadata.metrics.high_quality, 0.83);
  // A value the schema refuses (NaN is not JSON) leaves model.json as it was.
  const before = await Deno.readTextFile(`${dir}/model.json`);
  await assert.rejects(recordMetrics(dir, { broken: NaN }), /userDefinedMetadata\.metrics\.broken/);
  assert.equal(await Deno.readTextFile(`${dir}/model.json`), before);
  const names = [...Deno.readDirSync(dir)].map((e) => e.name);
  assert.ok(!names.some((n) => n.includes(".tmp-")), `left behind: ${names}`);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("deno task eval --record puts the headline metrics into the model's metadata", async () => {
  const dir = await copyOfShippedModel();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "eval", "--model", dir, "--record", "--json"],
    cwd: new URL("../../", import.meta.url),
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const report = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
  const { metrics } = JSON.parse(await Deno.readTextFile(`${dir}/model.json`)).userDefinedMetadata;
  assert.equal(metrics.modes_captured, report.modes.captured);
  assert.equal(metrics.high_quality, report.modes.highQuality);
  assert.equal(metrics.reverse_kl, report.modes.reverseKl);
  await Deno.remove(dir, { recursive: true });
});
