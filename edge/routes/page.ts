/**
 * The demo page (`GET /`) and everything it loads. The page draws its
 * gallery and interpolation strip through the API, and runs the generator
 * itself in the browser, so that its latent sliders answer at once and cost
 * the edge nothing. For that the page loads:
 *
 * - its own files (`edge/page/`) and shared's latent codec;
 * - the edge's own wasm start-up, forward pass and kernels
 *   (`edge/backend.ts`, `edge/inference.ts`, `edge/generate.ts`,
 *   `kernels/…`) as JavaScript, their types stripped ahead of time (see
 *   {@link strippedFile}), so the browser runs the very code the edge runs;
 * - tfjs-core and tfjs-backend-wasm (ES modules and .wasm) from the npm
 *   packages the edge itself imports, pinned by deno.lock, under URLs that
 *   name their version: no CDN, and no package the edge does not load;
 * - the served model's artifact, under its hash.
 *
 * URL paths are repository paths, so the modules' relative imports resolve
 * in the browser as they do in Deno; bare ones resolve through the page's
 * import map. Every file comes from a fixed list and is read once, on its
 * first request; no part of a request ever names a file outside the list.
 * What is served under a version or a hash never changes, so it is cached
 * for good; the rest is revalidated after 5 minutes.
 *
 * @module
 */
import { type Context, Hono } from "hono";
import { etag } from "hono/etag";
import { version_core } from "@tensorflow/tfjs-core";
import { version_wasm } from "@tensorflow/tfjs-backend-wasm";
import { IMMUTABLE } from "../cache.ts";
import { notFound } from "../problem.ts";
import type { Sampler } from "../sampler.ts";

/** A file to serve: its media type and how to read it. */
interface Asset {
  type: string;
  read: () => Promise<Uint8Array | string>;
}

const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";
const WASM = "application/wasm";
/** Cache-Control of the page's own files, which change with a deploy. */
const REVALIDATE_SOON = "public, max-age=300";

const fromRepo = (path: string) => new URL(`../../${path}`, import.meta.url);

/** Files of the repository, by the name that follows `folder/`. */
function repoFiles(
  folder: string,
  names: Record<string, string>,
  read = (path: string) => Deno.readFile(fromRepo(path)) as Promise<Uint8Array | string>,
): Map<string, Asset> {
  return new Map(
    Object.entries(names).map(([name, type]) => [name, {
      type,
      read: () => read(`${folder}/${name}`),
    }]),
  );
}

/** The repository paths of the edge's TypeScript modules that the page imports. */
export const BROWSER_MODULES: readonly string[] = [
  "edge/backend.ts",
  "edge/inference.ts",
  "edge/generate.ts",
  "kernels/registry.ts",
  "kernels/wasm_backend.ts",
  "kernels/inference/mod.ts",
  "kernels/inference/conv2d_backprop_input.ts",
  "kernels/inference/gather_v2.ts",
];

/**
 * Where the JavaScript of a module of {@link BROWSER_MODULES} is kept, and
 * served (the same path): types stripped ahead of time by
 * `edge/tools/page_modules.ts` (Deno 2.5, Deno Deploy's runtime, has no type
 * stripper), kept equal to its source by tests/edge/page_routes_test.ts.
 */
export const strippedFile = (path: string) => `edge/page/stripped/${path.replace(/\.ts$/, ".js")}`;

/** The stripped modules, one folder of files per source folder. */
function strippedFolders(): Folder[] {
  const folders = Map.groupBy(BROWSER_MODULES.map(strippedFile), (f) => f.replace(/\/[^/]*$/, ""));
  return [...folders].map(([folder, files]) => ({
    path: `/${folder}/:file`,
    cache: REVALIDATE_SOON,
    summary: `The edge's modules of ${folder.replace("edge/page/stripped/", "")}/ that the ` +
      "demo page runs, as JavaScript.",
    files: repoFiles(folder, Object.fromEntries(files.map((f) => [f.split("/").pop()!, JS]))),
  }));
}

/**
 * Files of an installed npm package, by name, each next to the module that
 * `specifier` resolves to (the package's dist/ folder).
 */
