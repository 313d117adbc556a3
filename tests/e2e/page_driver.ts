/**
 * Drives the demo page in headless Chromium (Debian's, through playwright-core)
 * for `tests/e2e/page_test.ts`, which serves the models and runs this script
 * in its own process: playwright needs `sys` access that the test suite's
 * permissions do not grant. Usage: `page_driver.ts POINTS_URL IMAGE_URL`;
 * exits non-zero with the failed assertion on stderr. With
 * `PAGE_SCREENSHOTS=DIR` it saves what it saw there as PNGs (light and dark,
 * wide and narrow, an error state).
 *
 * Functions passed to `page.evaluate` run in the browser; they are
 * functions, not strings, since the page's CSP forbids eval.
 */
import assert from "node:assert/strict";
import { type BrowserContext, chromium, type Page } from "playwright-core";

// The browser objects those functions use, declared here: this file is
// type-checked without the DOM library.
interface Pixels {
  data: ArrayLike<number>;
}
interface Context2D {
  getImageData(x: number, y: number, width: number, height: number): Pixels;
  drawImage(image: unknown, x: number, y: number): void;
}
interface PageElement {
  dataset: Record<string, string | undefined>;
  getAttribute(name: string): string | null;
  naturalWidth: number;
  width: number;
  height: number;
  getContext(kind: "2d"): Context2D;
}
declare const document: { getElementById(id: string): PageElement };
declare function createImageBitmap(blob: Blob): Promise<{ width: number; height: number }>;
declare const OffscreenCanvas: new (width: number, height: number) => {
  getContext(kind: "2d"): Context2D;
};

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = Deno.env.get("PAGE_SCREENSHOTS");

/** Saves a full-page screenshot as DIR/name.png when PAGE_SCREENSHOTS is set. */
async function shot(page: Page, name: string) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** Records console errors, page errors and every request the page makes. */
function watch(page: Page) {
  const seen = { errors: [] as string[], requests: [] as string[] };
  page.on("console", (m) => m.type() === "error" && seen.errors.push(m.text()));
  page.on("pageerror", (e) => seen.errors.push(e.message));
  page.on("request", (r) => seen.requests.push(r.url()));
  return seen;
}

/** Waits until the editor shows the latent and class the page asks for. */
async function editorSettled(page: Page) {
  await page.waitForFunction(
    () => {
      const d = document.getElementById("editor")!.dataset;
      return d.want !== undefined && d.want !== "" && d.want === d.shown;
    },
    undefined,
    { timeout: 60_000 },
  );
  return await page.locator("#editor").getAttribute("data-shown");
}

/** Waits until picture `id` (gallery or strip) has loaded from a URL matching `src`. */
async function pictureLoaded(page: Page, id: string, src: RegExp) {
  await page.waitForFunction(
    ([id, src]) => {
      const figure = document.getElementById(`${id}-figure`)!;
      return figure.getAttribute("aria-busy") === "false" &&
        new RegExp(src).test(figure.dataset.src ?? "");
    },
    [id, src.source],
    { timeout: 60_000 },
  );
}

/** Opens `url` and waits for the gallery, the strip and the editor. */
async function open(context: BrowserContext, url: string) {
  const page = await context.newPage();
  const seen = watch(page);
  await page.goto(url);
  await pictureLoaded(page, "gallery", /./);
  await pictureLoaded(page, "strip", /./);
  await editorSettled(page);
  return { page, seen };
}

/** The editor canvas's RGBA pixels. */
function editorPixels(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const canvas = document.getElementById("editor");
    const ctx = canvas.getContext("2d")!;
    return Array.from(ctx.getImageData(0, 0, canvas.width, canvas.height).data);
  });
}

/**
 * Drags the strongest slider (the first, once the page has sorted them by
 * their effect on the picture) from one end to the other in `moves` pointer
 * moves 16 ms apart, as a hand does; returns the requests the page sent
 * meanwhile.
 */
async function drag(page: Page, seen: { requests: string[] }, moves = 30) {
  await page.locator("#effects-note").filter({ hasText: /of \d+ entries/ }).waitFor();
  const slider = page.locator("#sliders .slider:first-child input");
  assert.equal(await page.locator("#sliders .slider:first-child.idle").count(), 0);
  await slider.scrollIntoViewIfNeeded();
  const box = (await slider.boundingBox())!;
  const y = box.y + box.height / 2;
  const before = seen.requests.length;
  await page.mouse.move(box.x + 3, y);
  await page.mouse.down();
  for (let k = 1; k <= moves; k++) {
    await page.mouse.move(box.x + 3 + (box.width - 6) * k / moves, y);
    await page.waitForTimeout(16);
  }
  await page.mouse.up();
  await editorSettled(page);
  return seen.requests.slice(before);
}

