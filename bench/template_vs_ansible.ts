/**
 * Renders the same realistic config template (tests/fixtures/templates/bench/site.conf.j2 with
 * vars.yml, ~230 output lines) with driftless and with Ansible in one run, checks that both
 * produce the same bytes, and prints the times and ratios:
 *
 * - end to end: `driftless template` (a fresh process) vs a one-task `ansible-playbook`
 *   (template module, gather_facts off), median of RUNS runs;
 * - in process: one render with the engine warm (compiled template cached) and with compiling,
 *   vs Ansible's own Templar (which compiles on every call), mean of ITERATIONS renders.
 *
 *   deno run -A bench/template_vs_ansible.ts            # RUNS=3 ITERATIONS=200 by default
 *
 * Needs ansible-core (Debian's ansible-core 2.14) and /usr/bin/python3 with Ansible's modules.
 */
import { parse } from "yaml";
import { renderTemplate } from "../lib/template/engine.ts";

const RUNS = Number(Deno.env.get("RUNS") ?? 3);
const ITERATIONS = Number(Deno.env.get("ITERATIONS") ?? 200);
const root = new URL("../", import.meta.url).pathname;
const fixtures = `${root}tests/fixtures/templates/bench`;

function out(line = ""): void {
  Deno.stdout.writeSync(new TextEncoder().encode(`${line}\n`));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function wall(
  cmd: string,
  args: string[],
  cwd: string,
): Promise<{ ms: number; stdout: string }> {
  const t = performance.now();
  const r = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const ms = performance.now() - t;
  if (!r.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${new TextDecoder().decode(r.stderr)}`);
  }
  return { ms, stdout: new TextDecoder().decode(r.stdout) };
}

const dir = await Deno.makeTempDir({ prefix: "driftless_template_bench_" });
try {
  await Deno.copyFile(`${fixtures}/site.conf.j2`, `${dir}/site.conf.j2`);
  await Deno.copyFile(`${fixtures}/vars.yml`, `${dir}/vars.yml`);
  const source = await Deno.readTextFile(`${dir}/site.conf.j2`);
  const vars = parse(await Deno.readTextFile(`${dir}/vars.yml`)) as Record<string, unknown>;

  // -- end to end ---------------------------------------------------------------------------
  const cli = [
    "run",
    "-A",
    `${root}mod.ts`,
    "template",
    `${dir}/site.conf.j2`,
    "--vars",
    `${dir}/vars.yml`,
  ];
  const oursRuns: number[] = [];
  let ours = "";
  for (let i = 0; i < RUNS; i++) {
    const r = await wall(Deno.execPath(), cli, dir);
    oursRuns.push(r.ms);
    ours = r.stdout;
  }
  await Deno.writeTextFile(
    `${dir}/site.yml`,
    [
      "- hosts: localhost",
      "  gather_facts: false",
      "  connection: local",
      "  vars_files: [vars.yml]",
      "  tasks:",
      `    - template: {src: site.conf.j2, dest: ${dir}/ansible.conf}`,
      "",
    ].join("\n"),
  );
  const ansibleRuns: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await Deno.remove(`${dir}/ansible.conf`).catch(() => {});
    ansibleRuns.push((await wall("ansible-playbook", ["-i", "localhost,", "site.yml"], dir)).ms);
  }
  const theirs = await Deno.readTextFile(`${dir}/ansible.conf`);

  // -- in process ---------------------------------------------------------------------------
  await renderTemplate(source, vars);
  let t = performance.now();
  for (let i = 0; i < ITERATIONS; i++) await renderTemplate(source, vars);
  const warm = (performance.now() - t) / ITERATIONS;
  t = performance.now();
  for (let i = 0; i < ITERATIONS; i++) await renderTemplate(`{# ${i} #}${source}`, vars);
  const compiled = (performance.now() - t) / ITERATIONS;
  const py = [
    "import time, yaml",
    "from ansible.parsing.dataloader import DataLoader",
    "from ansible.template import Templar",
    `src = open('${dir}/site.conf.j2').read()`,
    `variables = yaml.safe_load(open('${dir}/vars.yml'))`,
    "templar = Templar(loader=DataLoader(), variables=variables)",
    "render = lambda: templar.do_template(src, preserve_trailing_newlines=True, escape_backslashes=False)",
    "render()",
    "t = time.perf_counter()",
    `for _ in range(${ITERATIONS}): render()`,
    `print((time.perf_counter() - t) / ${ITERATIONS} * 1000)`,
  ].join("\n");
  const templarMs = Number((await wall("/usr/bin/python3", ["-c", py], dir)).stdout.trim());

  // -- report -------------------------------------------------------------------------------
  const lines = theirs.split("\n").length - 1;
  const same = ours === theirs;
  out(
    `template: site.conf.j2 -> ${lines} lines, ${theirs.length} bytes; driftless output identical: ${same}`,
  );
  if (!same) {
    const a = ours.split("\n");
    const b = theirs.split("\n");
    const i = a.findIndex((l, k) => l !== b[k]);
    out(
      `  first difference at line ${i + 1}:\n  driftless: ${JSON.stringify(a[i])}\n  ansible:   ${
        JSON.stringify(b[i])
      }`,
    );
  }
  out("");
  out("| measure | driftless | ansible-core 2.14 | ratio (ansible / driftless) |");
  out("|---|---|---|---|");
  const row = (name: string, d: number, a: number) =>
    out(`| ${name} | ${d.toFixed(2)} ms | ${a.toFixed(2)} ms | ${(a / d).toFixed(1)}x |`);
  row(
    `end to end, median of ${RUNS} (driftless template CLI vs ansible-playbook)`,
    median(oursRuns),
    median(ansibleRuns),
  );
  row(`one render in process, compiled template cached (mean of ${ITERATIONS})`, warm, templarMs);
  row(`one render in process, compiling each time (mean of ${ITERATIONS})`, compiled, templarMs);
} finally {
  await Deno.remove(dir, { recursive: true });
}
