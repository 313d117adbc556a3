/**
 * `deno task train`: parse flags, pick the backend, train epoch by epoch —
 * fixed-noise samples, a checkpoint and the HTML report after each — then
 * export the edge artifact. Ctrl-C checkpoints and stops; `--resume`
 * continues exactly where the last checkpoint left off.
 *
 * @module
 */
import { helpText, parseFlags, UsageError } from "@gan-edge/cli";
import { type BackendChoice, BackendError, selectBackend } from "./backend.ts";
import { CheckpointError, loadCheckpoint, restoreState, saveCheckpoint } from "./checkpoint.ts";
import {
  ConfigError,
  resolveDefaults,
  trainCommand,
  type TrainConfig,
  type TrainFlags,
} from "./config.ts";
import { DataError, type DataSource, openDataset } from "./data/mod.ts";
import { type ExportMetadata, exportRun } from "./export.ts";
import { DivergenceError, GanState, specFor, type StepLog, trainSteps } from "./loop.ts";
import { reportHtml } from "./report/html.ts";
import { lockRunFolder, RunFolderError, RunLog, writeRunFile } from "./run_folder.ts";
import { TrainingProgress } from "./report/progress.ts";
import { renderSamples } from "./report/samples.ts";

/** Flags that may change when resuming; the rest come from the checkpoint. */
const RESUMABLE: readonly (keyof TrainFlags)[] = [
  "out",
  "steps",
  "epochs",
  "backend",
  "quantize",
  "log-every",
  "resume",
  "data-dir",
];

/**
 * The settings of a resumed run: the checkpoint's, with the flags typed now
 * that may change ({@link RESUMABLE}); a warning names the ignored ones.
 */
function resumedFlags(
  saved: TrainConfig,
  flags: TrainFlags,
  given: ReadonlySet<keyof TrainFlags>,
): TrainFlags {
  const ignored = [...given].filter((k) => !RESUMABLE.includes(k));
  if (ignored.length) {
    console.warn(`warning: --resume keeps the run's settings; ignoring --${ignored.join(", --")}`);
  }
  const overrides = Object.fromEntries(
    RESUMABLE.filter((k) => given.has(k)).map((k) => [k, flags[k]]),
  );
  const merged = trainCommand.flags.safeParse({ ...saved, ...overrides, resume: true });
  if (!merged.success) {
    const issue = merged.error.issues[0];
    throw new CheckpointError(
      `checkpoint settings: --${issue.path.join(".")}: ${issue.message}; ` +
        "this version of the trainer cannot continue the run",
    );
  }
  // --epochs alone sets a new length: the saved step count must not win.
  if (given.has("epochs") && !given.has("steps")) return { ...merged.data, steps: undefined };
  return merged.data;
}

/** Metadata of the generator artifact for this run, as of `steps`. */
export function metadataFor(
  config: TrainConfig,
  data: DataSource,
  state: GanState,
  backend: string,
): ExportMetadata {
  const { spec } = state;
  const hyperparameters: Record<string, number | string | boolean | number[]> = {
    loss: config.loss,
    lr: config.lr,
    lrDecay: config["lr-decay"] ?? "none",
    beta1: config.beta1,
    beta2: config.beta2,
    batchSize: config["batch-size"],
    dSteps: config["d-steps"],
    pack: config.pack,
    minibatchStd: config["minibatch-std"],
    ema: config.ema,
    dropout: config.dropout,
  };
  if (spec.id === "dcgan") hyperparameters.width = spec.width;
  else {Object.assign(hyperparameters, {
      generatorHidden: spec.generatorHidden,
      discriminatorHidden: spec.discriminatorHidden,
      ...(spec.scale !== undefined ? { scale: spec.scale } : {}),
    });}
  return {
    latent: { dim: spec.latentDim, distribution: "normal" },
    output: data.output,
    ...(spec.numClasses && data.classNames ? { classNames: data.classNames } : {}),
    architecture: { id: spec.id, hyperparameters },
    training: {
      dataset: config.dataset,
      loss: config.loss,
      steps: state.step,
      seed: config.seed,
      backend,
      date: new Date().toISOString(),
    },
    metrics: {},
  };
}

/** Means of each numeric field over an epoch's step logs. */
function epochSummary(epoch: number, logs: StepLog[]) {
  const mean = (key: keyof StepLog) => {
    const xs = logs.map((l) => l[key]).filter((v): v is number => typeof v === "number");
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
  };
  return {
    summary: "epoch",
    epoch,
    step: logs.at(-1)?.step ?? 0,
    loss_D: mean("loss_D"),
    loss_G: mean("loss_G"),
    D_x: mean("D_x"),
    D_G_z: mean("D_G_z"),
    V: mean("V"),
    JSD: mean("JSD"),
    samples_per_sec: mean("samples_per_sec"),
  };
}

