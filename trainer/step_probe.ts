/**
 * How long one training step of a model takes on the active backend,
 * measured with the trainer's own loop on seeded stand-in data: what
 * `--backend auto` weighs a hardware GPU against wasm by.
 *
 * @module
 */
import type { ArchitectureSpec } from "./architectures.ts";
import { parseConfig } from "./config.ts";
import type { DataSource } from "./data/mod.ts";
import { GanState, trainSteps } from "./loop.ts";
import type { Prng } from "@gan-edge/shared/prng";
import { sampleShape } from "@gan-edge/shared/shapes";

/** Seeded uniform samples of `spec`'s output shape, labelled when `spec` is conditional. */
export function standInData(spec: ArchitectureSpec): DataSource {
  const size = sampleShape(spec.output).reduce((a, b) => a * b, 1);
  const k = spec.numClasses;
  return {
    name: "stand-in",
    output: spec.output,
    ...(k ? { classNames: Array.from({ length: k }, (_, i) => String(i)) } : {}),
    size: null,
    batch(prng: Prng, n: number) {
      const x = Float32Array.from({ length: n * size }, () => prng.uniform() * 2 - 1);
      return k ? { x, labels: Int32Array.from({ length: n }, () => prng.int(k)) } : { x };
    },
  };
}

/**
 * Milliseconds of one D+G step (the default loss and optimiser) of `spec` at
 * batch `batch` on the active backend: the median of `runs` steps after
 * `warmup` untimed ones (shader compilation, JIT). Frees what it makes.
 */
export async function stepMilliseconds(
  spec: ArchitectureSpec,
  batch: number,
  { warmup = 1, runs = 3 } = {},
): Promise<number> {
  const data = standInData(spec);
  const config = parseConfig(["--batch-size", String(batch), "--steps", String(warmup + runs)], {
    kind: spec.output.kind,
    size: null,
    labelled: Boolean(spec.numClasses),
  });
  using state = new GanState(config, spec);
  await trainSteps(state, data, warmup);
  const ms: number[] = [];
  for (let step = warmup + 1; step <= warmup + runs; step++) {
    const t0 = performance.now();
    await trainSteps(state, data, step);
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)];
}
