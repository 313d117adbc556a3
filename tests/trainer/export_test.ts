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
