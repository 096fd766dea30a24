import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { gunzip } from "../../lib/sinks/gzip.ts";
import { ROOT, runCli, writeTree } from "../_helpers/cli.ts";
import { startDriftless } from "../lib/facts/_serve.ts";
import { requires } from "../lib/facts/_fixtures.ts";

async function configDir(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "driftless-facts-" });
  await writeTree(dir, files);
  return dir;
}

Deno.test("driftless facts prints facts and a metrics snapshot as JSON", async () => {
  const home = await Deno.makeTempDir();
  try {
    // No config dir at the default place: the defaults apply, as for node_exporter.
    // A fresh HOME would also move Deno's cache; keep the warm one.
    const info = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json"],
      stdout: "piped",
    })
      .output();
    const denoDir = JSON.parse(new TextDecoder().decode(info.stdout)).denoDir as string;
    const r = await runCli(["facts", "--collector", "cpu,loadavg", "--collector", "meminfo"], {
      env: { HOME: home, DENO_DIR: denoDir },
    });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.facts.system, "Linux");
    assert.equal(doc.facts.hostname, Deno.hostname().split(".")[0]);
    assert.ok(doc.facts.memtotal_mb > 0);
    const names = doc.metrics.map((f: { name: string }) => f.name);
    assert.ok(names.includes("node_cpu_seconds_total"));
    assert.ok(names.includes("node_memory_MemTotal_bytes"));
    assert.ok(!names.includes("node_filesystem_size_bytes"), "only the named collectors ran");
    const success = doc.metrics.find((f: { name: string }) =>
      f.name === "node_scrape_collector_success"
    );
    assert.deepEqual(
      success.samples.map((s: { labels: { collector: string } }) => s.labels.collector),
      ["cpu", "loadavg", "meminfo"],
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("driftless facts --format yaml and --format prometheus", async () => {
  const dir = await configDir({ "facts.yml": "collectors:\n  netclass: { enabled: false }\n" });
  try {
    const y = await runCli(["--config", dir, "facts", "-f", "yaml", "--no-metrics"]);
    assert.equal(y.code, 0, y.stderr);
    const doc = parseYaml(y.stdout);
    assert.equal(doc.facts.os_family.length > 0, true);
    assert.equal(doc.metrics, undefined);

    const p = await runCli(["--config", dir, "facts", "--format", "prometheus"]);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /^# TYPE node_cpu_seconds_total counter$/m);
    assert.match(p.stdout, /^# TYPE node_vmstat_pgfault untyped$/m);
    assert.doesNotMatch(p.stdout, /node_network_up/, "netclass is disabled in facts.yml");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driftless facts: unknown collectors and bad facts config are usage errors (exit 2)", async () => {
  const bad = await runCli(["facts", "--collector", "meminf"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown collector "meminf"; did you mean "meminfo"\?/);
  const listen = await runCli(["facts", "--serve", "--listen", "localhost"]);
  assert.equal(listen.code, 2);
  assert.match(listen.stderr, /--listen: expected host:port/);

  const dir = await configDir({
    "facts.yml": "collectors:\n  cpuu: {}\nserve:\n  basic_auth_users:\n    bob: hunter2\n",
  });
  try {
    const r = await runCli(["--config", dir, "facts"]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /facts\.yml:2:3 collectors\.cpuu: unknown key "cpuu"; did you mean "cpu"\?/,
    );
    assert.match(r.stderr, /facts\.yml:5:10 serve\.basic_auth_users\.bob: expected a bcrypt hash/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driftless facts logs a threshold crossing as a structured event", async () => {
  const dir = await configDir({
    "facts.yml": [
      "thresholds:",
      "  - name: too_many_cpus",
      '    metric: node_cpu_seconds_total{mode="idle",cpu="0"}',
      "    warn: 0",
      "collectors:",
      "  cpu: {}",
    ].join("\n") + "\n",
  });
  try {
    const r = await runCli(["--config", dir, "facts", "--collector", "cpu", "-f", "prometheus"]);
    assert.equal(r.code, 0, r.stderr);
    const event = JSON.parse(r.stderr.split("\n").find((l) => l.startsWith("{"))!);
    assert.equal(event.event, "threshold");
    assert.equal(event.threshold, "too_many_cpus");
    assert.equal(event.severity, "warning");
    assert.deepEqual(event.labels, { cpu: "0", mode: "idle" });
    assert.match(
      r.stdout,
      /^driftless_threshold_state\{threshold="too_many_cpus",metric="node_cpu_seconds_total",cpu="0",mode="idle",severity="warning"\} 1$/m,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driftless facts --check exits 1 when a threshold is critical, 0 when none is, 2 for config errors", async () => {
  const rules = (crit: number) =>
    [
      "thresholds:",
      "  - name: idle_cpu0",
      '    metric: node_cpu_seconds_total{mode="idle",cpu="0"}',
      `    crit: ${crit}`,
      "  - { name: absent, metric: node_no_such_metric, warn: 1 }",
    ].join("\n") + "\n";
  const crit = await configDir({ "facts.yml": rules(0) });
  const calm = await configDir({ "facts.yml": rules(1e300) });
  const none = await configDir({ "facts.yml": "collectors: {}\n" });
  const unnamed = await configDir({
    "facts.yml": "thresholds:\n  - { metric: node_load1, warn: 1 }\n",
  });
  const twice = await configDir({
    "facts.yml":
      "thresholds:\n  - { name: a, metric: node_load1, warn: 1 }\n  - { name: a, metric: node_load5, warn: 1 }\n",
  });
  try {
    const bad = await runCli(["--config", crit, "facts", "--check", "--collector", "cpu"]);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(
      bad.stdout,
      /^critical idle_cpu0: node_cpu_seconds_total\{cpu="0",mode="idle"\} = \S+ \(crit at or above 0\)$/m,
    );
    assert.match(bad.stderr, /threshold absent matched no series/);
    const ok = await runCli([
      "--config",
      calm,
      "facts",
      "--check",
      "--collector",
      "cpu",
      "-f",
      "json",
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(
      JSON.parse(ok.stdout).map((
        s: { threshold: string; severity: string },
      ) => [s.threshold, s.severity]),
      [["idle_cpu0", "ok"]],
    );
    const empty = await runCli(["--config", none, "facts", "--check"]);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /no thresholds to check/);
    const noName = await runCli(["--config", unnamed, "facts", "--check"]);
    assert.equal(noName.code, 2);
    assert.match(noName.stderr, /facts\.yml:2:5 thresholds\[0\]\.name: missing required key/);
    const dup = await runCli(["--config", twice, "facts", "--check"]);
    assert.equal(dup.code, 2);
    assert.match(dup.stderr, /threshold name "a" is also used by thresholds\[0\]/);
  } finally {
    for (const d of [crit, calm, none, unnamed, twice]) await Deno.remove(d, { recursive: true });
  }
});

Deno.test("driftless facts --serve sends threshold crossings to the audit log and its sinks", async () => {
  const state = await Deno.makeTempDir();
  const dir = await configDir({
    "facts.yml": [
      "interval: 200ms",
      "thresholds:",
      "  - name: idle_cpu0",
      '    metric: node_cpu_seconds_total{mode="idle",cpu="0"}',
      "    warn: 0",
    ].join("\n") + "\n",
    "agent.yml":
      `audit:\n  sinks:\n    - { name: events, type: file, path: ${state}/events.jsonl }\n`,
  });
  const s = await startDriftless({ config: dir, env: { DRIFTLESS_STATE_DIR: state } });
  try {
    const read = async (path: string) => await Deno.readTextFile(path).catch(() => "");
    const deadline = Date.now() + 20_000;
    let audit = "";
    let sink = "";
    while (Date.now() < deadline && !(audit && sink)) {
      await new Promise((r) => setTimeout(r, 100));
      const day = new Date().toISOString().slice(0, 10);
      audit = await read(`${state}/audit/audit-${day}.jsonl`);
      sink = await read(`${state}/events.jsonl`);
    }
    for (const text of [audit, sink]) {
      const event = JSON.parse(text.trim().split("\n")[0]!);
      assert.equal(event.event, "threshold");
      assert.equal(event.threshold, "idle_cpu0");
      assert.equal(event.severity, "warning");
      assert.equal(event.previous, "ok");
    }
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(state, { recursive: true });
  }
});

Deno.test("driftless facts --serve stops gracefully on SIGTERM and on SIGINT", async () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    const s = await startDriftless();
    const r = await fetch(s.url);
    assert.equal(r.status, 200);
    assert.match(await r.text(), /^node_exporter_build_info\{/m);
    const status = await s.stop(signal);
    assert.equal(status.code, 0, s.stderr());
    assert.match(s.stderr(), /stopped/);
  }
});

Deno.test("driftless facts --serve takes path and basic auth from facts.serve", async () => {
  const { hash } = await import("bcryptjs");
  const dir = await configDir({
    "facts.yml": `serve:\n  path: /node/metrics\n  basic_auth_users:\n    prom: "${await hash(
      "pw-for-prom",
      4,
    )}"\n`,
  });
  const s = await startDriftless({ config: dir });
  try {
    assert.ok(s.url.endsWith("/node/metrics"));
    const denied = await fetch(s.url);
    assert.equal(denied.status, 401);
    await denied.body?.cancel();
    const ok = await fetch(s.url, {
      headers: { authorization: `Basic ${btoa("prom:pw-for-prom")}` },
    });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /node_load1/);
  } finally {
    await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driftless facts --push writes a snapshot; --serve pushes on the exporter's interval", async () => {
  const out = await Deno.makeTempDir();
  const dir = await configDir({
    "facts.yml":
      `exporters:\n  - type: file\n    dir: ${out}\n    interval: 1s\n    max_files: 2\n`,
  });
  try {
    const r = await runCli(["--config", dir, "facts", "--push", "--collector", "loadavg"]);
    assert.equal(r.code, 0, r.stderr);
    const files = (await Array.fromAsync(Deno.readDir(out))).map((e) => e.name);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^.+-\d{8}T\d{6}\.\d{3}Z\.prom\.gz$/);
    const text = new TextDecoder().decode(await gunzip(await Deno.readFile(`${out}/${files[0]}`)));
    assert.match(text, /^node_load1 /m);

    await Deno.remove(`${out}/${files[0]}`);
    const s = await startDriftless({ config: dir, args: ["--collector", "loadavg"] });
    try {
      const deadline = Date.now() + 15_000;
      while (
        (await Array.fromAsync(Deno.readDir(out))).filter((e) => e.name.endsWith(".gz")).length <
          2 &&
        Date.now() < deadline
      ) {
        await new Promise((res) => setTimeout(res, 200));
      }
      await new Promise((res) => setTimeout(res, 1500));
    } finally {
      await s.stop();
    }
    const kept = (await Array.fromAsync(Deno.readDir(out))).filter((e) => e.name.endsWith(".gz"));
    assert.equal(kept.length, 2, "rotated to max_files");
  } finally {
    await Deno.remove(out, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("driftless facts without -A: metrics need all permissions (exit 77), facts alone work", async () => {
  const dir = await configDir({ "facts.yml": "collectors:\n  cpu: {}\n" });
  try {
    const flags = [
      "--no-prompt",
      `--allow-read=${ROOT},/etc,${dir}`,
      "--allow-sys=hostname,osRelease",
      "--allow-env=DRIFTLESS_*",
      "--ignore-env",
    ];
    const r = await runCli(["--config", dir, "facts"], { flags });
    assert.equal(r.code, 77, r.stderr);
    assert.match(r.stderr, /run again with: -A/);
    const f = await runCli(["--config", dir, "facts", "--no-metrics"], { flags });
    assert.equal(f.code, 0, f.stderr);
    const doc = JSON.parse(f.stdout);
    assert.equal(doc.facts.hostname, Deno.hostname().split(".")[0]);
    assert.equal(doc.facts.memtotal_mb, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Why the network-namespace tests cannot run here, if they cannot. */
function netnsMissing(): string | undefined {
  if (Deno.uid() !== 0) return "creating network namespaces and veth pairs needs root";
  for (const tool of ["ip", "curl"]) {
    if (!["/usr/sbin", "/usr/bin", "/sbin", "/bin"].some((d) => exists(`${d}/${tool}`))) {
      return `${tool} is not installed`;
    }
  }
  return undefined;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

async function sh(...args: string[]): Promise<string> {
  const out = await new Deno.Command(args[0]!, {
    args: args.slice(1),
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}

/** True when the process has not exited (within a moment). */
const stillRunning = (r: { child: Deno.ChildProcess }) =>
  Promise.race([
    r.child.status.then(() => false),
    new Promise<boolean>((res) => setTimeout(() => res(true), 200)),
  ]);

const fdCount = (pid: number) => [...Deno.readDirSync(`/proc/${pid}/fd`)].length;

Deno.test({
  ...requires(
    "driftless facts --serve keeps a constant number of fds while network devices come and go",
    netnsMissing(),
  ),
  async fn() {
    // A namespace of our own: the devices come and go there, not on the host's network.
    const ns = `dlx-facts-${Deno.pid}`;
    await sh("ip", "netns", "add", ns);
    let running: Awaited<ReturnType<typeof startDriftless>> | undefined;
    try {
      await sh("ip", "-n", ns, "link", "set", "lo", "up");
      running = await startDriftless({ wrap: ["ip", "netns", "exec", ns] });
      const pid = running.child.pid;
      const scrape = () => sh("ip", "netns", "exec", ns, "curl", "-sf", running!.url);
      for (let i = 0; i < 3; i++) await scrape();
      const before = fdCount(pid);
      for (let i = 0; i < 30; i++) {
        await sh(
          "ip",
          "-n",
          ns,
          "link",
          "add",
          `dlx${i}`,
          "type",
          "veth",
          "peer",
          "name",
          `dlxp${i}`,
        );
        const text = await scrape();
        if (i === 0) {
          assert.match(text, /^node_network_up\{device="dlx0"\} /m, "the device is seen");
        }
        await sh("ip", "-n", ns, "link", "del", `dlx${i}`);
        await scrape();
      }
      await scrape();
      const after = fdCount(pid);
      // Each device's sysfs files used to stay open for good (27 fds a device: 810 here).
      assert.ok(after <= before + 5, `fds went from ${before} to ${after} over 30 devices`);
    } finally {
      await running?.stop();
      await sh("ip", "netns", "del", ns).catch(() => {});
    }
  },
});

Deno.test({
  ...requires(
    "driftless facts --serve under a 256-fd limit survives 400 idle connections and still answers",
    exists("/usr/bin/prlimit") ? undefined : "prlimit (util-linux) is not installed",
  ),
  async fn() {
    const running = await startDriftless({ wrap: ["prlimit", "--nofile=256:256"] });
    const { hostname, port } = new URL(running.url);
    const idle: Deno.Conn[] = [];
    try {
      for (let i = 0; i < 400; i++) {
        idle.push(await Deno.connect({ hostname, port: Number(port) }));
      }
      const r = await fetch(running.url);
      assert.equal(r.status, 200);
      assert.match(await r.text(), /^node_load1 /m);
      assert.ok(fdCount(running.child.pid) < 256, "below the limit");
      assert.ok(await stillRunning(running), `the process exited: ${running.stderr()}`);
    } finally {
      for (const c of idle) c.close();
      await running.stop();
    }
  },
});

Deno.test({
  ...requires(
    "driftless facts --serve out of file descriptors keeps serving once connections time out",
    exists("/usr/bin/prlimit") ? undefined : "prlimit (util-linux) is not installed",
  ),
  async fn() {
    // A cap above the fd limit, so accept() itself runs out of descriptors (EMFILE).
    const dir = await configDir({
      "facts.yml": "serve:\n  max_connections: 5000\n  header_timeout: 1s\n",
    });
    const running = await startDriftless({ config: dir, wrap: ["prlimit", "--nofile=128:128"] });
    const { hostname, port } = new URL(running.url);
    const idle: Deno.Conn[] = [];
    try {
      for (let i = 0; i < 300; i++) {
        idle.push(await Deno.connect({ hostname, port: Number(port) }));
      }
      // The idle connections are dropped after 1 s; the backlog is accepted; a scrape answers.
      let status = 0;
      for (const deadline = Date.now() + 30_000; status !== 200 && Date.now() < deadline;) {
        status = await fetch(running.url).then(async (r) => {
          await r.body?.cancel();
          return r.status;
        }, () => 0);
        if (status !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(status, 200, running.stderr());
      assert.match(running.stderr(), /accept failed/, "it did run out of descriptors");
      assert.ok(await stillRunning(running), `the process exited: ${running.stderr()}`);
    } finally {
      for (const c of idle) c.close();
      await running.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
