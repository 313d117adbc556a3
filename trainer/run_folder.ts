/**
 * The run folder (`--out`) as the trainer writes it, so that it never lies:
 * one trainer at a time (a lock), a step log that on resume loses only the
 * lines past the checkpoint it resumes from, and files written whole or not
 * at all. Every failure is a {@link RunFolderError} that names the path and
 * the cause, and says what is left to continue from.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { describeLastCheckpoint } from "./checkpoint.ts";
import { writeFileSynced } from "./export.ts";
import type { StepLog } from "./loop.ts";

/** The run folder cannot be used or written; the message says why and what to do. */
export class RunFolderError extends Error {
  override name = "RunFolderError";
}

/** The lock file, inside the run folder, that the trainer writing it holds. */
export const LOCK_FILE = "train.lock";

/** Who holds a run folder's lock, as its lock file records. */
export interface LockHolder {
  pid: number;
  /** Absent when the trainer may not read it (`--allow-sys=hostname`). */
  hostname?: string;
  started: string;
}

/**
 * Takes the run folder `dir` for this process, creating it if needed, or
 * throws a {@link RunFolderError} naming the trainer that holds it.
 *
 * The lock is the OS's advisory file lock (flock) on `dir/train.lock`. The OS
 * drops it when the process ends, however it ends (SIGKILL included), so a
 * lock file left behind by a dead trainer is stale by construction and the
 * next trainer takes it over; no pid guessing, no pid reuse. The file records
 * the holder's pid, host and start time for the message a second trainer
 * prints. Disposing of the returned lock releases it: it removes the file, and the folders this call created when
 * nothing else was written into them (a run that failed to start leaves no
 * trace).
 */
export async function lockRunFolder(dir: string): Promise<Disposable> {
  const created: string[] = []; // deepest first
  for (let d = resolve(dir); !(await exists(d)) && d !== dirname(d); d = dirname(d)) {
    created.push(d);
  }
  const removeCreated = () => {
    for (const d of created) {
      try {
        Deno.removeSync(d); // fails, as it should, once the run has written into it
      } catch {
        break;
      }
    }
  };
  const path = `${dir}/${LOCK_FILE}`;
  try {
    await Deno.mkdir(dir, { recursive: true });
    for (;;) {
      const file = await Deno.open(path, { read: true, write: true, create: true });
      if (!(await file.tryLock(true))) {
        file.close();
        const holder = await Deno.readTextFile(path).then(JSON.parse).catch(() => null);
        throw new RunFolderError(
          `--out: ${dir} is in use by another trainer (${describeHolder(holder)}); ` +
            "wait for it to finish or stop it, or choose another --out",
        );
      }
      // A holder that released between our open and our lock removed the file
      // we locked: lock the one now at `path` instead.
      if (!(await isFileAt(file, path))) {
        file.close();
        continue;
      }
      const holder: LockHolder = {
        pid: Deno.pid,
        ...(Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state === "granted"
          ? { hostname: Deno.hostname() }
          : {}),
        started: new Date().toISOString(),
      };
      try {
        await file.truncate(0);
        await writeAll(file, new TextEncoder().encode(JSON.stringify(holder) + "\n"));
      } catch (e) {
        Deno.removeSync(path);
        file.close();
        throw e;
      }
      return {
        [Symbol.dispose]() {
          // Removed before unlocking: see the check on the locked file above.
          try {
            Deno.removeSync(path);
          } catch {
            // already removed by hand: nothing to clean up
          }
          file.close();
          removeCreated();
        },
      };
    }
  } catch (e) {
    removeCreated();
    if (e instanceof RunFolderError) throw e;
    throw new RunFolderError(
      `--out: cannot write to ${dir} (${
        (e as Error).message
      }); choose a folder this user can write`,
    );
  }
}

