/**
 * RESULTS.md and its scripts stay one: every table's command block is its
 * `scripts/results/*.sh` word for word, every command parses with today's
 * flags (a renamed flag fails here, not in a reader's rerun), the shipped
 * models' figures are those in their metadata, and there is no date and no
 * scratch folder.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { type Command, parseFlags } from "@gan-edge/cli";
import { trainClassifierCommand } from "../../trainer/classifier/train.ts";
import { trainCommand } from "../../trainer/config.ts";
import { evalCommand } from "../../trainer/eval/main.ts";
import { imageTableCommand } from "../../trainer/experiments/image_table.ts";
import { toyTableCommand } from "../../trainer/experiments/toy_table.ts";
import { classEmbeddingCommand } from "../../trainer/experiments/class_embedding.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RESULTS = await Deno.readTextFile(`${ROOT}RESULTS.md`);
const SCRIPTS = `${ROOT}scripts/results`;
const HEADER_END = 'cd "$(dirname "$0")/../.."\n\n';

const scripts = new Map<string, string>();
for await (const e of Deno.readDir(SCRIPTS)) {
  if (e.name.endsWith(".sh")) scripts.set(e.name, await Deno.readTextFile(`${SCRIPTS}/${e.name}`));
}

/** A script's commands (comments kept), after its header. */
function scriptBody(name: string, text: string): string {
  assert.ok(text.startsWith("#!/usr/bin/env bash\n"), `${name}: shebang`);
  assert.ok(text.includes("set -euo pipefail\n"), `${name}: stops at the first failure`);
  const at = text.indexOf(HEADER_END);
  assert.ok(at > 0, `${name}: header`);
  return text.slice(at + HEADER_END.length).trimEnd();
}

/** The commands of a script body, continuation lines joined, split into words. */
function commands(body: string): string[][] {
  return body.replace(/\\\n\s*/g, " ").split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .map((line) => line.trim().split(/\s+/));
}

const TASKS: Record<string, Command> = {
  train: trainCommand,
  eval: evalCommand,
  "toy-table": toyTableCommand,
  "image-table": imageTableCommand,
  "train-classifier": trainClassifierCommand,
  "class-embedding": classEmbeddingCommand,
};
/** Commands that only read a model (the shipped one), writing nothing. */
const READ_ONLY = new Set(["class-embedding"]);

