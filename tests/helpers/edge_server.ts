/**
 * The edge as a real process for end-to-end tests: started with the
 * narrowest permissions it needs, its log read from both streams.
 */
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
/** The only permissions the edge gets: no write, run, ffi or sys. */
export const NARROW = [
  "--no-prompt",
  `--allow-read=${ROOT}`,
  "--allow-net=127.0.0.1",
  "--allow-env",
];

/** Starts `deno ...args` in ROOT and waits for its listening URL. */
export async function start(deno: string, args: string[], env: Record<string, string> = {}) {
  const child = new Deno.Command(deno, {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // deno serve logs to stderr, serve.ts to stdout: read both.
  let text = "";
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) text += chunk;
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const deadline = Date.now() + 60_000;
  while (!/Listening on (http:\S+)/.test(text)) {
    if (Date.now() > deadline) throw new Error(`no "Listening on" within 60 s:\n${text}`);
    const status = await Promise.race([
      child.status,
      new Promise<null>((r) => setTimeout(() => r(null), 50)),
    ]);
    if (status) throw new Error(`exited (${status.code}) before listening:\n${text}`);
  }
  const url = text.match(/Listening on (http:\S+)/)![1].replace(/\/?$/, "/");
  return {
    url,
    pid: child.pid,
    log: () => text,
    /** Settles when the process exits. */
    status: () => child.status,
    async stop() {
      try {
        child.kill("SIGKILL"); // no graceful drain: tests hold keep-alive connections
      } catch { /* it has exited */ }
      await child.status;
      await pumps;
    },
  };
}

/**
 * Sends `parts` over one raw TCP connection to `url`'s host, `gapMs` apart
 * (stopping if the server closes it), then reads until the server closes or
 * `waitMs` passes. Returns what came
 * back (empty when nothing did) and whether the server closed the connection.
 */
export async function rawExchange(
  url: string,
  parts: string[],
  { gapMs = 0, waitMs = 5_000 } = {},
): Promise<{ text: string; closed: boolean }> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  const encoder = new TextEncoder();
  try {
    for (const [i, part] of parts.entries()) {
      if (i > 0 && gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      try {
        await conn.write(encoder.encode(part));
      } catch {
        break; // the server closed the connection: read what it sent
      }
    }
    let text = "";
    const buffer = new Uint8Array(65_536);
    const deadline = Date.now() + waitMs;
    while (true) {
      const left = deadline - Date.now();
      if (left <= 0) return { text, closed: false };
      let timer;
      const n = await Promise.race([
        conn.read(buffer).catch(() => null), // a reset counts as closed
        new Promise<"wait">((r) => timer = setTimeout(() => r("wait"), left)),
      ]);
      clearTimeout(timer);
      if (n === "wait") return { text, closed: false };
      if (n === null) return { text, closed: true };
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
  } finally {
    conn.close();
  }
}