/** Runs the CLI; returns the process exit code. */
export async function main(args: string[]): Promise<number> {
  let state: GanState | undefined;
  try {
    const parsed = parseFlags(trainCommand, args);
    if (parsed.help) {
      console.log(helpText(trainCommand));
      return 0;
    }
    let flags = parsed.flags;
    const { out } = flags;
    using _lock = await lockRunFolder(out);
    const checkpoint = await loadCheckpoint(out);
    if (checkpoint?.warning) console.warn(`warning: ${checkpoint.warning}`);
    if (flags.resume && !checkpoint) {
      throw new ConfigError(
        `--resume: no checkpoint in ${out}/checkpoints; start the run without --resume`,
      );
    }
    if (!flags.resume && checkpoint) {
      // Never overwrite a run by accident: its checkpoint may be hours of work.
      throw new ConfigError(
        `--out: ${out} already holds a run (checkpoint at step ${checkpoint.state.step}); ` +
          "continue it with --resume, or choose another --out",
      );
    }
    if (checkpoint) flags = resumedFlags(checkpoint.state.config, flags, parsed.given);

    const data = await openDataset(flags.dataset, {
      dataDir: flags["data-dir"] || undefined,
      imageSize: flags["image-size"],
    });
    const config = resolveDefaults(flags, {
      kind: data.output.kind,
      size: data.size,
      labelled: Boolean(data.classNames),
    });
    const spec = specFor(config, data);
    const backend: BackendChoice = await selectBackend(config.backend, spec);
    console.log(`backend: ${backend.name} (${backend.reason})`);
    state = new GanState(config, spec);
    if (checkpoint) {
      await restoreState(state, checkpoint);
      console.log(`resuming ${out} at step ${state.step} of ${config.steps}`);
    }
    if (state.step >= config.steps) {
      throw new ConfigError(
        `--steps: the run is already at step ${state.step}; pass a larger --steps or --epochs to continue`,
      );
    }

    await Deno.mkdir(`${out}/samples`, { recursive: true });
    using log = await RunLog.open(out, state.step);
    const allSteps = log.steps;

    let stop = false;
    const onSigint = () => {
      stop = true;
    };
    Deno.addSignalListener("SIGINT", onSigint);
    const progress = new TrainingProgress(state.step, config.steps, config["log-every"]);
    const samples: { epoch: number; file: string }[] = [];
    for await (const e of Deno.readDir(`${out}/samples`)) {
      const m = e.name.match(/^epoch-(\d+)\./);
      if (m) samples.push({ epoch: Number(m[1]), file: `samples/${e.name}` });
    }
    const epochSteps = config["epoch-steps"];
    const started = Date.now();
    try {
      while (state.step < config.steps && !stop) {
        const epoch = Math.floor(state.step / epochSteps) + 1;
        const until = Math.min(config.steps, epoch * epochSteps);
        // A resumed epoch's summary covers its steps before the resume too.
        const epochLogs = allSteps.filter((l) => l.epoch === epoch);
        await trainSteps(state, data, until, async (line) => {
          await log.write(line);
          epochLogs.push(line);
          allSteps.push(line);
          progress.update(line);
        }, () => stop);
        const complete = state.step === until;
        if (complete) {
          await log.write(epochSummary(epoch, epochLogs));
          const picture = await state.withExportWeights((G) => renderSamples(G, spec));
          const file = `samples/epoch-${String(epoch).padStart(4, "0")}.${picture.ext}`;
          await writeRunFile(out, file, picture.bytes);
          if (!samples.some((s) => s.file === file)) samples.push({ epoch, file }); // redrawn on resume
        }
        await log.sync(); // the checkpoint covers these lines
        await saveCheckpoint(out, state, metadataFor(config, data, state, backend.name));
        await writeRunFile(
          out,
          "report.html",
          new TextEncoder().encode(
            reportHtml(`gan-edge run ${out}`, allSteps, samples.sort((a, b) => a.epoch - b.epoch), {
              dataset: config.dataset,
              architecture: spec.id,
              loss: config.loss,
              backend: backend.name,
              step: `${state.step} / ${config.steps}`,
              seed: config.seed,
            }),
          ),
        );
      }
    } finally {
      Deno.removeSignalListener("SIGINT", onSigint);
    }
    if (stop) {
      progress.message(
        `interrupted at step ${state.step}; checkpoint saved in ${out}/checkpoints/latest. ` +
          `Continue with: deno task train --out ${out} --resume`,
      );
      return 130;
    }
    const { bytes, fidelity } = await exportRun(out, config.quantize).catch((e) => {
      throw new CheckpointError(
        `${out}/model: could not export (${
          (e as Error).message
        }); the previous model, if any, is intact`,
      );
    });
    progress.message(
      `trained to step ${state.step} in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `wrote ${out}/model (${bytes} bytes, ${config.quantize}; ` +
        `max |Δ| vs float32 ${fidelity.maxAbsDiff.toExponential(2)}, ` +
        `mean ${fidelity.meanAbsDiff.toExponential(2)}), ${out}/report.html`,
    );
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}`);
      return 2;
    }
    if (e instanceof DivergenceError) {
      console.error(
        `error: ${e.message}. The last good checkpoint is kept; fix the settings (e.g. a lower --lr) ` +
          "and continue with --resume, or start over.",
      );
      return 1;
    }
    if (
      e instanceof BackendError || e instanceof DataError || e instanceof CheckpointError ||
      e instanceof RunFolderError
    ) {
      console.error(`error: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    state?.dispose();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