/** The width and height in a PNG's IHDR. */
function pngSize(bytes: Uint8Array): [number, number] {
  assert.deepEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], "a PNG");
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return [view.getUint32(16), view.getUint32(20)];
}

/**
 * The points model, the second of the server's two: the picker offers both
 * and the link's `model` picks ring8; the class picker stays hidden; a drag
 * sends nothing; picking the default model opens its page.
 */
async function pointsModel(context: BrowserContext, url: string) {
  const listing = await (await context.request.get(`${url}v1/models`)).json();
  const ring8 = listing.models.find((m: { dataset: string }) => m.dataset === "ring8").hash;
  const { page, seen } = await open(context, `${url}?model=${ring8}`);
  assert.equal(await page.locator("#model-box").isVisible(), true);
  assert.equal(await page.locator("#model-select option").count(), 2);
  assert.equal(await page.locator("#model-select").inputValue(), ring8);
  assert.equal(await page.locator("#class-box").isHidden(), true);
  assert.equal(await page.locator("#sliders input").count(), 8, "one slider per latent entry");
  const before = await editorPixels(page);
  const sent = await drag(page, seen);
  assert.deepEqual(sent, [], "a drag sends no request");
  assert.notDeepEqual(await editorPixels(page), before, "the point moved");
  await page.waitForURL(new RegExp(`model=${ring8}.*z=`));
  assert.deepEqual(seen.errors, []);
  await shot(page, "points-light");
  await page.locator("#model-select").selectOption(listing.default);
  await page.waitForURL((u) => u.search === "");
  await editorSettled(page);
  assert.equal(await page.locator("#sliders input").count(), 64, "the default model's page");
  await page.close();
}

/** The conditional image model: every feature of the page. */
async function imageModel(context: BrowserContext, url: string) {
  const { page, seen } = await open(context, url);
  assert.match(await page.locator("#model").textContent() ?? "", /10 classes/);
  assert.equal(await page.locator("#sliders input").count(), 64, "every latent entry reachable");
  // Most entries do nothing for a given class (the class embedding gates z):
  // the page measures each entry's effect and puts the ones that act first.
  const note = page.locator("#effects-note").filter({ hasText: /of 64 entries/ });
  const active = Number((await note.textContent())!.match(/(\d+) of 64/)![1]);
  assert.ok(active >= 1 && active < 64, `${active} of 64 active`);
  assert.equal(await page.locator("#sliders .slider:not(.idle)").count(), active);
  assert.equal(
    await page.locator(`#sliders .slider:nth-child(-n+${active}):not(.idle)`).count(),
    active,
    "the active entries come first",
  );
  assert.match(await page.locator("#editor-status").textContent() ?? "", /in your browser/);

  // The browser draws what the API draws for the same latent and class.
  const same = await page.evaluate(async () => {
    const canvas = document.getElementById("editor");
    const [z, cls] = canvas.dataset.shown!.split("/");
    const res = await fetch(`/v1/sample?z=${z}&class=${cls}&format=png`);
    const bitmap = await createImageBitmap(await res.blob());
    const other = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = other.getContext("2d")!;
    ctx.drawImage(bitmap, 0, 0);
    const api = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    const ours = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
    let max = 0;
    for (let i = 0; i < api.length; i++) max = Math.max(max, Math.abs(api[i] - ours[i]));
    return { max, size: [bitmap.width, canvas.width] };
  });
  assert.deepEqual(same.size, [28, 28]);
  assert.ok(same.max <= 1, `browser and API pictures differ by ${same.max} levels`);

  // A drag: the picture follows, no request leaves, the URL keeps the latent.
  const before = await editorPixels(page);
  const sent = await drag(page, seen, 60);
  assert.deepEqual(sent, [], "a 60-move drag sends no request");
  assert.notDeepEqual(await editorPixels(page), before, "the drag changed the picture");
  await page.waitForURL(/[?&]z=/);
  assert.equal(await page.locator("#reset").isEnabled(), true);

  // Class, interpolation steps and end: each a request or two, kept in the URL.
  await page.locator("#class").selectOption("3");
  await pictureLoaded(page, "gallery", /class=3/);
  await page.locator("#steps").fill("5");
  await page.locator("#steps").dispatchEvent("change");
  await page.locator("#to").fill("99");
  await page.locator("#to").dispatchEvent("change");
  await pictureLoaded(page, "strip", /to=99.*steps=5|steps=5.*to=99/);
  const stripWidth = await page.evaluate(() => (document.getElementById("strip")).naturalWidth);
  assert.equal(stripWidth, 5 * 28 + 4 * 2, "five frames of 28 pixels, 2-pixel gutters");
  await page.waitForURL(/class=3/);
  await page.waitForURL(/steps=5/);
  const shown = await editorSettled(page);
  const pixels = await editorPixels(page);

  // The permalink round-trips: a new page at that URL shows the same state and picture.
  const link = page.url();
  assert.match(link, /seed=|z=/);
  const again = await open(context, link);
  assert.equal(await again.page.locator("#class").inputValue(), "3");
  assert.equal(await again.page.locator("#steps").inputValue(), "5");
  assert.equal(await again.page.locator("#to").inputValue(), "99");
  assert.equal(await editorSettled(again.page), shown, "same latent and class");
  assert.deepEqual(await editorPixels(again.page), pixels, "same picture");
  assert.deepEqual(again.seen.errors, []);
  await again.page.close();

  // Download: a PNG of the editor's picture, 10× its size.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.locator("#download").click(),
  ]);
  assert.equal(download.suggestedFilename(), "fashion-mnist-seed42-edited.png");
  const file = await Deno.readFile((await download.path())!);
  assert.deepEqual(pngSize(file), [280, 280]);
  // The gallery's own download link holds the API's PNG.
  assert.match(await page.locator("#gallery-download").getAttribute("href") ?? "", /^blob:/);
  assert.match(await page.locator("#gallery-download").getAttribute("download") ?? "", /\.png$/);

  // Back to the seed: the URL drops the latent.
  await page.locator("#reset").click();
  await page.waitForURL((u) => !u.search.includes("z="));
  assert.deepEqual(seen.errors, []);
  await shot(page, "image-light");
  await page.close();
}

