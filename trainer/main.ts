/**
 * `deno task train`, read top to bottom like nanoGPT's train.py: the
 * settings (flags from `trainCommand`, or the checkpoint's on `--resume`),
 * the data, the models, then the loop — per epoch, per step: D step, G step,
 * log; after each epoch: fixed-noise samples, a checkpoint and the HTML
 * report — and the export of the edge artifact. Ctrl-C checkpoints and
 * stops; `--resume` continues exactly where the last checkpoint left off.
 *
 * @module
 */
import { helpText, parseFlags, UsageError } from "@gan-edge/cli";
import { type BackendChoice, BackendError, selectBackend } from "./backend.ts";
import {
  type Checkpoint,
  CheckpointError,
  loadCheckpoint,
  restoreState,
  saveCheckpoint,
} from "./checkpoint.ts";
import {
  ConfigError,
  resolveDefaults,
  resumeFlags,
  trainCommand,
  type TrainConfig,
  type TrainFlags,
} from "./config.ts";
import { DataError, type DataSource, openDataset } from "./data/mod.ts";
import { type ExportMetadata, exportRun } from "./export.ts";
import { DivergenceError, GanState, specFor, type StepLog, trainEpochs } from "./loop.ts";
import { reportHtml } from "./report/html.ts";
import { lockRunFolder, RunFolderError, RunLog, writeRunFile } from "./run_folder.ts";
import { TrainingProgress } from "./report/progress.ts";
import { renderSamples } from "./report/samples.ts";

/** Runs the CLI; returns the process exit code. */
export async function main(args: string[]): Promise<number> {
  try {
    const parsed = parseFlags(trainCommand, args);
    if (parsed.help) {
      console.log(helpText(trainCommand));
      return 0;
    }
    return await train(parsed.flags, parsed.given);
  } catch (e) {
    return failure(e);
  }
}

/**
 * One run, top to bottom: the settings, the data, the models, then the loop
 * (per epoch, per step: D step, G step, log; after each epoch: samples,
 * checkpoint, report) and the export. Returns the exit code: 0, or 130 when
 * Ctrl-C stopped it after a checkpoint.
 */
async function train(flags: TrainFlags, given: ReadonlySet<keyof TrainFlags>): Promise<number> {
  // Settings: the flags, or the checkpoint's when resuming.
  const { out } = flags;
  using _lock = await lockRunFolder(out);
  const checkpoint = await checkpointToResume(out, flags.resume);
  let settings = flags;
  if (checkpoint) {
    const resumed = resumeFlags(checkpoint.state.config, flags, given);
    if (resumed.ignored.length) {
      console.warn(
        `warning: --resume keeps the run's settings; ignoring --${resumed.ignored.join(", --")}`,
      );
    }
    settings = resumed.flags;
  }

  // Data; the settings left to `auto` follow from it.
  const data = await openDataset(settings.dataset, {
    dataDir: settings["data-dir"] || undefined,
    imageSize: settings["image-size"],
  });
  const config = resolveDefaults(settings, {
    kind: data.output.kind,
    size: data.size,
    labelled: Boolean(data.classNames),
  });

  // Models: G, D and their optimisers on the chosen backend, restored when resuming.
  const spec = specFor(config, data);
  const backend: BackendChoice = await selectBackend(config.backend, spec, config["batch-size"]);
  console.log(`backend: ${backend.name} (${backend.reason})`);
  using state = new GanState(config, spec);
  if (checkpoint) {
    await restoreState(state, checkpoint);
    console.log(`resuming ${out} at step ${state.step} of ${config.steps}`);
  }
  if (state.step >= config.steps) {
    throw new ConfigError(
      `--steps: the run is already at step ${state.step}; pass a larger --steps or --epochs to continue`,
    );
  }

  // The run folder: the step log (cut back to the checkpoint), the samples so far.
  await Deno.mkdir(`${out}/samples`, { recursive: true });
  using log = await RunLog.open(out, state.step);
  const samples = await samplesSoFar(out);
  const progress = new TrainingProgress(state.step, config.steps, config["log-every"]);
  using interrupt = onInterrupt();

  // The loop.
  const started = Date.now();
  await trainEpochs(state, data, {
    onStep: async (line) => {
      await log.write(line);
      log.steps.push(line);
      progress.update(line);
    },
    onEpoch: async ({ epoch, complete }) => {
      if (complete) {
        // A resumed epoch's summary covers its steps before the resume too.
        await log.write(epochSummary(epoch, log.steps.filter((l) => l.epoch === epoch)));
        const sample = await writeSamples(out, epoch, state);
        if (!samples.some((s) => s.file === sample.file)) samples.push(sample); // redrawn on resume
      }
      await log.sync(); // the checkpoint covers these lines
      await saveCheckpoint(out, state, metadataFor(config, data, state, backend.name));
      const report = reportHtml(`gan-edge run ${out}`, log.steps, samples, {
        dataset: config.dataset,
        architecture: spec.id,
        loss: config.loss,
        backend: backend.name,
        step: `${state.step} / ${config.steps}`,
        seed: config.seed,
      });
      await writeRunFile(out, "report.html", new TextEncoder().encode(report));
    },
    shouldStop: () => interrupt.requested,
  });
  if (interrupt.requested) {
    progress.message(
      `interrupted at step ${state.step}; checkpoint saved in ${out}/checkpoints/latest. ` +
        `Continue with: deno task train --out ${out} --resume`,
    );
    return 130;
  }

  // Export: the edge artifact in out/model.
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
}