function packageFiles(specifier: string, names: Record<string, string>): Map<string, Asset> {
  return new Map(
    Object.entries(names).map(([name, type]) => [name, {
      type,
      read: () => Deno.readFile(new URL(name, import.meta.resolve(specifier))),
    }]),
  );
}

/** A folder of files the page loads: one route, one parameter. */
interface Folder {
  /** The Hono path, ending in `:file`. */
  path: string;
  summary: string;
  files: Map<string, Asset>;
  /** Cache-Control: files under a version never change. */
  cache: string;
}

/** The page's folders of files, besides the npm packages and the artifact. */
const FOLDERS: Folder[] = [
  {
    path: "/edge/page/:file",
    cache: REVALIDATE_SOON,
    summary: "The demo page's scripts and style sheet.",
    files: repoFiles("edge/page", {
      "demo.js": JS,
      "demo.css": CSS,
      "state.js": JS,
      "draw.js": JS,
      "generator.js": JS,
      "node_builtin.js": JS,
    }),
  },
  {
    path: "/shared/:file",
    cache: REVALIDATE_SOON,
    summary: "The `z` parameter's codec, which the demo page imports.",
    files: repoFiles("shared", { "latent_codec.js": JS }),
  },
  ...strippedFolders(),
];

/**
 * The npm files, under the versions the edge runs (tfjs's own version
 * constants), so a dependency bump changes their URLs. The .wasm files sit
 * beside the backend's module, where `edge/backend.ts` points tfjs
 * (`setWasmPaths`, from the import map's URL in the browser).
 */
const VENDOR: Folder[] = [
  {
    path: `/vendor/tfjs-core@${version_core}/:file`,
    summary: "tfjs-core's ES module, from the npm package the edge runs, for the demo page.",
    files: packageFiles("@tensorflow/tfjs-core", { "tf-core.fesm.min.js": JS }),
    cache: IMMUTABLE,
  },
  {
    path: `/vendor/tfjs-backend-wasm@${version_wasm}/:file`,
    summary: "tfjs-backend-wasm's ES module and .wasm files, from the npm package the edge " +
      "runs, for the demo page.",
    files: packageFiles("@tensorflow/tfjs-backend-wasm", {
      "tf-backend-wasm.fesm.min.js": JS,
      "tfjs-backend-wasm-simd.wasm": WASM,
      "tfjs-backend-wasm.wasm": WASM,
    }),
    cache: IMMUTABLE,
  },
];

/**
 * The page's import map: where the browser finds the bare specifiers of the
 * modules above. tfjs-backend-wasm's ES build imports four Node built-ins it
 * uses only under Node; they map to an empty module, as the package's
 * `browser` field maps them to nothing for bundlers.
 */
export function importMap(): string {
  const builtin = "/edge/page/node_builtin.js";
  return JSON.stringify({
    imports: {
      "@tensorflow/tfjs-core": `/vendor/tfjs-core@${version_core}/tf-core.fesm.min.js`,
      "@tensorflow/tfjs-backend-wasm":
        `/vendor/tfjs-backend-wasm@${version_wasm}/tf-backend-wasm.fesm.min.js`,
      "@gan-edge/kernels/inference": `/${strippedFile("kernels/inference/mod.ts")}`,
      fs: builtin,
      os: builtin,
      path: builtin,
      perf_hooks: builtin,
    },
  });
}

/**
 * The CSP `script-src` sources the page needs besides 'self': its inline
 * import map, by hash (a CSP treats an import map as an inline script), and
 * 'wasm-unsafe-eval', which lets WebAssembly compile and nothing else.
 * Computed once, as this module loads.
 */
export const PAGE_SCRIPT_SOURCES: readonly string[] = await (async () => {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(importMap()));
  const base64 = btoa(String.fromCharCode(...new Uint8Array(digest)));
  return [`'sha256-${base64}'`, "'wasm-unsafe-eval'"];
})();

/** index.html's import map, empty on disk: the served page gets {@link importMap}'s. */
const IMPORT_MAP_SLOT = /<script type="importmap">[^<]*<\/script>/;

/**
 * `<link rel="modulepreload">` for every module of the in-browser generator:
 * the browser fetches them side by side as the page loads, rather than one
 * level of imports after another once the page asks for the generator.
 */
