/**
 * Everything the edge can be told through its environment, with safe
 * defaults: which model to serve and the limits that protect it. Read once
 * at start-up; a bad value stops start-up naming the variable.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { MAX_SAMPLES } from "@gan-edge/shared/api";

/** The model shipped with the repository: change this line to ship another. */
export const DEFAULT_MODEL_DIR = fileURLToPath(
  new URL("./models/fashion-mnist", import.meta.url),
);

/** The edge's limits. */
export interface EdgeConfig {
  /** Largest `n` of a sample request and rows of a POST body. */
  maxN: number;
  /**
   * Largest request body, in bytes; when absent, the largest valid POST body
   * for the served model (`largestSampleBody`, about 103 KB for 64 latents of 64).
   */
  maxBodyBytes?: number;
  /** A request still running after this many milliseconds gets a 504. */
  timeoutMs: number;
  /** A body not fully received after this many milliseconds gets a 408. */
  bodyTimeoutMs: number;
  /** Requests per client address per window; 0 turns the limit off. */
  rateLimit: number;
  /** The rate limit's window, in seconds. */
  rateWindowSeconds: number;
  /**
   * Reverse proxies in front of the edge whose `X-Forwarded-For` entries the
   * rate limit trusts to name the client; 0 (the default) trusts none.
   */
  trustProxyHops: number;
  /** 1: one JSON access-log line per request on stdout; 0: none. */
  accessLog: number;
  /**
   * `deno task serve`: 1 puts the connection guard (edge/guard.ts) in front
   * of Deno.serve: the three limits below; 0 serves with Deno.serve alone,
   * for a reverse proxy that enforces them (the guard costs throughput).
   */
  guard: number;
  /** `deno task serve`: a request head must arrive within this many ms. */
  headerTimeoutMs: number;
  /** `deno task serve`: a connection with no request in flight closes after this many ms. */
  idleTimeoutMs: number;
  /**
   * `deno task serve`: most connections open at once; each holds three file
   * descriptors (the client's, and the loopback pair to the app).
   */
  maxConnections: number;
}

/** The defaults: 64 samples, bodies sized by the model, 10 s, 600 requests a minute. */
export const DEFAULT_CONFIG: EdgeConfig = {
  maxN: MAX_SAMPLES,
  timeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  rateLimit: 600,
  rateWindowSeconds: 60,
  trustProxyHops: 0,
  accessLog: 1,
  guard: 1,
  headerTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  maxConnections: 256,
};

/** Each setting's variable and its accepted range. */
const VARIABLES: Record<keyof EdgeConfig, [string, number, number]> = {
  maxN: ["MAX_N", 1, 1024],
  maxBodyBytes: ["MAX_BODY_BYTES", 1024, 64 * 1024 * 1024],
  timeoutMs: ["REQUEST_TIMEOUT_MS", 100, 600_000],
  bodyTimeoutMs: ["BODY_TIMEOUT_MS", 100, 600_000],
  rateLimit: ["RATE_LIMIT", 0, 1_000_000],
  rateWindowSeconds: ["RATE_WINDOW_S", 1, 86_400],
  trustProxyHops: ["TRUST_PROXY_HOPS", 0, 10],
  accessLog: ["ACCESS_LOG", 0, 1],
  guard: ["GUARD", 0, 1],
  headerTimeoutMs: ["HEADER_TIMEOUT_MS", 100, 600_000],
  idleTimeoutMs: ["IDLE_TIMEOUT_MS", 100, 3_600_000],
  maxConnections: ["MAX_CONNECTIONS", 1, 1_000_000],
};

/**
 * The config from the environment (the variables of `VARIABLES`: `MAX_N`,
 * `MAX_BODY_BYTES`, `REQUEST_TIMEOUT_MS`, `BODY_TIMEOUT_MS`, `RATE_LIMIT`,
 * `RATE_WINDOW_S`, `TRUST_PROXY_HOPS`, `ACCESS_LOG`, `GUARD`, `HEADER_TIMEOUT_MS`,
 * `IDLE_TIMEOUT_MS`, `MAX_CONNECTIONS`); unset ones take their default.
 * Throws naming the variable when a value is not an integer in its range.
 */
export function configFromEnv(
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): EdgeConfig {
  const config = { ...DEFAULT_CONFIG };
  for (const key of Object.keys(VARIABLES) as (keyof EdgeConfig)[]) {
    const [name, min, max] = VARIABLES[key];
    const text = env(name);
    if (text === undefined || text === "") continue;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      throw new Error(
        `${name}: expected an integer in [${min}, ${max}], got "${text}"`,
      );
    }
    config[key] = value;
  }
  return config;
}

/**
 * The model folders to serve, from `MODEL_DIR` (one, or several separated
 * by commas; the first is the default model) or the shipped one.
 */
export function modelDirsFromEnv(text = Deno.env.get("MODEL_DIR")): string[] {
  const dirs = modelDirList(text ?? "");
  return dirs.length > 0 ? dirs : [DEFAULT_MODEL_DIR];
}

/** The folders of a comma list, trimmed, empty entries dropped. */
export function modelDirList(text: string): string[] {
  return text.split(",").map((dir) => dir.trim()).filter((dir) => dir !== "");
}