/**
 * The checkpoint in `out` that `--resume` continues, or null for a new run;
 * refuses a `--resume` with nothing to resume and a new run over an old one.
 */
async function checkpointToResume(out: string, resume: boolean): Promise<Checkpoint | null> {
  const checkpoint = await loadCheckpoint(out);
  if (checkpoint?.warning) console.warn(`warning: ${checkpoint.warning}`);
  if (resume && !checkpoint) {
    throw new ConfigError(
      `--resume: no checkpoint in ${out}/checkpoints; start the run without --resume`,
    );
  }
  if (!resume && checkpoint) {
    // Never overwrite a run by accident: its checkpoint may be hours of work.
    throw new ConfigError(
      `--out: ${out} already holds a run (checkpoint at step ${checkpoint.state.step}); ` +
        "continue it with --resume, or choose another --out",
    );
  }
  return checkpoint;
}

/** A sample picture of the run's file list, epoch order. */
interface SampleFile {
  epoch: number;
  file: string;
}

/** The sample pictures already in `out/samples` (a resumed run keeps them). */
async function samplesSoFar(out: string): Promise<SampleFile[]> {
  const samples: SampleFile[] = [];
  for await (const e of Deno.readDir(`${out}/samples`)) {
    const m = e.name.match(/^epoch-(\d+)\./);
    if (m) samples.push({ epoch: Number(m[1]), file: `samples/${e.name}` });
  }
  return samples.sort((a, b) => a.epoch - b.epoch);
}

/** Ctrl-C (SIGINT) sets `requested`, so the loop stops after a step and a checkpoint. */
function onInterrupt(): { readonly requested: boolean } & Disposable {
  let requested = false;
  const listener = () => {
    requested = true;
  };
  Deno.addSignalListener("SIGINT", listener);
  return {
    get requested() {
      return requested;
    },
    [Symbol.dispose]: () => Deno.removeSignalListener("SIGINT", listener),
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

/** Draws G's (export weights') samples from the fixed noise into `samples/epoch-NNNN`. */
async function writeSamples(out: string, epoch: number, state: GanState): Promise<SampleFile> {
  const picture = await state.withExportWeights((G) => renderSamples(G, state.spec));
  const file = `samples/epoch-${String(epoch).padStart(4, "0")}.${picture.ext}`;
  await writeRunFile(out, file, picture.bytes);
  return { epoch, file };
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

/** Prints what went wrong and returns the exit code: 2 for bad flags, else 1. */
function failure(e: unknown): number {
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
}

if (import.meta.main) Deno.exit(await main(Deno.args));
