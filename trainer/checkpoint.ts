/**
 * Checkpoints: everything a run needs to continue exactly — G, D (weights and
 * batch-norm statistics), both Adam states, the EMA of G, the PRNG state and
 * the step — plus G as a float32 edge artifact, the source of every export.
 *
 * A checkpoint is written whole or not at all: into a temporary folder,
 * each file fsynced, then renamed over `latest` (the old one is kept as
 * `previous` until the rename is done).
 *
 * Every file of it is covered by `SHA256SUMS`, in the format of coreutils'
 * `sha256sum` (so `sha256sum -c SHA256SUMS` checks a checkpoint by hand), and
 * loading refuses a checkpoint whose files do not match: a changed step,
 * tensor offset, learning rate or PRNG state in `state.json` would otherwise
 * resume silently with the wrong state. Version 1 checkpoints, written before
 * that, covered only `tensors.bin` (by a hash inside `state.json`); they still
 * load, with a warning.
 *
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { encodeArtifact, sha256Hex } from "@gan-edge/shared/artifact";
import type { PrngState } from "@gan-edge/shared/prng";
import { Prng } from "@gan-edge/shared/prng";
import { FORMAT_VERSION } from "@gan-edge/shared/schema";
import { type ArchitectureSpec, hasScale } from "./architectures.ts";
import type { TrainConfig } from "./config.ts";
import { type ExportMetadata, modelArtifacts, replaceDir, writeFileSynced } from "./export.ts";
import type { GanState } from "./loop.ts";

/** Folder of the newest complete checkpoint, inside the run folder. */
export const LATEST = "checkpoints/latest";
/** The one before it, present only while `latest` is being replaced. */
export const PREVIOUS = "checkpoints/previous";

/** The checksum file inside each checkpoint folder. */
const CHECKSUMS = "SHA256SUMS";
/** Files a version 2 checkpoint's SHA256SUMS must list (the generator's shards are listed too). */
const REQUIRED = ["state.json", "tensors.bin", "generator/model.json"];

/** A checkpoint that cannot be used; the message names the file. */
export class CheckpointError extends Error {
  override name = "CheckpointError";
}

interface TensorEntry {
  group: "G" | "D" | "optD" | "optG" | "ema";
  name: string;
  shape: number[];
  /** Float32 offset into tensors.bin. */
  offset: number;
}

/** The contents of `state.json`. */
export interface CheckpointState {
  format: "gan-edge-checkpoint";
  /** 2: every file is in SHA256SUMS. 1: only `tensors.bin` is checked, by `sha256`. */
  version: 1 | 2;
  step: number;
  prng: PrngState;
  config: TrainConfig;
  /**
   * The networks' architecture. Absent in checkpoints made before it was
   * recorded; the config alone does not fix it (grid25 gained a fixed point
   * scale layer, which has no weights to count).
   */
  spec?: ArchitectureSpec;
  tensors: TensorEntry[];
  /** Version 1 only: the SHA-256 of `tensors.bin`. */
  sha256?: string;
}

async function namedTensors(state: GanState) {
  const list: { group: TensorEntry["group"]; name: string; tensor: tf.Tensor }[] = [];
  state.G.weights.forEach((w) => list.push({ group: "G", name: w.originalName, tensor: w.read() }));
  state.D.weights.forEach((w) => list.push({ group: "D", name: w.originalName, tensor: w.read() }));
  for (const [group, opt] of [["optD", state.optD], ["optG", state.optG]] as const) {
    for (const { name, tensor } of await opt.getWeights()) list.push({ group, name, tensor });
    for (const [name, tensor] of Object.entries(adamPowers(opt))) {
      list.push({ group, name, tensor });
    }
  }
  state.ema?.forEach((v, i) => list.push({ group: "ema", name: `ema/${i}`, tensor: v }));
  return list;
}

/**
 * Adam's running products β1^t and β2^t. tfjs's `setWeights` recomputes them
 * as pow(β, t + 1), which differs from the running product in the last bit;
 * saving them keeps a resumed run bit-identical to an uninterrupted one.
 */
