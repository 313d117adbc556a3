/**
 * The demo page in headless Chromium against real servers on loopback, for
 * the shipped points model (ring8, SVG, the second model of a server of two,
 * chosen with the page's model picker) and the shipped class-conditional
 * image model (Fashion-MNIST, PNG), under the default limits (rate limit
 * on): the page loads without a console error (a CSP violation is
 * one); the browser's generator draws what the API draws; a slider drag
 * sends no request; the permalink, the download, the interpolation steps,
 * and the error states work. The browser is driven by `page_driver.ts` in
 * its own process. `PAGE_SCREENSHOTS=DIR` keeps its screenshots in DIR.
 */
import assert from "node:assert/strict";
import { createApp } from "@gan-edge/edge/app";
import { DEFAULT_CONFIG, DEFAULT_MODEL_DIR } from "@gan-edge/edge/config";
import { loadSampler } from "@gan-edge/edge/sampler";
import { SHIPPED_RING8 } from "../helpers/fixtures.ts";

const hasChromium = await Deno.stat("/usr/bin/chromium").then(() => true, () => false);

/** Serves the models in `dirs` (the first the default) on 127.0.0.1 with an OS-chosen port. */
async function serve(...dirs: string[]) {
  const app = createApp(await Promise.all(dirs.map(loadSampler)), DEFAULT_CONFIG);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  return { server, url: `http://127.0.0.1:${server.addr.port}/` };
}

Deno.test({
  name: "demo page: in-browser generator, no request per drag, permalink, download, errors",
  ignore: !hasChromium,
  async fn() {
    const points = await serve(DEFAULT_MODEL_DIR, SHIPPED_RING8); // ring8 through the picker
    const images = await serve(DEFAULT_MODEL_DIR);
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
    }
  },
});
