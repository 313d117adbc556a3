/**
 * Measures the demo page in headless Chromium against the real edge (a
 * `deno task serve` process with its default limits, rate limit included):
 * the bytes and requests of a cold start, then for each of `--drags` slider
 * drags (60 pointer moves 16 ms apart, about one second, as a hand drags)
 * the requests the drag caused and the time from pointer release to the
 * editor showing the released latent.
 *
 * `--rtt MS` adds that round-trip latency to every request (Chromium's
 * network emulation), as a client far from the edge sees it.
 *
 * Usage: deno run -A tests/e2e/page_measure.ts [--model DIR] [--drags N] [--rtt MS]
 * Prints one JSON line of figures.
 */
import { parseArgs } from "node:util";
import { chromium, type Page } from "playwright-core";
import { ROOT, start } from "../helpers/edge_server.ts";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: `${ROOT}/edge/models/fashion-mnist` },
    drags: { type: "string", default: "5" },
    rtt: { type: "string", default: "0" },
  },
});

// Types of the page's objects that the browser-side functions touch (this
// file is type-checked without the DOM library).
interface Editor {
  dataset: { want?: string; shown?: string };
}
declare const document: {
  getElementById(id: string): Editor;
  addEventListener(type: string, f: () => void, capture: boolean): void;
};
declare const performance: { now(): number };
declare const MutationObserver: new (f: () => void) => {
  observe(target: Editor, options: { attributes: boolean }): void;
};
declare const globalThis: { released?: number; shownAt?: number };

/** Whether the editor shows the latent the sliders ask for. */
function settled(page: Page) {
  return page.waitForFunction(
    () => {
      const e = document.getElementById("editor").dataset;
      return e.want !== undefined && e.want === e.shown;
    },
    undefined,
    { timeout: 30_000 },
  );
}

/**
 * One drag of slider `z${i}` from end to end (each drag its own slider, so
 * that no picture can come from the browser's cache); returns [requests,
 * release-to-picture ms].
 */
async function drag(page: Page, requests: string[], i: number, leftToRight: boolean) {
  await page.locator(`#z${i}`).scrollIntoViewIfNeeded();
  const box = (await page.locator(`#z${i}`).boundingBox())!;
  const y = box.y + box.height / 2;
  const [from, to] = leftToRight
    ? [box.x + 4, box.x + box.width - 4]
    : [box.x + box.width - 4, box.x + 4];
  await page.evaluate(() => {
    globalThis.released = undefined;
    globalThis.shownAt = undefined;
    document.addEventListener("pointerup", () => {
      globalThis.released = performance.now();
      // The picture may already show the last position when the pointer lifts.
      const e = document.getElementById("editor").dataset;
      if (e.want === e.shown) globalThis.shownAt = globalThis.released;
    }, true);
    new MutationObserver(() => {
      const e = document.getElementById("editor").dataset;
      if (globalThis.released !== undefined && e.want === e.shown) {
        globalThis.shownAt ??= performance.now();
      }
    }).observe(document.getElementById("editor"), { attributes: true });
  });
  const before = requests.length;
  await page.mouse.move(from, y);
  await page.mouse.down();
  for (let i = 1; i <= 60; i++) {
    await page.mouse.move(from + (to - from) * i / 60, y);
    await new Promise((r) => setTimeout(r, 16));
  }
  await page.mouse.up();
  await settled(page).catch(async (e) => {
    const d = await page.evaluate(() => document.getElementById("editor").dataset);
    throw new Error(`${e.message}: ${JSON.stringify(d)} after ${requests.length - before}`);
  });
  await page.waitForFunction(() => globalThis.shownAt !== undefined);
  await new Promise((r) => setTimeout(r, 500)); // let stragglers arrive
  const ms = await page.evaluate(() => globalThis.shownAt! - globalThis.released!);
  return [requests.length - before, ms];
}

const server = await start(Deno.execPath(), [
  "run",
  "--allow-read",
  "--allow-net=127.0.0.1",
  "--allow-env",
  "edge/serve.ts",
  "--model",
  values.model,
  "--port",
  "0",
  "--hostname",
  "127.0.0.1",
]);
const profile = await Deno.makeTempDir({ prefix: "gan-edge-measure-" });
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
try {
  const page = await browser.newPage();
  if (Number(values.rtt) > 0) {
    const cdp = await browser.newCDPSession(page);
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: Number(values.rtt),
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
  }
  const requests: string[] = [];
  const statuses: number[] = [];
  let bytes = 0;
  page.on("request", (r) => requests.push(r.url()));
  page.on("requestfinished", async (r) => {
    const sizes = await r.sizes();
    bytes += sizes.responseBodySize + sizes.responseHeadersSize;
    statuses.push((await r.response())?.status() ?? 0);
  });
  const t0 = Date.now();
  await page.goto(server.url, { waitUntil: "networkidle" });
  await settled(page);
  const startMs = Date.now() - t0;
  const start = { requests: requests.length, bytes, ms: startMs };
  const drags = [];
  for (let i = 0; i < Number(values.drags); i++) {
    drags.push(await drag(page, requests, i, i % 2 === 0));
  }
  const counts = drags.map((d) => d[0]);
  const times = drags.map((d) => Math.round(d[1] * 10) / 10);
  console.log(JSON.stringify({
    start,
    requestsPerDrag: counts,
    releaseToPictureMs: times,
    tooManyRequests: statuses.filter((s) => s === 429).length,
  }));
} finally {
  await browser.close();
  await Deno.remove(profile, { recursive: true });
  await server.stop();
}
