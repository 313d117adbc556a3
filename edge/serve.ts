/**
 * `deno task serve [--model DIR[,DIR…]] [--port N] [--hostname H]`: serves
 * the edge app on a port and prints the URL and the models it loaded.
 *
 * @module
 */
import { defineCommand, parseFlagsOrExit, usageLine, z } from "@gan-edge/cli";
import { createApp } from "./app.ts";
import { configFromEnv, type EdgeConfig, modelDirsFromEnv } from "./config.ts";
import { serveGuarded } from "./guard.ts";
import { describeSampler, loadSamplers, ModelLoadError } from "./sampler.ts";

/** `deno task serve`'s flags; unset ones fall back to the environment. */
export const serveCommand = defineCommand({
  name: "serve",
  summary: "Serve G(z) over HTTP, behind a connection guard (edge/guard.ts). The limits come " +
    "from the environment: MAX_N, MAX_BODY_BYTES, REQUEST_TIMEOUT_MS, BODY_TIMEOUT_MS, " +
    "RATE_LIMIT, RATE_WINDOW_S, TRUST_PROXY_HOPS, ACCESS_LOG, HEADER_TIMEOUT_MS, " +
    "IDLE_TIMEOUT_MS, MAX_CONNECTIONS.",
  flags: z.object({
    model: z.array(z.string().min(1)).min(1).optional().meta({
      value: "DIR",
      description: "model artifact folder; several separated by commas, the first the " +
        "default (each served under /v1/models/{hash}/…)",
      default: "$MODEL_DIR, else edge/models/fashion-mnist",
    }),
    port: z.int().min(0).max(65535).optional().meta({
      description: "port to listen on (0: any free port)",
      default: "$PORT, else 8000",
    }),
    hostname: z.string().min(1).default("0.0.0.0").meta({
      value: "HOST",
      description: "address to listen on",
    }),
  }),
});

/** The port from `PORT`, or 8000; throws naming the variable when it is not a port. */
export function portFromEnv(text = Deno.env.get("PORT")): number {
  if (text === undefined || text === "") return 8000;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new Error(`PORT: expected an integer in [0, 65535], got "${text}"`);
  }
  return port;
}

if (import.meta.main) {
  const { flags } = parseFlagsOrExit(serveCommand, Deno.args);
  let port: number;
  let config: EdgeConfig;
  try {
    port = flags.port ?? portFromEnv();
    config = configFromEnv();
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n${usageLine(serveCommand)}`);
    Deno.exit(2);
  }
  const models = flags.model ?? modelDirsFromEnv();
  let samplers;
  try {
    samplers = await loadSamplers(models);
  } catch (e) {
    if (!(e instanceof ModelLoadError)) throw e;
    console.error(`error: cannot serve: ${e.message}`);
    Deno.exit(1);
  }
  let draining = false;
  const app = createApp(samplers, config, {
    log: config.accessLog ? (line) => console.log(line) : undefined,
    ready: () => !draining,
  });
  const server = config.guard
    ? serveGuarded(app.fetch, {
      hostname: flags.hostname,
      port,
      headerTimeoutMs: config.headerTimeoutMs,
      idleTimeoutMs: config.idleTimeoutMs,
      maxConnections: config.maxConnections,
      log: (line) => console.error(line),
    })
    : Deno.serve({ hostname: flags.hostname, port, onListen() {} }, app.fetch);
  const { hostname, port: bound } = "guard" in server ? server.guard.addr : server.addr;
  console.log(
    samplers.map((sampler, i) => `gan-edge: serving ${models[i]} ${describeSampler(sampler)}\n`)
      .join("") +
      `Listening on http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${bound}/`,
  );
  // SIGTERM (an orchestrator stopping us): /readyz turns 503, no new
  // connections are taken, requests in flight finish, then exit.
  Deno.addSignalListener("SIGTERM", async () => {
    if (draining) return;
    draining = true;
    console.error("gan-edge: SIGTERM: draining");
    await server.shutdown();
    Deno.exit(0);
  });
}
