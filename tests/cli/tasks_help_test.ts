/**
 * Every task in deno.json answers `--help`: exit 0 and a usage line, before
 * it loads a model, opens data or runs anything.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const { tasks } = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
  tasks: Record<string, unknown>;
};

for (const name of Object.keys(tasks)) {
  Deno.test(`deno task ${name} --help prints its usage and exits 0`, async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", name, "--help"],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    // install and install-serve are `deno install` itself: their help is Deno's own.
    if (name.startsWith("install")) return assert.match(stdout, /deno install/);
    // train-cuda is deno task train with a backend chosen: it prints train's help.
    const usage = name === "train-cuda" ? "train" : name;
    assert.match(stdout, new RegExp(`^Usage: deno task ${usage} \\[flags\\]`));
    assert.match(stdout, /^ {2}--help +print this help$/m);
  });
}
