/**
 * The cold-start floor: the smallest Deno HTTP server (no imports, a fixed
 * 200 on every path), started the way the bench starts ours, so that the
 * bench can say how much of our cold start is Deno and the machine's process
 * start-up rather than our code: `deno run --allow-net hello_server.ts
 * --port N --hostname H`.
 *
 * @module
 */
const arg = (name: string) => Deno.args[Deno.args.indexOf(name) + 1];
Deno.serve(
  { port: Number(arg("--port")), hostname: arg("--hostname"), onListen: () => {} },
  () => new Response("ok"),
);
