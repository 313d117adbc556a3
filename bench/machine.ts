/**
 * The machine and the versions a bench ran with.
 *
 * @module
 */

/**
 * A /proc file's text, or "" when there is none. Deno asks for --allow-all
 * to read some of them (/proc/cpuinfo, another process's status), so the
 * fallback is `cat`, which --allow-run covers.
 */
export function readProc(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    try {
      const out = new Deno.Command("/bin/cat", { args: [path], stdout: "piped", stderr: "null" })
        .outputSync();
      return out.success ? new TextDecoder().decode(out.stdout) : "";
    } catch {
      return "";
    }
  }
}

/** The 1-, 5- and 15-minute load averages, from /proc/loadavg. */
export function loadAverage(): number[] {
  const text = readProc("/proc/loadavg");
  return text ? text.split(" ").slice(0, 3).map(Number) : Deno.loadavg();
}

/** CPU model, cores, memory and kernel. */
export function machine() {
  const cpuinfo = readProc("/proc/cpuinfo");
  const flags = cpuinfo.match(/^flags\s*:\s*(.*)$/m)?.[1].split(" ") ?? [];
  return {
    cpu: cpuinfo.match(/^model name\s*:\s*(.*)$/m)?.[1] ?? "unknown",
    cores: navigator.hardwareConcurrency,
    simd: ["avx2", "avx512f", "fma"].filter((f) => flags.includes(f)),
    memory_gb: Number((Deno.systemMemoryInfo().total / 2 ** 30).toFixed(1)),
    kernel: Deno.osRelease(),
    os: Deno.build.os,
  };
}

/** The first line a command prints, or null if it does not run. */
export async function firstLine(cmd: string, args: string[]): Promise<string | null> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return text.trim().split("\n")[0] || null;
  } catch {
    return null;
  }
}