function generatorPreloads(): string {
  const paths = [
    "/edge/page/generator.js",
    "/edge/page/node_builtin.js",
    ...BROWSER_MODULES.map((path) => `/${strippedFile(path)}`),
    ...VENDOR.flatMap((f) =>
      [...f.files].filter(([, a]) => a.type === JS).map(([name]) => f.path.replace(":file", name))
    ),
  ];
  return paths.map((href) => `<link rel="modulepreload" href="${href}">`).join("\n");
}

/** A page route as the OpenAPI document describes it. */
export interface PageRouteDoc {
  /** The path as OpenAPI writes it (`{file}` for `:file`). */
  path: string;
  summary: string;
  /** The media types it answers with. */
  types: string[];
  /** Each path parameter's accepted values. */
  params: Record<string, string[]>;
}

/** The page routes for the served models (`hashes`, artifact file names `files`). */
export function pageRouteDocs(
  hashes: readonly string[],
  files: readonly string[],
): PageRouteDoc[] {
  const types = (assets: Iterable<Asset>) => [...new Set([...assets].map((a) => a.type))];
  return [
    { path: "/", summary: "The demo page.", types: ["text/html"], params: {} },
    ...[...FOLDERS, ...VENDOR].map((f) => ({
      path: f.path.replace(":file", "{file}"),
      summary: f.summary,
      types: types(f.files.values()),
      params: { file: [...f.files.keys()] },
    })),
    {
      path: "/models/{hash}/{file}",
      summary: "A served model's artifact (model.json and its shards), which the demo page " +
        "runs in the browser; immutable.",
      types: ["application/json", "application/octet-stream"],
      params: { hash: [...hashes], file: [...files] },
    },
  ];
}

/** Reads an asset once, on its first request; a failed read is tried again. */
function memo(asset: Asset): () => Promise<Uint8Array | string> {
  let body: Promise<Uint8Array | string> | undefined;
  return () => {
    body ??= asset.read();
    body.catch(() => body = undefined);
    return body;
  };
}

/** The page routes for the served models, `samplers` (the page runs the first, the default). */
export function pageRoutes(samplers: readonly Pick<Sampler, "hash" | "files">[]) {
  const bodies = new Map<Asset, () => Promise<Uint8Array | string>>();
  /** `asset`'s response, or a 404 problem when the request names none. */
  const send = async (c: Context, asset: Asset | undefined, cache: string) => {
    if (!asset) throw notFound(c.req.method, c.req.path);
    if (!bodies.has(asset)) bodies.set(asset, memo(asset));
    const body = await bodies.get(asset)!();
    return c.body(body as Uint8Array<ArrayBuffer> | string, 200, {
      "Content-Type": asset.type,
      "Cache-Control": cache,
    });
  };
  const page: Asset = {
    type: "text/html; charset=UTF-8",
    read: async () =>
      (await Deno.readTextFile(fromRepo("edge/page/index.html")))
        .replace(
          IMPORT_MAP_SLOT,
          `<script type="importmap">${importMap()}</script>\n${generatorPreloads()}`,
        ),
  };
  /** Each model's artifact files, by hash, then by name. */
  const artifacts = new Map(samplers.map(({ hash, files }) => [
    hash,
    new Map<string, Asset>(
      [...files].map(([name, bytes]) => [name, {
        type: name.endsWith(".json") ? "application/json" : "application/octet-stream",
        read: () => Promise.resolve(bytes),
      }]),
    ),
  ]));

  // What is revalidated gets a (weak: gzip or not) ETag, so an unchanged file is a 304.
  const tag = etag({ weak: true });
  const app = new Hono().get("/", tag, (c) => send(c, page, REVALIDATE_SOON));
  for (const { path, files, cache } of FOLDERS) {
    app.get(path, tag, (c) => send(c, files.get(c.req.param("file")!), cache));
  }
  for (const { path, files, cache } of VENDOR) {
    app.get(path, (c) => send(c, files.get(c.req.param("file")!), cache));
  }
  return app
    .get("/models/:hash/:file", (c) => {
      const asset = artifacts.get(c.req.param("hash"))?.get(c.req.param("file"));
      return send(c, asset, IMMUTABLE);
    });
}
