/**
 * The demo page in headless Chromium (Debian's, driven by playwright-core)
 * against a real server on loopback, for a points model (SVG) and a
 * conditional image model (PNG): the page loads, images render, moving a
 * slider changes the image, and the class picker works.
 */
import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import { createApp } from "@gan-edge/edge/app";
import { DEFAULT_CONFIG } from "@gan-edge/edge/config";
import { loadSampler } from "@gan-edge/edge/sampler";
import { SHIPPED_RING8 } from "../helpers/fixtures.ts";
import { conditionalFixture } from "../edge/fixtures.ts";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = await Deno.stat(CHROMIUM).then(() => true, () => false);

/** Serves the model in `dir` on 127.0.0.1 with an OS-chosen port. */
async function serve(dir: string) {
  const app = createApp(await loadSampler(dir), { ...DEFAULT_CONFIG, rateLimit: 0 });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  return { server, url: `http://127.0.0.1:${server.addr.port}/` };
}

// Browser-side checks are strings: this file is type-checked without the DOM.
const img = (id: string) => `document.getElementById(${JSON.stringify(id)})`;

/** Waits until image `id` has loaded its current src; returns that src. */
async function loaded(page: Page, id: string): Promise<string> {
  await page.waitForFunction(
    `${img(id)}.src !== "" && ${img(id)}.complete && ${img(id)}.naturalWidth > 0`,
  );
  return await page.locator(`#${id}`).getAttribute("src") ?? "";
}

/** Waits until image `id` has a src other than `src` (relative to `base`). */
async function changed(page: Page, id: string, src: string, base: string) {
  await page.waitForFunction(
    `${img(id)}.src !== ${JSON.stringify(new URL(src, base).href)}`,
  );
}

/** Opens the page, checks it, moves slider z0, returns the two editor shots. */
async function exercise(page: Page, url: string, format: string) {
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector("#sliders input");
  for (const id of ["gallery", "editor", "strip"]) {
    assert.match(await loaded(page, id), new RegExp(`format=${format}`), id);
  }
  const before = await loaded(page, "editor");
  const shotBefore = await page.locator("#editor").screenshot();
  const slider = page.locator("#z0");
  const value = Number(await slider.inputValue());
  await slider.fill(String(value > 0 ? -2.5 : 2.5));
  await changed(page, "editor", before, url);
  assert.notEqual(await loaded(page, "editor"), before);
  const shotAfter = await page.locator("#editor").screenshot();
  assert.notDeepEqual(shotAfter, shotBefore, "moving the slider changed the picture");
  assert.equal(await page.locator("#status").textContent(), "");
  assert.deepEqual(errors, []);
}

Deno.test({
  name: "demo page: loads, renders, and a slider changes the image (points and image models)",
  ignore: !hasChromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await conditionalFixture();
    const points = await serve(SHIPPED_RING8);
    const images = await serve(dir);
    const profile = await Deno.makeTempDir({ prefix: "gan-edge-chromium-" });
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await browser.newPage();
      await exercise(page, points.url, "svg");
      assert.equal(await page.locator("#class-box").isHidden(), true);

      const imagePage = await browser.newPage();
      await exercise(imagePage, images.url, "png");
      assert.equal(await imagePage.locator("#class-box").isVisible(), true);
      const gallery = await loaded(imagePage, "gallery");
      await imagePage.locator("#class").selectOption("1");
      await changed(imagePage, "gallery", gallery, images.url);
      assert.match(await loaded(imagePage, "gallery"), /class=1/);
      // The gallery is a 4×4 grid of 28×28 images.
      const width = await imagePage.evaluate(`${img("gallery")}.naturalWidth`);
      assert.equal(width, 4 * 28 + 3 * 2);
    } finally {
      await browser.close();
      await points.server.shutdown();
      await images.server.shutdown();
      await Deno.remove(profile, { recursive: true });
      await Deno.remove(dir, { recursive: true });
    }
  },
});