/** A failing request shows its problem and a Retry that works; so does a broken link. */
async function errorStates(context: BrowserContext, url: string) {
  const page = await context.newPage();
  const seen = watch(page);
  const failGallery = "**/sample?*n=16*";
  await page.route(failGallery, (route) =>
    route.fulfill({
      status: 503,
      contentType: "application/problem+json",
      body: JSON.stringify({
        type: "about:blank",
        title: "Unavailable",
        status: 503,
        detail: "the model is busy",
      }),
    }));
  await page.goto(url);
  await page.locator("#gallery-error").waitFor({ state: "visible" });
  assert.match(await page.locator("#gallery-error").textContent() ?? "", /503: the model is busy/);
  assert.equal(await page.locator("#alert").isVisible(), true);
  assert.equal(await page.locator("#gallery-figure").getAttribute("aria-busy"), "false");
  await editorSettled(page); // the rest of the page still works
  await shot(page, "error-gallery");
  await page.unroute(failGallery);
  await page.locator("#alert-retry").click();
  await pictureLoaded(page, "gallery", /n=16/);
  assert.equal(await page.locator("#alert").isHidden(), true);
  assert.equal(await page.locator("#gallery-error").isHidden(), true);
  // The 503 is the only error the console saw (Chromium logs failed loads).
  assert.ok(seen.errors.every((e) => /503/.test(e)), seen.errors.join("\n"));
  await page.close();

  // The generator's artifact fails to load: the editor says so.
  const broken = await context.newPage();
  await broken.route(
    "**/models/*/model.json",
    (route) => route.fulfill({ status: 500, body: "no" }),
  );
  await broken.goto(url);
  await broken.locator("#editor-error").waitFor({ state: "visible" });
  assert.match(
    await broken.locator("#editor-error").textContent() ?? "",
    /could not start: .*500/,
  );
  await broken.close();

  // A link with bad values: the page says what it ignored and shows the rest.
  const linked = await context.newPage();
  await linked.goto(`${url}?seed=7&z=abc&steps=999`);
  await linked.locator("#alert").waitFor({ state: "visible" });
  const text = await linked.locator("#alert-text").textContent() ?? "";
  assert.match(text, /z: expected 64 comma-separated numbers or base64url/);
  assert.match(text, /steps: expected an integer in \[2, 64\]/);
  assert.equal(await linked.locator("#seed").inputValue(), "7");
  await linked.close();
}

/** The page in dark mode on a phone-sized screen, for the screenshots. */
async function narrowDark(url: string) {
  if (!SHOTS) return;
  const context = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] })
    .then((b) => b.newContext({ colorScheme: "dark", viewport: { width: 390, height: 844 } }));
  try {
    const { page } = await open(context, `${url}?seed=7&class=3`);
    await shot(page, "image-dark-narrow");
  } finally {
    await context.browser()!.close();
  }
}

const [pointsUrl, imagesUrl] = Deno.args;
const profile = await Deno.makeTempDir({ prefix: "gan-edge-chromium-" });
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1280, height: 900 },
  acceptDownloads: true,
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
  await pointsModel(context, pointsUrl);
  await imageModel(context, imagesUrl);
  await errorStates(context, imagesUrl);
  await narrowDark(imagesUrl);
  console.log("page ok");
} finally {
  await context.close();
  await Deno.remove(profile, { recursive: true });
}
