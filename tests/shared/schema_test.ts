import assert from "node:assert/strict";
import { ArtifactError, parseModelJson } from "@gan-edge/shared/schema";
import { readModelJson, SHIPPED_RING8 } from "../helpers/fixtures.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

async function shipped(): Promise<Json> {
  return await readModelJson(SHIPPED_RING8) as Json;
}

function rejects(json: unknown, message: RegExp) {
  assert.throws(() => parseModelJson(json), (e: Error) => {
    assert.ok(e instanceof ArtifactError, `expected ArtifactError, got ${e}`);
    assert.match(e.message, message);
    return true;
  });
}

Deno.test("the shipped model.json passes the schema", async () => {
  const parsed = parseModelJson(await shipped());
  assert.equal(parsed.userDefinedMetadata.output.kind, "points");
  assert.equal(parsed.userDefinedMetadata.formatVersion.split(".")[0], "1");
});

Deno.test("a bad latent dim is named with its full path", async () => {
  const json = await shipped();
  json.userDefinedMetadata.latent.dim = -3;
  rejects(
    json,
    /^userDefinedMetadata\.latent\.dim: expected positive integer$/,
  );
  json.userDefinedMetadata.latent.dim = "8";
  rejects(json, /userDefinedMetadata\.latent\.dim: expected positive integer/);
});

Deno.test("every bad field is named, not just the first", async () => {
  const json = await shipped();
  json.userDefinedMetadata.latent.distribution = "cauchy";
  json.userDefinedMetadata.output = {
    kind: "image",
    height: 28,
    width: 28,
    channels: 2,
    range: [0, 1],
  };
  delete json.userDefinedMetadata.training.seed;
  rejects(
    json,
    /userDefinedMetadata\.latent\.distribution: expected "normal" or "uniform"/,
  );
  rejects(json, /userDefinedMetadata\.output\.channels: expected 1 or 3/);
  rejects(json, /userDefinedMetadata\.output\.range/);
  rejects(json, /userDefinedMetadata\.training\.seed/);
});

Deno.test("an unknown major format version is refused with a clear message", async () => {
  const json = await shipped();
  json.userDefinedMetadata.formatVersion = "2.0.0";
  rejects(json, /formatVersion: unsupported major version 2 .*reads 1\.x/);
  json.userDefinedMetadata.formatVersion = "1.7.3"; // newer minor: accepted
  parseModelJson(json);
});

Deno.test("shard paths must be plain file names, and each must be hashed", async () => {
  const json = await shipped();
  json.weightsManifest[0].paths = ["../../etc/passwd.bin"];
  rejects(json, /weightsManifest\.0\.paths\.0: expected a plain file name/);
  const other = await shipped();
  other.userDefinedMetadata.shards[0].sha256 = "abc";
  rejects(
    other,
    /userDefinedMetadata\.shards\.0\.sha256: expected 64 lowercase hex digits/,
  );
  const missing = await shipped();
  missing.weightsManifest[0].paths = ["other.bin"];
  rejects(
    missing,
    /userDefinedMetadata\.shards: expected a hash for each of \[other\.bin\]/,
  );
});

Deno.test("not a layers model at all", () => {
  rejects({ format: "graph-model" }, /format: expected "layers-model"/);
  rejects(null, /\(root\)/);
});

Deno.test("metrics: named ones checked (shares in [0, 1]), other names kept as numbers", async () => {
  const json = await shipped();
  // The shipped ring8 model's metrics (modes, HQ, D(x), …) as recorded before the names.
  const before = { ...json.userDefinedMetadata.metrics };
  assert.equal(parseModelJson(json).userDefinedMetadata.metrics.modes_captured, 8);
  json.userDefinedMetadata.metrics = {
    ...before,
    near_duplicate_rate: 0.389,
    near_duplicate_rate_real: 0.0004,
    near_duplicate_threshold: 1,
    pixel_recall: 0.02,
    some_later_metric: 3.5,
  };
  const metrics = parseModelJson(json).userDefinedMetadata.metrics;
  assert.equal(metrics.near_duplicate_rate, 0.389);
  assert.equal(metrics.some_later_metric, 3.5);
  json.userDefinedMetadata.metrics.near_duplicate_rate = 38.9; // a percentage, not a share
  rejects(json, /userDefinedMetadata\.metrics\.near_duplicate_rate: expected a share in \[0, 1\]/);
  json.userDefinedMetadata.metrics.near_duplicate_rate = 0.389;
  json.userDefinedMetadata.metrics.some_later_metric = "high";
  rejects(json, /userDefinedMetadata\.metrics\.some_later_metric/);
});
