/**
 * `driftless logs` over many small files: the time and peak RSS of `--once` over N one-line
 * files, then the peak RSS and CPU of following them (idle) for a while.
 *
 * Usage: deno run -A bench/logs_many_files.ts [N=5000] [ROOT=this checkout]
 * (ROOT may point at another checkout, to compare two versions on the same machine.)
 */
const N = Number(Deno.args[0] ?? 5000);
const ROOT = Deno.args[1] ?? new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const FOLLOW_S = 20;

const dir = await Deno.makeTempDir({ prefix: "driftless_many_" });
try {
  await Deno.mkdir(`${dir}/logs`);
  await Deno.mkdir(`${dir}/config`);
  for (let i = 0; i < N; i++) {
    await Deno.writeTextFile(
      `${dir}/logs/f${String(i).padStart(5, "0")}.log`,
      `2024-05-01T10:00:00Z app[${i}]: seq=${
        String(i).padStart(7, "0")
      } one line of a small file\n`,
    );
  }
  const config = (state: string) =>
    `state_dir: ${dir}/${state}
sources:
  - name: many
    paths: ["${dir}/logs/*.log"]
    outputs: [out]
outputs:
  - name: out
    type: file
    path: ${dir}/out-${state}.log
    format: raw
`;
  const run = async (state: string, args: string[], followMs?: number) => {
    await Deno.writeTextFile(`${dir}/config/logs.yml`, config(state));
    const t0 = performance.now();
    const child = new Deno.Command("/usr/bin/time", {
      args: [
        "-f",
        "TIME %e %U %S %M",
        Deno.execPath(),
        "run",
        "--quiet",
        "-A",
        `${ROOT}/mod.ts`,
        "--config",
        `${dir}/config`,
        "logs",
        ...args,
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    if (followMs !== undefined) {
      await new Promise((r) => setTimeout(r, followMs));
      // `time` runs deno as its child: signal deno, not time.
      const pids = (await Deno.readTextFile(`/proc/${child.pid}/task/${child.pid}/children`))
        .trim().split(/\s+/).map(Number);
      for (const pid of pids) Deno.kill(pid, "SIGTERM");
    }
    const out = await child.output();
    const wall = (performance.now() - t0) / 1000;
    const m = /TIME (\S+) (\S+) (\S+) (\d+)/.exec(new TextDecoder().decode(out.stderr));
    const text = await Deno.readTextFile(`${dir}/out-${state}.log`).catch(() => "");
    const lines = text.split("\n").length - 1;
    return {
      wall,
      cpu: m ? Number(m[2]) + Number(m[3]) : NaN,
      rssMb: m ? Number(m[4]) / 1024 : NaN,
      lines,
    };
  };
  const say = (text: string) => Deno.stdout.write(new TextEncoder().encode(text + "\n"));
  await say(`driftless at ${ROOT}, ${N} one-line files:`);
  const once = await run("once", ["--once"]);
  await say(
    `  --once:  ${once.wall.toFixed(2)} s wall, ${once.cpu.toFixed(2)} s CPU, peak RSS ` +
      `${once.rssMb.toFixed(1)} MB, ${once.lines} lines shipped`,
  );
  const follow = await run("follow", [], FOLLOW_S * 1000);
  await say(
    `  follow ${FOLLOW_S} s: ${follow.cpu.toFixed(2)} s CPU, peak RSS ` +
      `${follow.rssMb.toFixed(1)} MB, ${follow.lines} lines shipped`,
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}