function adamPowers(opt: tf.Optimizer): Record<string, tf.Variable> {
  const { accBeta1, accBeta2 } = opt as unknown as {
    accBeta1?: tf.Variable;
    accBeta2?: tf.Variable;
  };
  return accBeta1 && accBeta2 ? { "adam/accBeta1": accBeta1, "adam/accBeta2": accBeta2 } : {};
}

/** Writes a checkpoint of `state` into `runDir` (atomically, see module doc). */
export async function saveCheckpoint(
  runDir: string,
  state: GanState,
  metadata: ExportMetadata,
): Promise<void> {
  const entries: TensorEntry[] = [];
  const parts: Float32Array[] = [];
  let offset = 0;
  for (const { group, name, tensor } of await namedTensors(state)) {
    const values = await tensor.data() as Float32Array;
    entries.push({ group, name, shape: tensor.shape, offset });
    parts.push(values);
    offset += values.length;
  }
  const tensors = new Float32Array(offset);
  let at = 0;
  for (const p of parts) {
    tensors.set(p, at);
    at += p.length;
  }
  const bytes = new Uint8Array(tensors.buffer);
  const body: CheckpointState = {
    format: "gan-edge-checkpoint",
    version: 2,
    step: state.step,
    prng: state.prng.state(),
    config: state.config,
    spec: state.spec,
    tensors: entries,
  };
  const generator = await state.withExportWeights(async (G) =>
    encodeArtifact(
      await modelArtifacts(G),
      { formatVersion: FORMAT_VERSION, ...metadata },
      "float32",
    )
  );
  const files = new Map<string, Uint8Array>([
    ["tensors.bin", bytes],
    ...[...generator].map(([name, b]) => [`generator/${name}`, b] as const),
    ["state.json", new TextEncoder().encode(JSON.stringify(body))],
  ]);
  const sums = [];
  for (const [name, b] of files) sums.push(`${await sha256Hex(b)}  ${name}\n`);

  const dir = `${runDir}/checkpoints`;
  let tmp: string | undefined;
  try {
    await Deno.mkdir(dir, { recursive: true });
    // Half-written folders of a run that was killed mid-write: never read, now removed.
    for await (const e of Deno.readDir(dir)) {
      if (e.name.startsWith(".tmp-")) await Deno.remove(`${dir}/${e.name}`, { recursive: true });
    }
    tmp = await Deno.makeTempDir({ dir, prefix: ".tmp-" });
    await Deno.mkdir(`${tmp}/generator`);
    for (const [name, b] of files) await writeFileSynced(`${tmp}/${name}`, b);
    await writeFileSynced(`${tmp}/${CHECKSUMS}`, new TextEncoder().encode(sums.join("")));
    await replaceDir(tmp, `${runDir}/${LATEST}`, `${runDir}/${PREVIOUS}`);
    await syncDir(dir);
  } catch (e) {
    if (tmp) await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw new CheckpointError(
      `${dir}: could not write the checkpoint of step ${state.step} (${(e as Error).message}); ` +
        await describeLastCheckpoint(runDir),
    );
  }
}

/** Makes the renames inside `dir` durable (a no-op where folders cannot be opened). */
async function syncDir(dir: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  using handle = await Deno.open(dir, { read: true });
  await handle.sync();
}

/**
 * What a run that just failed leaves to continue from, checked on disk rather
 * than assumed: the step of its last complete checkpoint and the command that
 * resumes it, or that there is none.
 */
export async function describeLastCheckpoint(runDir: string): Promise<string> {
  try {
    const checkpoint = await loadCheckpoint(runDir);
    return checkpoint
      ? `the checkpoint of step ${checkpoint.state.step} is intact; once that is fixed, ` +
        `continue with: deno task train --out ${runDir} --resume`
      : `${runDir} has no checkpoint yet; once that is fixed, start the run again`;
  } catch (e) {
    return `and the last checkpoint cannot be used either (${(e as Error).message})`;
  }
}