function describeHolder(holder: Partial<LockHolder> | null): string {
  if (!holder || typeof holder.pid !== "number") return `its lock file ${LOCK_FILE} is held`;
  const host = holder.hostname ? ` on ${holder.hostname}` : "";
  return `pid ${holder.pid}${host}, started ${holder.started}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    return true; // let the mkdir that follows report it
  }
}

async function isFileAt(file: Deno.FsFile, path: string): Promise<boolean> {
  const [open, named] = [await file.stat(), await Deno.stat(path).catch(() => null)];
  return named !== null && open.ino === named.ino && open.dev === named.dev;
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}

/**
 * How many bytes of the log `bytes` a run resuming from step `upTo` keeps:
 * its complete lines up to the first one past `upTo`, cut short by a crash,
 * or not a log line. The rest was logged after the checkpoint and is logged
 * again by the resumed run.
 */
export function keptLogLength(bytes: Uint8Array, upTo: number): number {
  const decoder = new TextDecoder();
  let kept = 0;
  for (let end = bytes.indexOf(10); end !== -1; end = bytes.indexOf(10, kept)) {
    let step: unknown;
    try {
      step = JSON.parse(decoder.decode(bytes.subarray(kept, end))).step;
    } catch {
      break;
    }
    if (typeof step !== "number" || step > upTo) break;
    kept = end + 1;
  }
  return kept;
}

/** `log.jsonl` of a run, open for appending step and summary lines. */
export class RunLog implements Disposable {
  private constructor(
    readonly runDir: string,
    readonly path: string,
    private readonly file: Deno.FsFile,
    /** The step lines (not the summaries) that were kept. */
    readonly steps: StepLog[],
  ) {}

  /**
   * Opens `runDir/log.jsonl` for a run at step `upTo`, keeping the lines up
   * to it ({@link keptLogLength}). The file is cut to that length in place and
   * fsynced, never rewritten, so a trainer killed at any moment of this
   * leaves every line up to `upTo`. Hold the run's lock first.
   */
  static async open(runDir: string, upTo: number): Promise<RunLog> {
    const path = `${runDir}/log.jsonl`;
    let file: Deno.FsFile | undefined;
    try {
      const bytes = await Deno.readFile(path).catch((e) => {
        if (e instanceof Deno.errors.NotFound) return new Uint8Array();
        throw e;
      });
      const kept = keptLogLength(bytes, upTo);
      file = await Deno.open(path, { read: true, append: true, create: true });
      if (kept < bytes.length) {
        await file.truncate(kept);
        await file.sync();
      }
      const steps = new TextDecoder().decode(bytes.subarray(0, kept)).split("\n")
        .filter((l) => l !== "").map((l) => JSON.parse(l)).filter((l) => !l.summary);
      return new RunLog(runDir, path, file, steps);
    } catch (e) {
      file?.close();
      throw await writeError(runDir, path, e);
    }
  }

  /** Appends `line` as one JSON line. */
  async write(line: object): Promise<void> {
    try {
      await writeAll(this.file, new TextEncoder().encode(JSON.stringify(line) + "\n"));
    } catch (e) {
      throw await writeError(this.runDir, this.path, e);
    }
  }

  /** Makes the lines written so far durable: called before each checkpoint, which covers them. */
  async sync(): Promise<void> {
    try {
      await this.file.sync();
    } catch (e) {
      throw await writeError(this.runDir, this.path, e);
    }
  }

  [Symbol.dispose](): void {
    this.file.close();
  }
}

/**
 * Writes `runDir/name` whole or not at all: into a hidden temporary file
 * beside it, fsynced, then renamed over it. A failure (a full disk) leaves the
 * old file, or none, and throws a {@link RunFolderError}.
 */
export async function writeRunFile(runDir: string, name: string, bytes: Uint8Array) {
  const path = `${runDir}/${name}`;
  const tmp = `${dirname(path)}/.tmp-${crypto.randomUUID()}`;
  try {
    await writeFileSynced(tmp, bytes);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw await writeError(runDir, path, e);
  }
}

async function writeError(runDir: string, path: string, e: unknown): Promise<RunFolderError> {
  return new RunFolderError(
    `${path}: could not write (${(e as Error).message}); ${await describeLastCheckpoint(runDir)}`,
  );
}
