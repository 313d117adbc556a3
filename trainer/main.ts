/**
 * `deno task train`: parse flags, pick the backend, train, log, export.
 *
 * @module
 */
import { ConfigError, helpText, parseConfig, type TrainConfig } from "./config.ts";
import { BackendError, type BackendName, selectBackend } from "./backend.ts";
import { openDataset } from "./data/mod.ts";
import { DivergenceError, type StepLog, train } from "./loop.ts";
import type { Quantization } from "@gan-edge/shared/schema";
import { exportGenerator, exportRun, GENERATOR_CHECKPOINT } from "./export.ts";

function progressLine(log: StepLog, config: TrainConfig): string {
  const f = (v: number | null) => (v === null ? "-" : v.toFixed(4));
  return `[${log.step}/${config.steps}] Loss_D: ${f(log.loss_D)} Loss_G: ${f(log.loss_G)} ` +
    `D(x): ${f(log.D_x)} D(G(z)): ${f(log.D_G_z)} V: ${f(log.V)} ` +
    `(${Math.round(log.samples_per_sec)} samples/s)`;
}

/** Runs the CLI; returns the process exit code. */
export async function main(args: string[]): Promise<number> {
  let config: TrainConfig;
  try {
    config = parseConfig(args);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (config.help) {
    console.log(helpText());
    return 0;
  }
  try {
    const data = await openDataset(config.dataset);
    const backend = await selectBackend(config.backend as BackendName);
    console.log(`backend: ${backend.name} (${backend.reason})`);
    await Deno.mkdir(config.out, { recursive: true });
    using log = await Deno.open(`${config.out}/log.jsonl`, {
      write: true,
      create: true,
      truncate: true,
    });
    const encoder = new TextEncoder();
    const started = Date.now();
    const result = await train(config, data, async (line) => {
      await log.write(encoder.encode(JSON.stringify(line) + "\n"));
      if (line.step % config["log-every"] === 0 || line.step === config.steps) {
        console.log(progressLine(line, config));
      }
    });
    // The float32 generator is the run's source of truth; model/ is exported from it.
    await exportGenerator(
      result.generator,
      {
        latent: { dim: config["latent-dim"], distribution: "normal" },
        output: data.output,
        architecture: {
          id: "mlp",
          hyperparameters: {
            generatorHidden: result.spec.generatorHidden,
            discriminatorHidden: result.spec.discriminatorHidden,
            dropout: result.spec.dropout,
          },
        },
        training: {
          dataset: config.dataset,
          loss: config.loss,
          steps: result.steps,
          seed: config.seed,
          backend: backend.name,
          date: new Date().toISOString(),
        },
        metrics: {},
      },
      "float32",
      `${config.out}/${GENERATOR_CHECKPOINT}`,
    );
    const { bytes, fidelity } = await exportRun(
      config.out,
      config.quantize as Quantization,
    );
    console.log(
      `trained ${result.steps} steps in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `wrote ${config.out}/model (${bytes} bytes, ${config.quantize}; ` +
        `max |Δ| vs float32 ${fidelity.maxAbsDiff.toExponential(2)}, ` +
        `mean ${fidelity.meanAbsDiff.toExponential(2)})`,
    );
    return 0;
  } catch (e) {
    if (e instanceof BackendError || e instanceof DivergenceError) {
      console.error(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
