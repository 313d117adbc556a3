/**
 * Measures the demo page in headless Chromium against the real edge (a
 * `deno task serve` process with its default limits, rate limit included):
 * a cold visit (empty cache) and a warm one (the same browser again): the
 * requests, the bytes on the wire (Chromium's own count; cache hits are 0),
 * the generator's share of them, and the time to the gallery and to the
 * latent editor's first picture; then for each of `--drags` slider drags
 * (60 pointer moves 16 ms apart, about one second, as a hand drags) the
 * requests the drag caused and the time from pointer release to the editor
 * showing the released latent (0 when it already showed it).
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
  // Bytes on the wire (cache hits count 0), from Chromium's own network events.
  const cdp = await browser.newCDPSession(page);
  await cdp.send("Network.enable");
  if (Number(values.rtt) > 0) {
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: Number(values.rtt),
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
  }
  const urls = new Map<string, string>();
  const wire: { url: string; bytes: number }[] = [];
  cdp.on("Network.requestWillBeSent", (e) => urls.set(e.requestId, e.request.url));
  cdp.on("Network.loadingFinished", (e) => {
    if (e.encodedDataLength > 0) {
      wire.push({ url: urls.get(e.requestId) ?? "", bytes: e.encodedDataLength });
    }
  });
  const requests: string[] = [];
  const statuses: number[] = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("response", (r) => statuses.push(r.status()));
  /** The generator's share: tfjs, the edge's modules, the artifact. */
  const forGenerator = (url: string) =>
    /^\/(vendor|models|kernels)\/|\.ts$|generator\.js$/.test(new URL(url).pathname);
  const visit = async () => {
    requests.length = 0;
    wire.length = 0;
    const t0 = Date.now();
    await page.goto(server.url);
    await page.waitForFunction(
      () => {
        const img = document.getElementById("gallery") as unknown as {
          complete: boolean;
          naturalWidth: number;
        };
        return img.complete && img.naturalWidth > 0;
      },
      undefined,
      { timeout: 30_000 },
    );
    const gallery = Date.now() - t0;
    await settled(page);
    const editor = Date.now() - t0;
    await page.waitForLoadState("networkidle");
    const sum = (f: (url: string) => boolean) =>
      wire.filter((w) => f(w.url)).reduce((n, w) => n + w.bytes, 0);
    return {
      requests: requests.length,
      bytes: sum(() => true),
      generatorBytes: sum(forGenerator),
      msToGallery: gallery,
      msToEditor: editor,
    };
  };
  const cold = await visit();
  const warm = await visit();
  const drags = [];
  for (let i = 0; i < Number(values.drags); i++) {
    drags.push(await drag(page, requests, i, i % 2 === 0));
  }
  console.log(JSON.stringify({
    cold,
    warm,
    requestsPerDrag: drags.map((d) => d[0]),
    releaseToPictureMs: drags.map((d) => Math.round(d[1] * 10) / 10),
    // The in-browser editor says how long its last picture took; a server-drawn one has no such line.
    editorStatus: await page.locator("#editor-status").count() > 0
      ? await page.locator("#editor-status").textContent()
      : null,
    tooManyRequests: statuses.filter((s) => s === 429).length,
  }));
} finally {
  await browser.close();
  await Deno.remove(profile, { recursive: true });
  await server.stop();
}
