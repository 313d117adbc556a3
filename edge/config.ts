/**
 * Where the edge finds its model: `MODEL_DIR`, else the model shipped in
 * `edge/models/` (the embedded default).
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The model shipped with the repository. */
export const DEFAULT_MODEL_DIR = fileURLToPath(
  new URL("./models/ring8", import.meta.url),
);

/** The model folder to serve, from `MODEL_DIR` or the default. */
export function modelDirFromEnv(): string {
  return Deno.env.get("MODEL_DIR") || DEFAULT_MODEL_DIR;
}
