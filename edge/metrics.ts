/**
 * The edge's Prometheus metrics, written in the text exposition format
 * (version 0.0.4): request counts and latency histograms by method, route
 * and status, forward-pass time, live tensors, heap and resident memory.
 *
 * Written here rather than with prom-client: prom-client runs under Deno,
 * but importing it costs ~250-350 ms of start-up (~80-110 ms for its
 * lib/registry, counter, histogram and gauge alone), against a cold-start
 * budget of 150 ms; the format itself is a few lines of text.
 *
 * @module
 */

/** The exposition format's media type. */
export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Latency buckets, in seconds: 1 ms to 10 s. */
export const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Labels = Record<string, string>;

/** A label value escaped as the format asks (backslash, quote, newline). */
function escape(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** `{a="1",b="2"}`, or nothing for no labels. */
function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** A counter per label set. */
export class Counter {
  #values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const entry = this.#values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.#values.set(key, entry);
  }

  text(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, { value }] of this.#values) lines.push(`${this.name}${key} ${value}`);
    return lines.join("\n");
  }
}

/** A histogram per label set: cumulative buckets, sum and count. */
export class Histogram {
  #series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[] = BUCKETS,
  ) {}

  observe(value: number, labels: Labels = {}): void {
    const key = labelText(labels);
    let s = this.#series.get(key);
    if (!s) {
      s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) s.counts[i]++;
    s.sum += value;
    s.count++;
  }

  text(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, counts, sum, count } of this.#series.values()) {
      this.buckets.forEach((le, i) => {
        lines.push(`${this.name}_bucket${labelText({ ...labels, le: String(le) })} ${counts[i]}`);
      });
      lines.push(`${this.name}_bucket${labelText({ ...labels, le: "+Inf" })} ${count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${sum}`);
      lines.push(`${this.name}_count${labelText(labels)} ${count}`);
    }
    return lines.join("\n");
  }
}

/** A gauge read when scraped. */
export class Gauge {
  constructor(readonly name: string, readonly help: string, readonly read: () => number) {}

  text(): string {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} gauge`,
      `${this.name} ${this.read()}`,
    ].join("\n");
  }
}

/** The exposition of `metrics`, in order, ending with a newline. */
export function exposition(metrics: { text(): string }[]): string {
  return metrics.map((m) => m.text()).join("\n") + "\n";
}
