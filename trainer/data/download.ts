/**
 * Verified downloads into a cache: a file appears under its final name only
 * after its MD5 matched, written to a temporary file, synced and renamed, so
 * an interrupted or tampered download never looks like data.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { DataError } from "./errors.ts";

/** How far one download has come. */
export interface DownloadProgress {
  url: string;
  /** The file's name, e.g. `train-images-idx3-ubyte.gz`. */
  file: string;
  received: number;
  /** From Content-Length; null when the server did not say. */
  total: number | null;
  done: boolean;
}

/** The download could not be made (network, HTTP status, permission). */
export class DownloadFailed extends DataError {
  override name = "DownloadFailed";
}

/** Reads an environment variable; undefined when unset or not permitted. */
export function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The cache folder: $GAN_EDGE_CACHE_DIR, else $XDG_CACHE_HOME/gan-edge, else
 * ~/.cache/gan-edge (the XDG default).
 */
export function defaultCacheDir(): string {
  const explicit = env("GAN_EDGE_CACHE_DIR");
  if (explicit) return explicit;
  const xdg = env("XDG_CACHE_HOME");
  if (xdg) return join(xdg, "gan-edge");
  const home = env("HOME") ?? env("USERPROFILE");
  return home ? join(home, ".cache", "gan-edge") : join(".cache", "gan-edge");
}

/** Whether this process may fetch from `url` without prompting. */
async function netAllowed(url: URL): Promise<boolean> {
  const status = await Deno.permissions.query({ name: "net", host: url.host });
  return status.state === "granted";
}

async function writeAll(file: Deno.FsFile, chunk: Uint8Array): Promise<void> {
  for (let off = 0; off < chunk.length;) {
    off += await file.write(chunk.subarray(off));
  }
}

/**
 * Downloads `url` to `dest`, checking its MD5 (hex) before the rename that
 * puts it in place; on any failure nothing is left behind. Throws
 * {@link DownloadFailed} when the file cannot be fetched and a
 * {@link DataError} when its checksum differs.
 */
export async function downloadVerified(
  url: string,
  dest: string,
  md5: string,
  onProgress?: (progress: DownloadProgress) => void,
): Promise<void> {
  const file = basename(dest);
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new DownloadFailed(`GET ${url}: expected an http:// or https:// address`);
  }
  if (!(await netAllowed(parsed))) {
    throw new DownloadFailed(
      `GET ${url}: no network permission (run with --allow-net)`,
    );
  }
  await Deno.mkdir(dirname(dest), { recursive: true });
  const tmp = await Deno.makeTempFile({
    dir: dirname(dest),
    prefix: `.${file}.`,
    suffix: ".part",
  });
  try {
    let response: Response;
    try {
      response = await fetch(parsed);
    } catch (e) {
      throw new DownloadFailed(`GET ${url}: ${(e as Error).message}`);
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new DownloadFailed(
        `GET ${url}: HTTP ${response.status} ${response.statusText}`.trim(),
      );
    }
    const length = response.headers.get("content-length");
    const total = length === null ? null : Number(length);
    const hash = createHash("md5");
    let received = 0;
    {
      using out = await Deno.open(tmp, { write: true, truncate: true });
      try {
        for await (const chunk of response.body) {
          hash.update(chunk);
          await writeAll(out, chunk);
          received += chunk.length;
          onProgress?.({ url, file, received, total, done: false });
        }
      } catch (e) {
        throw new DownloadFailed(
          `GET ${url}: connection lost after ${received} bytes (${(e as Error).message})`,
        );
      }
      if (total !== null && received !== total) {
        throw new DownloadFailed(
          `GET ${url}: got ${received} bytes, expected ${total} (Content-Length)`,
        );
      }
      await out.sync();
    }
    const actual = hash.digest("hex");
    if (actual !== md5.toLowerCase()) {
      throw new DataError(
        `${url}: checksum mismatch: expected md5 ${md5}, got ${actual}; ` +
          `the download was refused and nothing was saved`,
      );
    }
    await Deno.rename(tmp, dest);
    onProgress?.({ url, file, received, total, done: true });
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
