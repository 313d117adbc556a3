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
}

/** The defaults: 64 samples, bodies sized by the model, 10 s, 600 requests a minute. */
export const DEFAULT_CONFIG: EdgeConfig = {
  maxN: MAX_SAMPLES,
  timeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  rateLimit: 600,
  rateWindowSeconds: 60,
  trustProxyHops: 0,
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
};

/**
 * The config from `MAX_N`, `MAX_BODY_BYTES`, `REQUEST_TIMEOUT_MS`,
 * `BODY_TIMEOUT_MS`, `RATE_LIMIT`, `RATE_WINDOW_S` and `TRUST_PROXY_HOPS`; unset ones take their default. Throws
 * naming the variable when a value is not an integer in its range.
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

/** The model folder to serve, from `MODEL_DIR` or the default. */
export function modelDirFromEnv(): string {
  return Deno.env.get("MODEL_DIR") || DEFAULT_MODEL_DIR;
}
