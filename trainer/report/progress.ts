/**
 * Training progress: a bar with ETA redrawn in place on a terminal, plain
 * `[step/steps] Loss_D … D(G(z)) …` lines every `--log-every` steps otherwise
 * (pytorch/examples dcgan's fields), so that logs stay readable in files.
 *
 * @module
 */
import { type ProgressSink, stdoutSink } from "../data/progress.ts";
import type { StepLog } from "../loop.ts";

const f = (v: number | null) => (v === null ? "-" : v.toFixed(4));

/** `seconds` as h:mm:ss or m:ss. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h ? 2 : 1, "0");
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** The plain progress line of one step. */
export function progressLine(log: StepLog, steps: number): string {
  return `[${log.step}/${steps}] Loss_D: ${f(log.loss_D)} Loss_G: ${f(log.loss_G)} ` +
    `D(x): ${f(log.D_x)} D(G(z)): ${f(log.D_G_z)} V: ${f(log.V)} ` +
    `(${Math.round(log.samples_per_sec)} samples/s)`;
}

/** Reports steps `from + 1 … steps` to a sink. */
export class TrainingProgress {
  #started = performance.now();
  #lastDraw = 0;

  constructor(
    readonly from: number,
    readonly steps: number,
    readonly logEvery: number,
    readonly sink: ProgressSink = stdoutSink(),
  ) {}

  /** After each step. */
  update(log: StepLog): void {
    if (!this.sink.isTerminal) {
      if (log.step % this.logEvery === 0 || log.step === this.steps) {
        this.sink.write(progressLine(log, this.steps) + "\n");
      }
      return;
    }
    const now = performance.now();
    if (now - this.#lastDraw < 100 && log.step !== this.steps) return;
    this.#lastDraw = now;
    const done = log.step - this.from;
    const elapsed = (now - this.#started) / 1000;
    const eta = done > 0 ? (elapsed / done) * (this.steps - log.step) : 0;
    const fraction = log.step / this.steps;
    const bar = "#".repeat(Math.round(fraction * 24)).padEnd(24, ".");
    this.sink.write(
      `\r[${bar}] ${log.step}/${this.steps} ${clock(elapsed)}<${clock(eta)} ` +
        `Loss_D ${f(log.loss_D)} Loss_G ${f(log.loss_G)} D(x) ${f(log.D_x)} D(G(z)) ${
          f(log.D_G_z)
        }\x1b[K`,
    );
  }

  /** Prints a message on its own line (ending a bar in progress). */
  message(text: string): void {
    this.sink.write((this.sink.isTerminal ? "\r\x1b[K" : "") + text + "\n");
  }
}
