/**
 * A download progress bar: redrawn in place on a terminal, plain lines (one
 * per 10 %) when output goes to a file or a pipe, so logs stay readable.
 * Hand-written because it is 50 lines and must write to any sink (tests
 * capture it); npm's bars assume Node's process.stdout.
 *
 * @module
 */

/** Where a bar writes, and whether that is a terminal. */
export interface ProgressSink {
  write(text: string): void;
  isTerminal: boolean;
}

/** Standard output, as a {@link ProgressSink}. */
export function stdoutSink(): ProgressSink {
  const encoder = new TextEncoder();
  return {
    write: (text) => Deno.stdout.writeSync(encoder.encode(text)),
    isTerminal: Deno.stdout.isTerminal(),
  };
}

/** `bytes` (out of `total`, when given) in kB below 1 MB, else in MB. */
function amount(bytes: number, total?: number): string {
  const [unit, scale] = (total ?? bytes) < 1e6 ? ["kB", 1e3] : ["MB", 1e6];
  const n = (v: number) => (v / scale).toFixed(1);
  return total === undefined ? `${n(bytes)} ${unit}` : `${n(bytes)}/${n(total)} ${unit}`;
}

/** One progress bar for `label` over `total` bytes (null when unknown). */
export class ProgressBar {
  #lastStep = -1;
  #lastTime = 0;
  #lastLine = "";

  constructor(
    readonly label: string,
    readonly total: number | null,
    readonly sink: ProgressSink = stdoutSink(),
    readonly width = 30,
  ) {}

  /** `done` bytes so far; draws when something visible changed. */
  update(done: number): void {
    if (this.sink.isTerminal) {
      // Redraw at most 10 times a second.
      const now = Date.now();
      if (now - this.#lastTime < 100) return;
      this.#lastTime = now;
      this.#draw(done);
      return;
    }
    // Plain lines: one per 10 % of a known total, else one per 10 MB.
    const { total } = this;
    const step = total ? Math.floor((10 * Math.min(done, total)) / total) : Math.floor(done / 1e7);
    if (step === this.#lastStep) return;
    this.#lastStep = step;
    this.#draw(done);
  }

  /** Draws the final state and ends the bar's line. */
  finish(done: number): void {
    this.#draw(done);
    if (this.sink.isTerminal) this.sink.write("\n");
  }

  #draw(done: number): void {
    const line = this.line(done);
    if (this.sink.isTerminal) this.sink.write("\r" + line + "\x1b[K");
    else if (line !== this.#lastLine) this.sink.write(line + "\n");
    this.#lastLine = line;
  }

  /** The text of the bar at `done` bytes. */
  line(done: number): string {
    const { total } = this;
    if (!total) return `${this.label} ${amount(done)}`;
    const fraction = Math.min(1, done / total);
    const filled = Math.round(fraction * this.width);
    const bar = "#".repeat(filled) + ".".repeat(this.width - filled);
    const percent = String(Math.floor(fraction * 100)).padStart(3);
    return `${this.label} [${bar}] ${percent}% ${amount(done, total)}`;
  }
}
