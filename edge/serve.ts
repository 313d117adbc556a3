/**
 * `deno task serve [--model DIR] [--port N]`: serves the edge app on a port
 * (`PORT`, default 8000) and prints the URL and the model it loaded.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createApp } from "./app.ts";
import { configFromEnv, type EdgeConfig, modelDirFromEnv } from "./config.ts";
import { describeSampler, loadSampler, ModelLoadError } from "./sampler.ts";

const USAGE = "Usage: deno task serve [--model DIR] [--port N] [--hostname H]";

/** Parses the flags; returns null (after printing why) when they are bad. */
export function parseServeArgs(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: "string" },
      port: { type: "string" },
      hostname: { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  const portText = values.port ?? Deno.env.get("PORT") ?? "8000";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new Error(
      `--port: expected an integer in [0, 65535], got "${portText}"`,
    );
  }
  return {
    model: values.model ?? modelDirFromEnv(),
    port,
    hostname: values.hostname ?? "0.0.0.0",
    help: values.help ?? false,
  };
}

if (import.meta.main) {
  let options;
  let config: EdgeConfig;
  try {
    options = parseServeArgs(Deno.args);
    config = configFromEnv();
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  if (options.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  let sampler;
  try {
    sampler = await loadSampler(options.model);
  } catch (e) {
    if (!(e instanceof ModelLoadError)) throw e;
    console.error(`error: cannot serve: ${e.message}`);
    Deno.exit(1);
  }
  const app = createApp(sampler, config);
  Deno.serve({
    port: options.port,
    hostname: options.hostname,
    onListen: ({ hostname, port }) => {
      const host = hostname === "0.0.0.0" ? "localhost" : hostname;
      console.log(
        `gan-edge: serving ${options.model} ${describeSampler(sampler)}\n` +
          `Listening on http://${host}:${port}/`,
      );
    },
  }, app.fetch);
}
