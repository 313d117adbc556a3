/**
 * WebGPU computes what wasm computes, for every op and gradient the DCGAN
 * trainer runs (tests/gpu/parity.ts lists them), at widths 32 and 64. Runs
 * where Deno has a WebGPU adapter (here Mesa's llvmpipe through Vulkan or
 * GL); ignored elsewhere.
 *
 * Tolerance: ‖webgpu − wasm‖₂ / ‖wasm‖₂ ≤ 1e-3 for every result, and no
 * non-finite value. Float32 on both sides lands far below it (≤ 2e-4 on
 * llvmpipe, from the gradient norms: sequential sums of ~800 k squares on
 * wasm against the GPU's tree sums); the two tfjs-backend-webgpu bugs
 * trainer/webgpu_kernels.ts fixes gave errors of 1 and above (an unapplied
 * Adam step, a wrong embedding gradient) and NaN weights.
 */
import assert from "node:assert/strict";
import { PARITY_CASES, type ParityReport } from "../gpu/parity.ts";

const TOLERANCE = 1e-3;
const adapter = "gpu" in navigator ? await navigator.gpu.requestAdapter() : null;

Deno.test({
  name: "webgpu matches wasm on every op and gradient of the DCGAN trainer, widths 32 and 64",
  ignore: !adapter,
  async fn(t) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../gpu/parity.ts", import.meta.url).pathname, "--case", "all"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const reports = new TextDecoder().decode(out.stdout).trim().split("\n").map((l) =>
      JSON.parse(l) as ParityReport
    );
    assert.deepEqual(reports.map((r) => r.case), Object.keys(PARITY_CASES));
    for (const report of reports) {
      await t.step(report.case, () => {
        const names = report.rows.map((r) => r.name);
        // Each case covers both networks' gradients, the losses and a whole step.
        for (const part of ["D gradient: ", "G gradient: ", "loss: ", "step: Δ "]) {
          assert.ok(names.some((n) => n.startsWith(part)), `${report.case}: no "${part}" rows`);
        }
        const bad = report.rows.filter((r) => !(r.relErr <= TOLERANCE) || r.nonFinite > 0);
        assert.deepEqual(bad, [], `${report.case} on ${report.adapter}: beyond ${TOLERANCE}`);
      });
    }
  },
});
