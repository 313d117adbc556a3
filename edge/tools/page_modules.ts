/**
 * Writes the JavaScript the demo page runs of the edge's own TypeScript
 * modules (edge/routes/page.ts's BROWSER_MODULES): each module with its
 * types stripped, into edge/page/stripped/ (the same folders below it). Run it after changing one of
 * them; tests/edge/page_routes_test.ts fails until the files match.
 *
 * `deno run --allow-read --allow-write edge/tools/page_modules.ts`
 *
 * The stripping happens here, ahead of time, because Deno 2.5 (Deno
 * Deploy's runtime) has no `stripTypeScriptTypes`.
 *
 * @module
 */
import { stripTypeScriptTypes } from "node:module";
import { BROWSER_MODULES, strippedFile } from "../routes/page.ts";

const ROOT = new URL("../../", import.meta.url);

/**
 * The JavaScript served for `path`: Deno's type stripper in transform mode
 * (the kernels use parameter properties), relative imports of `.ts` files
 * pointed at their `.js` siblings, under a line naming its source.
 */
export function browserModule(path: string, source: string): string {
  // @ts-expect-error: Deno's types for node:module name only "strip"; its
  // runtime has Node's "transform" too (in Deno 2.9).
  const js: string = stripTypeScriptTypes(source, { mode: "transform" });
  return `// Generated from ${path} by edge/tools/page_modules.ts (types stripped); do not edit.\n` +
    js.replace(/(\bfrom\s*"\.{1,2}\/[^"]*)\.ts"/g, '$1.js"');
}

/** Each module's generated file (repository path) and its expected text. */
export async function expectedModules(): Promise<[string, string][]> {
  return await Promise.all(BROWSER_MODULES.map(async (path): Promise<[string, string]> => [
    strippedFile(path),
    browserModule(path, await Deno.readTextFile(new URL(path, ROOT))),
  ]));
}

if (import.meta.main) {
  for (const [file, text] of await expectedModules()) {
    const url = new URL(file, ROOT);
    await Deno.mkdir(new URL(".", url), { recursive: true });
    await Deno.writeTextFile(url, text);
    console.log(`wrote ${file}`);
  }
}
