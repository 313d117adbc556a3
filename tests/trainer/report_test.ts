import assert from "node:assert/strict";
import { clock, progressLine, TrainingProgress } from "../../trainer/report/progress.ts";
import { lineChart, reportHtml } from "../../trainer/report/html.ts";
import type { StepLog } from "../../trainer/loop.ts";
import { samplePicture } from "../../trainer/report/samples.ts";
import { pngGrid } from "@gan-edge/shared/render/png";

const log = (step: number): StepLog => ({
  step,
  epoch: 1,
  loss_D: 1.25,
  loss_G: 0.75,
  D_x: 0.6,
  D_G_z: 0.4,
  V: -1.25,
  JSD: (-1.25 + Math.log(4)) / 2,
  grad_norm_D: 1,
  grad_norm_G: 2,
  samples_per_sec: 1000,
  tensors: 10,
});

function sink(isTerminal: boolean) {
  const out: string[] = [];
  return { out, sink: { write: (t: string) => void out.push(t), isTerminal } };
}

Deno.test("plain progress: one pytorch-style line every --log-every steps and at the end", () => {
  const { out, sink: s } = sink(false);
  const p = new TrainingProgress(0, 25, 10, s);
  for (let i = 1; i <= 25; i++) p.update(log(i));
  assert.deepEqual(out.map((l) => l.match(/^\[(\d+)\/25\]/)?.[1]), ["10", "20", "25"]);
  assert.equal(
    out[0],
    "[10/25] Loss_D: 1.2500 Loss_G: 0.7500 D(x): 0.6000 D(G(z)): 0.4000 V: -1.2500 (1000 samples/s)\n",
  );
});

Deno.test("terminal progress: a bar redrawn in place with elapsed<ETA", () => {
  const { out, sink: s } = sink(true);
  const p = new TrainingProgress(0, 4, 1, s);
  p.update(log(4));
  assert.match(out[0], /^\r\[#{24}\] 4\/4 \d+:\d\d<0:00 Loss_D 1\.2500/);
  p.message("done");
  assert.equal(out[1], "\r\x1b[Kdone\n");
});

Deno.test("clock formats m:ss and h:mm:ss", () => {
  assert.equal(clock(5), "0:05");
  assert.equal(clock(125), "2:05");
  assert.equal(clock(3725), "1:02:05");
  assert.equal(progressLine({ ...log(1), V: null }, 1).includes("V: -"), true);
});

Deno.test("the report charts losses, D against ½ and V against −log 4, and lists the samples", () => {
  const logs = Array.from({ length: 1000 }, (_, i) => log(i + 1));
  const html = reportHtml("run", logs, [{ epoch: 1, file: "samples/epoch-0001.png" }], {
    loss: "ns",
  });
  assert.match(html, /<figcaption>Losses<\/figcaption>/);
  assert.match(html, /½ \(optimum\)/);
  assert.match(html, /−log 4 \(optimum\)/);
  assert.match(html, /<img src="samples\/epoch-0001\.png"/);
  // Long runs are thinned to at most ~400 points a line.
  const chart = lineChart("x", logs.map((l) => l.step), [{
    label: "a",
    values: logs.map((l) => l.loss_D),
  }]);
  const points = chart.match(/points="([^"]*)"/)![1].split(" ");
  assert.ok(points.length <= 400, `${points.length} points`);
  assert.equal(lineChart("empty", [], []), "");
  // Without V (non-minimax losses) there is no V chart.
  assert.doesNotMatch(reportHtml("run", logs.map((l) => ({ ...l, V: null })), [], {}), /V\(G, D\)/);
});

Deno.test("samplePicture (training report and eval alike): a row per class, 8×8, or points", () => {
  const output = {
    kind: "image" as const,
    height: 2,
    width: 2,
    channels: 1 as const,
    range: [-1, 1] as [-1, 1],
  };
  // 35 images of 4 pixels, image i filled with i / 100, labels i mod 3 (the eval's order).
  const n = 35;
  const x = Float32Array.from({ length: n * 4 }, (_, j) => Math.floor(j / 4) / 100);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  // Row r holds the first 10 images of class r: r, r + 3, r + 6, …
  const expected = new Float32Array(30 * 4);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 10; c++) {
      expected.fill((r + 3 * c) / 100, (r * 10 + c) * 4, (r * 10 + c + 1) * 4);
    }
  }
  const picture = samplePicture(x, output, { labels, classes: 3 });
  assert.equal(picture.ext, "png");
  assert.deepEqual(picture.bytes, pngGrid(expected, 30, [2, 2, 1], 10));
  // Too few of a class for its row: refused, naming the class.
  assert.throws(
    () => samplePicture(x.subarray(0, 20 * 4), output, { labels, classes: 3 }),
    /class 0 has 7 of the 10 images/,
  );
  // Unconditional: the first 64 images, 8 a row.
  const many = Float32Array.from({ length: 70 * 4 }, (_, j) => (j % 7) / 7);
  assert.deepEqual(
    samplePicture(many, output).bytes,
    pngGrid(many.subarray(0, 64 * 4), 64, [2, 2, 1], 8),
  );
  assert.throws(() => samplePicture(x, output), /needs 64 images, got 35/);
  // Points: the first 1,000 as a scatter.
  const points = samplePicture(new Float32Array(2 * 1500), { kind: "points", dim: 2 });
  assert.equal(points.ext, "svg");
  assert.match(new TextDecoder().decode(points.bytes), /^<svg/);
});
