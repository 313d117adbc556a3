/**
 * Drives the demo page in headless Chromium (Debian's, through playwright-core)
 * for `tests/e2e/page_test.ts`, which serves the models and runs this script
 * in its own process: playwright needs `sys` access that the test suite's
 * permissions do not grant. Usage: `page_driver.ts POINTS_URL IMAGE_URL`;
 * exits non-zero with the failed assertion on stderr.
 */
import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";

// The page's own types, for functions that run in the browser: this file is
// type-checked without the DOM library. (Functions, not strings: the page's
// Content-Security-Policy forbids eval, and Playwright evaluates strings.)
interface Img {
  src: string;
  complete: boolean;
  naturalWidth: number;
}
declare const document: { getElementById(id: string): Img };

/** Waits until image `id` has loaded its current src; returns that src. */
async function loaded(page: Page, id: string): Promise<string> {
  await page.waitForFunction((id) => {
    const img = document.getElementById(id);
    return img.src !== "" && img.complete && img.naturalWidth > 0;
  }, id);
  return await page.locator(`#${id}`).getAttribute("src") ?? "";
}

/** Waits until image `id` has a src other than `src` (relative to `base`). */
async function changed(page: Page, id: string, src: string, base: string) {
  await page.waitForFunction(
    ([id, href]) => document.getElementById(id).src !== href,
    [id, new URL(src, base).href],
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
    const src = await loaded(page, id);
    assert.match(src, new RegExp(`format=${format}`), id);
    // The model's versioned routes, from GET /v1/model: seeded images are immutable there.
    assert.match(src, /^\/v1\/models\/[0-9a-f]{64}\/(sample|interpolate)\?/, id);
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

const [pointsUrl, imagesUrl] = Deno.args;
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
  await exercise(page, pointsUrl, "svg");
  assert.equal(await page.locator("#class-box").isHidden(), true);

  const imagePage = await browser.newPage();
  await exercise(imagePage, imagesUrl, "png");
  assert.equal(await imagePage.locator("#class-box").isVisible(), true);
  const gallery = await loaded(imagePage, "gallery");
  await imagePage.locator("#class").selectOption("1");
  await changed(imagePage, "gallery", gallery, imagesUrl);
  assert.match(await loaded(imagePage, "gallery"), /class=1/);
  // The gallery is a 4×4 grid of 28×28 images.
  const width = await imagePage.evaluate(() => document.getElementById("gallery").naturalWidth);
  assert.equal(width, 4 * 28 + 3 * 2);
  console.log("page ok");
} finally {
  await browser.close();
  await Deno.remove(profile, { recursive: true });
}
