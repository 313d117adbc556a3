/** `deno task serve`'s flags and PORT: bad values stop start-up naming the flag or variable. */
import assert from "node:assert/strict";
import { parseFlags } from "@gan-edge/cli";
import { portFromEnv, serveCommand } from "../../edge/serve.ts";

Deno.test("PORT gives the port; unset or empty means 8000; a bad one is named", () => {
  assert.equal(portFromEnv(undefined), 8000);
  assert.equal(portFromEnv(""), 8000);
  assert.equal(portFromEnv("0"), 0);
  assert.equal(portFromEnv("8080"), 8080);
  for (const bad of ["abc", "-1", "65536", "80.5", " 80"]) {
    assert.throws(
      () => portFromEnv(bad),
      new RegExp(`^Error: PORT: expected an integer in \\[0, 65535\\], got "${bad}"$`),
    );
  }
});

Deno.test("serve's flags: unset ones stay unset for the environment to fill", () => {
  const parsed = parseFlags(serveCommand, ["--port", "0"]);
  assert.ok(!parsed.help);
  assert.deepEqual(parsed.flags, { port: 0, hostname: "0.0.0.0" });
  assert.throws(
    () => parseFlags(serveCommand, ["--port", "65536"]),
    /--port: expected an integer ≥ 0 and ≤ 65535, got "65536"/,
  );
});

Deno.test("--model takes several folders separated by commas, the first the default", () => {
  const parsed = parseFlags(serveCommand, [
    "--model",
    "edge/models/ring8,edge/models/fashion-mnist",
  ]);
  assert.ok(!parsed.help);
  assert.deepEqual(parsed.flags.model, ["edge/models/ring8", "edge/models/fashion-mnist"]);
});
