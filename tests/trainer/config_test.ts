import assert from "node:assert/strict";
import { helpText, parseFlags, UsageError } from "@gan-edge/cli";
import {
  type DataFacts,
  parseConfig,
  resolveDefaults,
  resumeFlags,
  trainCommand,
} from "../../trainer/config.ts";

const POINTS: DataFacts = { kind: "points", size: null, labelled: false };
const IMAGES: DataFacts = { kind: "image", size: 60000, labelled: true };

Deno.test("auto defaults follow the data and the loss", () => {
  const points = parseConfig([], POINTS);
  assert.equal(points.arch, "mlp");
  assert.equal(points["batch-size"], 256);
  assert.equal(points.lr, 1e-3);
  assert.equal(points["epoch-steps"], 500);
  assert.equal(points.steps, 2000); // 4 epochs of 500 steps
  const images = parseConfig([], IMAGES);
  assert.equal(images.arch, "dcgan");
  assert.equal(images["batch-size"], 64);
  assert.equal(images.lr, 2e-4);
  assert.equal(images["epoch-steps"], Math.ceil(60000 / 64));
  assert.equal(images.steps, 5 * Math.ceil(60000 / 64));
  // WGAN-GP: Gulrajani et al.'s settings.
  const wgan = parseConfig(["--loss", "wgan-gp"], IMAGES);
  assert.deepEqual([wgan.lr, wgan.beta1, wgan.beta2, wgan["d-steps"]], [1e-4, 0.5, 0.9, 5]);
});

Deno.test("flags override the defaults; --steps wins over --epochs", () => {
  const c = parseConfig(
    ["--steps", "50", "--loss", "hinge", "--g-hidden", "64,32", "--lr=0.002"],
    POINTS,
  );
  assert.equal(c.steps, 50);
  assert.equal(c.epochs, 1);
  assert.equal(c.loss, "hinge");
  assert.deepEqual(c["g-hidden"], [64, 32]);
  assert.equal(c.lr, 0.002);
  assert.equal(parseConfig(["--epochs", "3", "--epoch-steps", "10"], POINTS).steps, 30);
});

Deno.test("each bad flag value is refused with the flag's name", () => {
  const cases: [string[], RegExp][] = [
    [["--steps", "abc"], /--steps: expected an integer ≥ 1, got "abc"/],
    [["--steps", "0"], /--steps: expected an integer ≥ 1/],
    [["--steps", "1.5"], /--steps: expected an integer/],
    [["--lr=-1"], /--lr: expected a number ≥ 0/],
    [["--beta1", "2"], /--beta1: expected a number ≥ 0 and ≤ 1/],
    [["--loss", "wgan"], /--loss: expected one of minimax, ns, wgan-gp/],
    [["--arch", "resnet"], /--arch: expected one of auto, mlp, dcgan/],
    [["--backend", "cuda"], /--backend: expected one of auto, tensorflow/],
    [["--g-hidden", "64,x"], /--g-hidden: expected a comma list, each an integer ≥ 1, got "64,x"/],
    [["--quantize", "int4"], /--quantize: expected one of uint8, float16, float32, got "int4"/],
    [["--seed=-4"], /--seed: expected an integer ≥ 0/],
    [["--ema", "1"], /--ema: expected a number ≥ 0 and ≤ 0.99999/],
    [["--stesp", "5"], /--stesp: unknown flag/],
    [["extra"], /"extra": unexpected argument/],
    [["--arch", "dcgan"], /--arch dcgan: expected an image dataset/],
    [["--conditional"], /--conditional: expected a labelled dataset/],
    [["--pack", "3"], /--pack: expected a divisor of --batch-size 256, got 3/],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseConfig(args, POINTS), (e: Error) => {
      assert.ok(e instanceof UsageError, `${args.join(" ")}: ${e}`);
      assert.match(e.message, message);
      return true;
    }, args.join(" "));
  }
  assert.throws(
    () => parseConfig(["--image-size", "64"], IMAGES),
    /--image-size: dcgan expects 28 or 32, got 64/,
  );
  assert.throws(
    () => parseConfig(["--conditional", "--pack", "2"], IMAGES),
    /--pack: cannot be combined with --conditional/,
  );
});

Deno.test("help lists every flag with its default", () => {
  const help = helpText(trainCommand);
  assert.match(help, /^Usage: deno task train \[flags\]/);
  for (const name of Object.keys(trainCommand.flags.shape)) {
    assert.match(help, new RegExp(`--${name} `));
  }
  assert.match(
    help,
    /--steps N +generator updates in all \(overrides --epochs\) \[default: auto\]/,
  );
  assert.match(help, /--seed N +seed of every random draw \[default: 0\]/);
  assert.match(help, /--g-hidden N,… +mlp: G's hidden widths, comma list \[default: 128,128\]/);
  assert.match(
    help,
    /--quantize uint8\|float16\|float32\s+exported weight format \[default: float16\]/,
  );
});

Deno.test("the auto defaults stay unset until the data is known", () => {
  const parsed = parseFlags(trainCommand, ["--lr", "0.01"]);
  assert.ok(!parsed.help);
  assert.equal(parsed.flags.lr, 0.01);
  assert.equal(parsed.flags.steps, undefined);
  assert.equal(parsed.flags.arch, "auto");
  assert.deepEqual([...parsed.given], ["lr"]);
});

Deno.test("--resume keeps the saved settings but for out, steps, epochs and the like", () => {
  const saved = parseConfig([
    "--steps",
    "30",
    "--epoch-steps",
    "10",
    "--lr",
    "0.01",
    "--seed",
    "3",
  ]);
  const resume = (args: string[]) => {
    const parsed = parseFlags(trainCommand, ["--resume", ...args]);
    assert.ok(!parsed.help);
    return resumeFlags(saved, parsed.flags, parsed.given);
  };
  const more = resume(["--steps", "50", "--lr", "0.5", "--out", "runs/x"]);
  assert.deepEqual(more.ignored, ["lr"]);
  assert.deepEqual(
    [more.flags.steps, more.flags.lr, more.flags.seed, more.flags.out, more.flags.resume],
    [50, 0.01, 3, "runs/x", true],
  );
  // --epochs alone sets a new length: the saved 30 steps give way.
  const longer = resume(["--epochs", "5"]);
  assert.equal(longer.flags.steps, undefined);
  assert.equal(parseConfigOf(longer.flags).steps, 50);
  // A checkpoint whose settings this trainer no longer accepts is named.
  assert.throws(
    () => resumeFlags({ ...saved, loss: "wgan" as typeof saved.loss }, saved, new Set()),
    (e: Error) => e instanceof UsageError && /--resume: the checkpoint's --loss/.test(e.message),
  );
});

/** Resolves resumed flags against the points data the tests use. */
function parseConfigOf(flags: ReturnType<typeof resumeFlags>["flags"]) {
  return resolveDefaults(flags, POINTS);
}