Deno.test("every RESULTS.md command block is a script of scripts/results, word for word", () => {
  assert.ok(scripts.size >= 5, `scripts: ${[...scripts.keys()]}`);
  for (const [name, text] of scripts) {
    const block = "`scripts/results/" + name + "`:\n\n```sh\n" + scriptBody(name, text) +
      "\n```";
    assert.ok(RESULTS.includes(block), `RESULTS.md lacks ${name} as it stands`);
  }
  const blocks = RESULTS.match(/```sh\n/g) ?? [];
  assert.equal(blocks.length, scripts.size, "a command block without its script");
});

Deno.test("every command in scripts/results parses with today's flags", () => {
  let count = 0;
  for (const [name, text] of scripts) {
    for (const words of commands(scriptBody(name, text))) {
      const line = `${name}: ${words.join(" ")}`;
      assert.deepEqual(words.slice(0, 2), ["deno", "task"], line);
      const command = TASKS[words[2]];
      assert.ok(command, `${line}: a task RESULTS.md does not expect`);
      const parsed = parseFlags(command, words.slice(3));
      assert.ok(!parsed.help, line);
      // A table's flags after `--` go to every deno task train.
      if (parsed.positionals.length) assert.ok(!parseFlags(trainCommand, parsed.positionals).help);
      const flag = words.includes("--out") ? "--out" : "--model";
      const out = words[words.indexOf(flag) + 1];
      if (READ_ONLY.has(words[2])) assert.match(out, /^edge\/models\//, line);
      else assert.match(out, /^runs\/results\//, `${line}: writes into runs/results/`);
      count++;
    }
  }
  assert.ok(count >= 40, `${count} commands`);
});

Deno.test("RESULTS.md has no dates of work and no scratch folders", () => {
  assert.doesNotMatch(RESULTS, /\b20\d\d-\d\d-\d\d\b/);
  assert.doesNotMatch(RESULTS, /runs\/(?!results\/)/);
  assert.doesNotMatch(RESULTS, /this session/i);
});

Deno.test("RESULTS.md's shipped figures are the shipped models' metadata", async () => {
  const metrics = async (name: string): Promise<Record<string, number>> =>
    JSON.parse(await Deno.readTextFile(`${ROOT}edge/models/${name}/model.json`))
      .userDefinedMetadata.metrics;
  const f = await metrics("fashion-mnist");
  const row = (measure: string) => {
    const line = RESULTS.split("\n").find((l) => l.startsWith(`| ${measure}`));
    assert.ok(line, `RESULTS.md: the row "${measure}"`);
    return line;
  };
  const minus = (x: number, digits: number) => x.toFixed(digits).replace("-", "−");
  assert.ok(
    row("Parzen log-likelihood").includes(
      `${f.parzen_ll.toFixed(1)} ± ${f.parzen_se.toFixed(1)} nats (σ = ${
        f.parzen_sigma.toFixed(3)
      })`,
    ),
  );
  assert.ok(row("Fréchet distance").includes(`| ${f.frechet.toFixed(2)} `));
  assert.ok(row("Fréchet distance").includes(`| ${f.frechet_floor.toFixed(2)} (train vs test`));
  assert.ok(
    row("precision / recall, k = 3, classifier").includes(
      `| ${f.precision.toFixed(2)} / ${f.recall.toFixed(2)} `,
    ),
  );
  const pr = (p: number, r: number) => `${p.toFixed(2)} / ${r.toFixed(2)}`;
  assert.ok(
    row("precision / recall, k = 3, classifier").includes(
      `| ${pr(f.precision_train_test, f.recall_train_test)} (train vs test`,
    ),
  );
  const pixels = row("precision / recall, k = 3, pixels");
  assert.ok(pixels.includes(`| ${f.pixel_precision.toFixed(2)} / ${f.pixel_recall.toFixed(3)} `));
  assert.ok(pixels.includes(`| ${pr(f.pixel_precision_train_test, f.pixel_recall_train_test)} (`));
  const twins = row("near-duplicates");
  assert.ok(twins.includes(`under pixel L2 ${f.near_duplicate_threshold.toFixed(1)} `));
  assert.ok(twins.includes(`| ${(100 * f.near_duplicate_rate).toFixed(1)} % `));
  assert.ok(twins.includes(`| ${(100 * f.near_duplicate_rate_real).toFixed(2)} % (test images`));
  const report = JSON.parse(await Deno.readTextFile(`${ROOT}edge/models/fashion-mnist/eval.json`));
  const { medianNearest, p01Nearest } = report.images.pixels.nearDuplicates;
  assert.ok(
    row("distance to the nearest other sample, median").includes(
      `| ${medianNearest.generated.toFixed(2)} `,
    ),
  );
  assert.ok(row("distance to the nearest").includes(`| ${medianNearest.real.toFixed(2)} (test`));
  assert.ok(RESULTS.includes(`under the 1st\npercentile (${p01Nearest.real.toFixed(2)})`));
  const within = row("within-class diversity");
  assert.ok(within.includes(`| ${f.within_class_distance.toFixed(2)} `));
  assert.ok(within.includes(`| ${f.within_class_distance_real.toFixed(2)} (test images`));
  assert.ok(row("class histogram").includes(`| ${f.class_kl.toFixed(3)} nats`));
  assert.ok(row("label agreement").includes(`| ${(100 * f.label_agreement).toFixed(1)} %`));
  assert.ok(
    row("label agreement").includes(
      `${(100 * f.classifier_accuracy).toFixed(1)} % (the classifier`,
    ),
  );
  assert.ok(
    row("D(x) / D(G(z))").includes(
      `| ${f.D_x.toFixed(3)} / ${f.D_G_z.toFixed(3)} / ${minus(f.V, 3)} `,
    ),
  );
  const r = await metrics("ring8");
  assert.ok(
    RESULTS.includes(
      `${r.modes_captured} of ${r.modes} modes, ${
        (100 * r.high_quality).toFixed(1)
      } % high-quality`,
    ),
  );
  assert.ok(RESULTS.includes(`D(x) ${r.D_x.toFixed(3)}, D(G(z)) ${r.D_G_z.toFixed(3)}`));
});
