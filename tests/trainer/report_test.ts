import assert from "node:assert/strict";
import { clock, progressLine, TrainingProgress } from "../../trainer/report/progress.ts";
import { lineChart, reportHtml } from "../../trainer/report/html.ts";
import type { StepLog } from "../../trainer/loop.ts";

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
