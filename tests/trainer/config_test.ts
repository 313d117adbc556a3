import assert from "node:assert/strict";
import {
  ConfigError,
  FLAGS,
  helpText,
  parseConfig,
} from "../../trainer/config.ts";

Deno.test("defaults apply and flags override them", () => {
  const defaults = parseConfig([]);
  assert.equal(defaults.steps, FLAGS.steps.default);
  const c = parseConfig([
    "--steps",
    "50",
    "--loss",
    "hinge",
    "--g-hidden",
    "64,32",
    "--lr=0.002",
  ]);
  assert.equal(c.steps, 50);
  assert.equal(c.loss, "hinge");
  assert.deepEqual(c["g-hidden"], [64, 32]);
  assert.equal(c.lr, 0.002);
});

Deno.test("each bad flag value is refused with the flag's name", () => {
  const cases: [string[], RegExp][] = [
    [["--steps", "abc"], /--steps: expected an integer ≥ 1, got "abc"/],
    [["--steps", "0"], /--steps: expected an integer ≥ 1/],
    [["--steps", "1.5"], /--steps: expected an integer/],
    [["--lr=-1"], /--lr: expected a number ≥ 0/],
    [["--beta1", "2"], /--beta1: expected a number ≥ 0 and ≤ 1/],
    [["--loss", "wgan"], /--loss: expected one of minimax, ns, wgan-gp/],
    [["--dataset", "cifar"], /--dataset: expected one of/],
    [["--backend", "cuda"], /--backend: expected one of auto, tensorflow/],
    [
      ["--g-hidden", "64,x"],
      /--g-hidden: expected a comma list of positive integers/,
    ],
    [["--seed=-4"], /--seed: expected an integer ≥ 0/],
    [["--stesp", "5"], /Unknown option '--stesp'/],
    [["extra"], /positional argument/],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseConfig(args), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, message);
      return true;
    }, args.join(" "));
  }
});

Deno.test("help lists every flag with its default", () => {
  const help = helpText();
  for (const name of Object.keys(FLAGS)) {
    assert.match(help, new RegExp(`--${name}`));
  }
  assert.match(help, /\[default: 2000\]/);
});
