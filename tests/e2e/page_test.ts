/**
 * The demo page in headless Chromium against real servers on loopback, for a
 * points model (SVG) and a conditional image model (PNG): the page loads,
 * images render, moving a slider changes the image, the class picker works.
 * The browser is driven by `page_driver.ts` in its own process.
 */
import assert from "node:assert/strict";
import { createApp } from "@gan-edge/edge/app";
import { DEFAULT_CONFIG } from "@gan-edge/edge/config";
import { loadSampler } from "@gan-edge/edge/sampler";
import { SHIPPED_RING8 } from "../helpers/fixtures.ts";
import { conditionalFixture } from "../edge/fixtures.ts";

const hasChromium = await Deno.stat("/usr/bin/chromium").then(() => true, () => false);

/** Serves the model in `dir` on 127.0.0.1 with an OS-chosen port. */
async function serve(dir: string) {
  const app = createApp(await loadSampler(dir), { ...DEFAULT_CONFIG, rateLimit: 0 });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  return { server, url: `http://127.0.0.1:${server.addr.port}/` };
}

Deno.test({
  name: "demo page: loads, renders, and a slider changes the image (points and image models)",
  ignore: !hasChromium,
  async fn() {
    const dir = await conditionalFixture();
    const points = await serve(SHIPPED_RING8);
    const images = await serve(dir);
    try {
      const driver = new URL("./page_driver.ts", import.meta.url).pathname;
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", driver, points.url, images.url],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, text);
      assert.match(text, /page ok/);
    } finally {
      await points.server.shutdown();
      await images.server.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