/** A checkpoint read from disk and verified. */
export interface Checkpoint {
  dir: string;
  state: CheckpointState;
  tensors: Float32Array;
  /** Set when part of the checkpoint could not be verified (version 1); say so to the user. */
  warning?: string;
}

/**
 * Reads the files listed in `dir`'s SHA256SUMS, each checked against its
 * hash. Files that are not listed (a `.DS_Store`, an editor's backup) are not
 * read; the ones a checkpoint needs must be listed.
 */
async function readVerified(dir: string): Promise<Map<string, Uint8Array>> {
  const listed = new Map<string, string>();
  const lines = (await Deno.readTextFile(`${dir}/${CHECKSUMS}`)).split("\n");
  for (const [i, line] of lines.entries()) {
    if (line === "") continue;
    const m = line.match(/^([0-9a-f]{64}) [ *]([\w./-]+)$/);
    if (!m || m[2].split("/").includes("..")) {
      throw new CheckpointError(
        `${dir}/${CHECKSUMS}: line ${i + 1} is not "<sha256>  <file in the checkpoint>"`,
      );
    }
    listed.set(m[2], m[1]);
  }
  const unlisted = REQUIRED.filter((f) => !listed.has(f));
  if (unlisted.length) {
    throw new CheckpointError(`${dir}/${CHECKSUMS}: does not list ${unlisted.join(", ")}`);
  }
  const files = new Map<string, Uint8Array>();
  for (const [name, expected] of listed) {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(`${dir}/${name}`);
    } catch (e) {
      throw new CheckpointError(
        `${dir}/${name}: listed in ${CHECKSUMS} but unreadable (${(e as Error).message})`,
      );
    }
    const actual = await sha256Hex(bytes);
    if (actual !== expected) {
      throw new CheckpointError(
        `${dir}/${name}: SHA-256 mismatch (${CHECKSUMS} lists ${expected}, the file hashes to ` +
          `${actual}); the checkpoint changed after it was written, so it is not resumed`,
      );
    }
    files.set(name, bytes);
  }
  return files;
}

function parseState(dir: string, bytes: Uint8Array): CheckpointState {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new CheckpointError(`${dir}/state.json: unreadable (${(e as Error).message})`);
  }
}

async function readCheckpoint(dir: string): Promise<Checkpoint> {
  let state: CheckpointState;
  let bytes: Uint8Array;
  let warning: string | undefined;
  const hasSums = await Deno.stat(`${dir}/${CHECKSUMS}`).then(() => true, () => false);
  if (hasSums) {
    const files = await readVerified(dir);
    state = parseState(dir, files.get("state.json")!);
    bytes = files.get("tensors.bin")!;
    if (state.format !== "gan-edge-checkpoint" || state.version !== 2) {
      throw new CheckpointError(`${dir}/state.json: not a version 2 gan-edge checkpoint`);
    }
  } else {
    state = parseState(dir, await Deno.readFile(`${dir}/state.json`));
    if (state.format !== "gan-edge-checkpoint" || state.version !== 1) {
      throw new CheckpointError(
        state.version === 2
          ? `${dir}/${CHECKSUMS}: missing, so the checkpoint cannot be verified`
          : `${dir}/state.json: not a gan-edge checkpoint of version 1 or 2`,
      );
    }
    bytes = await Deno.readFile(`${dir}/tensors.bin`);
    const actual = await sha256Hex(bytes);
    if (actual !== state.sha256) {
      throw new CheckpointError(
        `${dir}/tensors.bin: SHA-256 mismatch (expected ${state.sha256}, got ${actual})`,
      );
    }
    warning = `${dir} is a version 1 checkpoint, whose state.json no checksum covers; ` +
      "its step, settings and PRNG state are taken as they are";
  }
  const length = Math.floor(bytes.length / 4);
  const outside = state.tensors.find((t) =>
    !(t.offset >= 0 && t.offset + t.shape.reduce((a, b) => a * b, 1) <= length)
  );
  if (outside) {
    throw new CheckpointError(
      `${dir}/state.json: tensor ${outside.group}/${outside.name} lies outside tensors.bin ` +
        `(${length} floats)`,
    );
  }
  return {
    dir,
    state,
    tensors: new Float32Array(bytes.buffer, bytes.byteOffset, length),
    ...(warning ? { warning } : {}),
  };
}

/**
 * The last complete checkpoint of `runDir`: `latest`, or `previous` when a
 * crash fell between the two renames. Null when the run has none.
 */
export async function loadCheckpoint(runDir: string): Promise<Checkpoint | null> {
  for (const name of [LATEST, PREVIOUS]) {
    const dir = `${runDir}/${name}`;
    try {
      await Deno.stat(`${dir}/state.json`);
    } catch {
      continue;
    }
    return await readCheckpoint(dir);
  }
  return null;
}

/** The saved tensors of one group, in saved order; the caller disposes them. */
function checkpointTensors(
  { tensors, state }: Checkpoint,
  g: TensorEntry["group"],
): { name: string; tensor: tf.Tensor }[] {
  return state.tensors.filter((t) => t.group === g).map((t) => ({
    name: t.name,
    tensor: tf.tensor(
      tensors.subarray(t.offset, t.offset + t.shape.reduce((a, b) => a * b, 1)),
      t.shape,
    ),
  }));
}

/**
 * Sets `model`'s weights (batch-norm statistics included) to the checkpoint's
 * G or D: all a reader needs to run the trained networks without the
 * optimizers and EMA of a whole training state (the eval's diagnostics).
 */
export function loadNetworkWeights(
  model: tf.LayersModel,
  checkpoint: Checkpoint,
  g: "G" | "D",
): void {
  const values = checkpointTensors(checkpoint, g);
  try {
    if (values.length !== model.weights.length) {
      throw new CheckpointError(
        `${checkpoint.dir}: ${g} has ${values.length} saved weights, the model ${model.weights.length}; ` +
          "was the checkpoint made with other architecture flags?",
      );
    }
    model.setWeights(values.map((v) => v.tensor));
  } finally {
    tf.dispose(values.map((v) => v.tensor));
  }
}

/** Puts a checkpoint's weights, optimizer states, EMA, PRNG and step into `state`. */
export async function restoreState(state: GanState, checkpoint: Checkpoint): Promise<void> {
  const { state: saved } = checkpoint;
  if (!saved.spec && hasScale(state.spec)) {
    throw new CheckpointError(
      `${checkpoint.dir}: the checkpoint does not record its networks, and this version scales ` +
        `${saved.config.dataset}'s points by ${state.spec.scale} between G and D, which networks ` +
        "trained before that scale existed do not expect; start a new run",
    );
  }
  // Compared as JSON values (the saved one went through JSON).
  if (saved.spec && !isDeepStrictEqual(saved.spec, JSON.parse(JSON.stringify(state.spec)))) {
    throw new CheckpointError(
      `${checkpoint.dir}: the checkpoint's networks (${
        JSON.stringify(saved.spec)
      }) differ from the ones this version builds for its settings (${
        JSON.stringify(state.spec)
      }); resuming would load its weights into other networks`,
    );
  }
  loadNetworkWeights(state.G, checkpoint, "G");
  loadNetworkWeights(state.D, checkpoint, "D");
  for (const [g, opt] of [["optD", state.optD], ["optG", state.optG]] as const) {
    const values = checkpointTensors(checkpoint, g);
    const powers = adamPowers(opt);
    await opt.setWeights(values.filter((v) => !(v.name in powers)));
    for (const v of values) if (v.name in powers) powers[v.name].assign(v.tensor);
    tf.dispose(values.map((v) => v.tensor)); // setWeights keeps its own references
  }
  if (state.ema) {
    const ema = checkpointTensors(checkpoint, "ema");
    ema.forEach((v, i) => state.ema![i].assign(v.tensor));
    tf.dispose(ema.map((v) => v.tensor));
  }
  state.prng = Prng.fromState(saved.prng);
  state.step = saved.step;
}
