import assert from "node:assert/strict";
import { join } from "node:path";
import { eventually, type RunningAgent, startAgent } from "../_helpers/agent.ts";
import { runCli, writeTree } from "../_helpers/cli.ts";
import { gitMissing, signingKey, TestRepo } from "../_helpers/git_repo.ts";
import { families, freePort, promtool } from "../lib/facts/_serve.ts";
import { needs, toolMissing } from "../_helpers/needs.ts";

/** A temp dir with `config/` (the given files) and a private `state/`. */
async function workspace(files: Record<string, string>) {
  const dir = await Deno.makeTempDir({ prefix: "driftless-agent-" });
  const config = join(dir, "config");
  const state = join(dir, "state");
  await Deno.mkdir(config);
  await writeTree(config, files);
  await Deno.mkdir(state, { mode: 0o700 });
  return { dir, config, state, cleanup: () => Deno.remove(dir, { recursive: true }) };
}

const SERVE = 'serve: { listen: "127.0.0.1:0" }\ncollectors: { systemd: { enabled: false } }\n';

function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const fam = families(text).get(name);
  return fam?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

async function withAgent(
  o: Parameters<typeof startAgent>[0],
  fn: (a: RunningAgent) => Promise<void>,
): Promise<void> {
  const agent = await startAgent(o);
  try {
    await fn(agent);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- agent stderr:\n${agent.stderr()}`, { cause: e });
  } finally {
    await agent.stop();
  }
}

Deno.test("agent: apply runs on its schedule and a slow run never overlaps the next", async () => {
  const ws = await workspace({});
  const marks = join(ws.dir, "marks");
  await writeTree(ws.config, {
    "agent.yml": "apply: { interval: 1s, splay: 0s, timeout: 1m }\n",
    "facts.yml": SERVE,
    "apply.yml": `tasks:
  - type: shell
    description: slow step
    cmd: echo start >> ${marks}; sleep 2; echo end >> ${marks}
`,
  });
  try {
    await withAgent({ config: ws.config, stateDir: ws.state }, async (agent) => {
      const st = await eventually(async () => {
        const s = await agent.status();
        return s.jobs.apply!.runs.success >= 3 && s;
      }, "three apply runs");
      const lines = (await Deno.readTextFile(marks)).trim().split("\n");
      // Runs are serial: start/end pairs never interleave.
      for (let i = 0; i + 1 < lines.length; i += 2) {
        assert.deepEqual(lines.slice(i, i + 2), ["start", "end"], lines.join(","));
      }
      assert.ok(st.jobs.apply!.coalesced >= 1, "slots during a run are coalesced and counted");
      const m = await agent.metrics();
      assert.ok(sample(m, "driftless_apply_runs_total", { result: "success" })! >= 3);
      assert.ok(sample(m, "driftless_job_coalesced_total", { job: "apply" })! >= 1);
      assert.ok(
        sample(m, "driftless_apply_last_success_timestamp_seconds")! > Date.now() / 1000 - 120,
      );
    });
  } finally {
    await ws.cleanup();
  }
});

Deno.test("agent: report mode changes nothing and exports the drift of a file edited by hand", async () => {
  const ws = await workspace({});
  const managed = join(ws.dir, "motd");
  const audit = join(ws.dir, "audit");
  await Deno.writeTextFile(managed, "edited by hand\n");
  await writeTree(ws.config, {
    "agent.yml": `apply: { interval: 1h, mode: report }\naudit: { dir: ${audit} }\n`,
    "facts.yml": SERVE,
    "apply.yml": `tasks:
  - { type: copy, description: message of the day, dest: ${managed}, content: "welcome\\n" }
  - { type: directory, description: state dir, path: ${ws.dir} }
`,
  });
  try {
    await withAgent({ config: ws.config, stateDir: ws.state }, async (agent) => {
      const st = await eventually(async () => {
        const s = await agent.status();
        return s.apply.last && s;
      }, "the report run");
      assert.equal(st.apply.last!.result, "success");
      assert.equal(st.apply.last!.dry_run, true);
      assert.equal(await Deno.readTextFile(managed), "edited by hand\n", "report mode changed it");
      assert.deepEqual(st.drift.drifted, [{
        task: "message of the day",
        file: "apply.yml",
        summaries: [`update ${managed}`],
      }]);
      const m = await agent.metrics();
      assert.equal(sample(m, "driftless_drift_tasks"), 1);
      assert.equal(
        sample(m, "driftless_task_drifted", { task: "message of the day", file: "apply.yml" }),
        1,
      );
      assert.equal(sample(m, "driftless_apply_changed_tasks"), 1);
    });
    // The drifted task's diff reached the audit log.
    const day = new Date().toISOString().slice(0, 10);
    const entries = (await Deno.readTextFile(join(audit, `audit-${day}.jsonl`))).trim().split("\n")
      .map((l) => JSON.parse(l));
    const entry = entries.find((e) => e.task === "message of the day");
    assert.equal(entry.dry_run, true);
    assert.match(entry.diff[0], /^-edited by hand$/m);
    assert.match(entry.diff[0], /^\+welcome$/m);

    // enforce mode (run once) corrects it and reports what it corrected.
    await Deno.writeTextFile(
      join(ws.config, "agent.yml"),
      `apply: { mode: enforce }\naudit: { dir: ${audit} }\n`,
    );
    const once = await runCli(["--config", ws.config, "agent", "--once", "--state-dir", ws.state]);
    assert.equal(once.code, 0, once.stderr);
    assert.match(once.stderr, /apply success: 1 task corrected/);
    assert.equal(await Deno.readTextFile(managed), "welcome\n");
    const again = await runCli(["--config", ws.config, "agent", "--once", "--state-dir", ws.state]);
    assert.match(again.stderr, /apply success: 0 tasks corrected/);
  } finally {
    await ws.cleanup();
  }
});

Deno.test("agent: a config change reloads; an invalid change keeps the old config and says why", async () => {
  const ws = await workspace({
    "agent.yml": "apply: { interval: 1h }\ndebounce: 200ms\n",
    "facts.yml": SERVE,
    "vars.yml": "greeting: hi\n",
  });
  try {
    await withAgent({ config: ws.config, stateDir: ws.state }, async (agent) => {
      const first = (await agent.status()).config.revision;
      assert.match(first, /^sha256:[0-9a-f]{16}$/);
      await Deno.writeTextFile(join(ws.config, "vars.yml"), "greeting: hello\n");
      const second = await eventually(async () => {
        const s = await agent.status();
        return s.config.reloads.success === 1 && s.config.revision;
      }, "the reload");
      assert.notEqual(second, first);

      await Deno.writeTextFile(
        join(ws.config, "apply.yml"),
        "tasks:\n  - type: fiel\n    path: /tmp/x\n",
      );
      const st = await eventually(async () => {
        const s = await agent.status();
        return s.config.reloads.failure === 1 && s;
      }, "the refused reload");
      assert.equal(st.config.revision, second, "the old config stays in use");
      assert.match(st.config.last_error!.message, /invalid/);
      assert.ok(
        st.config.last_error!.issues.some((i) =>
          /^apply\.yml:2:\d+ tasks\[0\]\.type: unknown task "fiel"/.test(i)
        ),
        st.config.last_error!.issues.join("\n"),
      );
      const m = await agent.metrics();
      assert.equal(sample(m, "driftless_config_reloads_total", { result: "failure" }), 1);
      assert.equal(sample(m, "driftless_config_revision_info", { revision: second }), 1);
      assert.match(agent.stderr(), /keeping sha256:/);
    });
  } finally {
    await ws.cleanup();
  }
});

Deno.test("agent: SIGHUP reloads when watching is off; SIGUSR1 and POST /run start an apply", async () => {
  const ws = await workspace({});
  const out = join(ws.dir, "out.txt");
  await writeTree(ws.config, {
    "agent.yml":
      "apply: { interval: 1h, run_on_start: false, http_trigger: false }\nwatch: false\n",
    "facts.yml": SERVE,
    "apply.yml": `tasks:\n  - { type: copy, dest: ${out}, content: "one\\n" }\n`,
  });
  try {
    await withAgent({ config: ws.config, stateDir: ws.state }, async (agent) => {
      assert.equal((await agent.status()).jobs.apply!.runs.success, 0, "no run on start");
      agent.signal("SIGUSR1");
      await eventually(
        async () => (await agent.status()).jobs.apply!.runs.success === 1,
        "the run",
      );
      assert.equal(await Deno.readTextFile(out), "one\n");
      const off = await fetch(`${agent.base}/run`, { method: "POST" });
      assert.equal(off.status, 403, "POST /run is off unless enabled");
      await off.body?.cancel();

      await writeTree(ws.config, {
        "agent.yml":
          "apply: { interval: 1h, run_on_start: false, http_trigger: true }\nwatch: false\n",
        "apply.yml": `tasks:\n  - { type: copy, dest: ${out}, content: "two\\n" }\n`,
      });
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await agent.status()).config.reloads.success, 0, "not watching");
      agent.signal("SIGHUP");
      await eventually(async () => (await agent.status()).config.reloads.success === 1, "reload");
      const r = await fetch(`${agent.base}/run`, { method: "POST" });
      assert.equal(r.status, 202);
      assert.deepEqual(await r.json(), { triggered: true });
      await eventually(async () => (await agent.status()).jobs.apply!.runs.success === 2, "run 2");
      assert.equal(await Deno.readTextFile(out), "two\n");
      const last = (await agent.status()).jobs.apply!.last.map((l) => l.reason);
      assert.deepEqual(last, ["SIGUSR1", "http"]);
    });
  } finally {
    await ws.cleanup();
  }
});

Deno.test("agent: a hung apply does not delay scrapes, and its timeout stops it", async () => {
  const ws = await workspace({});
  await writeTree(ws.config, {
    "agent.yml": "apply: { interval: 1h, timeout: 6s }\n",
    "facts.yml": SERVE,
    "apply.yml": `tasks:\n  - { type: command, description: hangs, cmd: sleep 120 }\n`,
  });
  try {
    await withAgent({ config: ws.config, stateDir: ws.state }, async (agent) => {
      await eventually(async () => (await agent.status()).jobs.apply!.running, "the hung run");
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        const m = await agent.metrics();
        // In-process, a hung task would hold the event loop for the whole run.
        assert.ok(performance.now() - t < 3000, `scrape ${i} took ${performance.now() - t} ms`);
        assert.equal(sample(m, "driftless_job_running", { job: "apply" }), 1);
      }
      const st = await eventually(async () => {
        const s = await agent.status();
        return s.jobs.apply!.runs.timeout === 1 && !s.jobs.apply!.running && s;
      }, "the timeout");
      assert.match(st.jobs.apply!.last[0]!.error!, /timed out after 6000 ms/);
      // The run's process group is gone: no `sleep 120` is left behind.
      const ps = await new Deno.Command("pgrep", { args: ["-x", "-f", "sleep 120"] }).output();
      assert.equal(ps.code, 1, new TextDecoder().decode(ps.stdout));
    });
  } finally {
    await ws.cleanup();
  }
});

Deno.test("agent: SIGTERM during log shipping loses nothing", async () => {
  const ws = await workspace({});
  const logs = join(ws.dir, "logs");
  const shipped = join(ws.dir, "shipped");
  await Deno.mkdir(logs);
  await writeTree(ws.config, {
    "agent.yml": "apply: { enabled: false }\n",
    "logs.yml": `state_dir: ${join(ws.state, "logs")}
sources:
  - { name: app, paths: ["${logs}/*.log"], start_at: beginning, outputs: [out] }
outputs:
  - { name: out, type: file, path: "${shipped}/{source}.ndjson" }
`,
  });
  const total = 30_000;
  try {
    const file = await Deno.open(join(logs, "app.log"), { create: true, append: true });
    const write = async (from: number, to: number) => {
      let s = "";
      for (let i = from; i < to; i++) s += `line seq=${String(i).padStart(6, "0")}\n`;
      await file.write(new TextEncoder().encode(s));
    };
    await write(0, total / 2);
    const agent = await startAgent({ config: ws.config, stateDir: ws.state });
    let writing = (async () => {
      for (let i = total / 2; i < total; i += 500) {
        await write(i, i + 500);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    const status = await agent.stop();
    assert.equal(status.code, 0, agent.stderr());
    assert.match(agent.stderr(), /agent stopped/);
    await writing;
    writing = Promise.resolve();
    file.close();
    // The next start ships the rest from the saved checkpoint.
    const once = await runCli(["--config", ws.config, "agent", "--once", "--state-dir", ws.state]);
    assert.equal(once.code, 0, once.stderr);
    const seen = new Set<number>();
    for (const line of (await Deno.readTextFile(join(shipped, "app.ndjson"))).trim().split("\n")) {
      seen.add(Number(/seq=(\d+)/.exec(JSON.parse(line).message)![1]));
    }
    assert.equal(seen.size, total, `${total - seen.size} lines lost`);
  } finally {
    await ws.cleanup();
  }
});

Deno.test(needs(toolMissing("promtool") ?? toolMissing("prometheus"), {
  name:
    "agent: /metrics carries the self-metrics, passes promtool, and a real Prometheus scrapes it",
  fn: async () => {
    const ws = await workspace({
      "agent.yml": "apply: { interval: 1h }\n",
      "facts.yml":
        `${SERVE}thresholds:\n  - { name: load, metric: node_load1, warn: 1000 }\ninterval: 1s\n`,
      "apply.yml": "tasks:\n  - { type: debug, msg: hello }\n",
    });
    let prom: Deno.ChildProcess | undefined;
    try {
      await withAgent({ config: ws.config, stateDir: ws.state }, async (agent) => {
        await eventually(async () => (await agent.status()).apply.last, "the first run");
        const text = await agent.metrics();
        for (
          const name of [
            "driftless_apply_runs_total",
            "driftless_apply_changed_tasks",
            "driftless_apply_duration_seconds",
            "driftless_apply_last_success_timestamp_seconds",
            "driftless_config_reloads_total",
            "driftless_config_revision_info",
            "driftless_drift_tasks",
            "driftless_threshold_state",
            "process_resident_memory_bytes",
            "process_cpu_seconds_total",
            "node_cpu_seconds_total",
          ]
        ) assert.ok(families(text).has(name), `${name} is missing`);
        const check = await promtool(text);
        // node_* names keep node_exporter's (camelCase) names; ours must be clean and all must parse.
        const ours = check.findings.filter((f) =>
          f.startsWith("driftless_") || /parsing error|^error/.test(f)
        );
        assert.deepEqual(ours, []);

        const port = freePort();
        const target = new URL(agent.base!).host;
        await writeTree(ws.dir, {
          "prometheus.yml":
            `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: driftless\n    static_configs: [{ targets: ["${target}"] }]\n`,
        });
        prom = new Deno.Command("prometheus", {
          args: [
            `--config.file=${join(ws.dir, "prometheus.yml")}`,
            `--storage.tsdb.path=${join(ws.dir, "tsdb")}`,
            `--web.listen-address=127.0.0.1:${port}`,
          ],
          stdout: "null",
          stderr: "null",
        }).spawn();
        const query = async (q: string) => {
          const r = await fetch(
            `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`,
          );
          return (await r.json()).data?.result as {
            metric: Record<string, string>;
            value: [number, string];
          }[] | undefined;
        };
        const up = await eventually(
          async () => {
            const r = await query('up{job="driftless"}');
            return r?.[0]?.value[1] === "1" && r;
          },
          "Prometheus to scrape the agent",
          90_000,
        );
        assert.equal(up.length, 1);
        const runs = await eventually(
          async () => (await query('driftless_apply_runs_total{result="success"}'))?.[0],
          "driftless_apply_runs_total in Prometheus",
        );
        assert.equal(runs.value[1], "1");
      });
    } finally {
      try {
        prom?.kill("SIGTERM");
        await prom?.status;
      } catch { /* gone */ }
      await ws.cleanup();
    }
  },
}));

Deno.test("agent: an invalid config at start exits 2 listing every problem", async () => {
  const ws = await workspace({
    "agent.yml": "apply: { interval: soon, mode: yolo }\n",
    "apply.yml": "tasks:\n  - type: fiel\n",
  });
  try {
    const r = await runCli(["--config", ws.config, "agent", "--state-dir", ws.state]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /agent\.yml:1:\d+ apply\.interval: /);
    assert.match(r.stderr, /agent\.yml:1:\d+ apply\.mode: .*"enforce".*"report"/);
    assert.match(r.stderr, /apply\.yml:2:\d+ tasks\[0\]\.type: unknown task "fiel"/);
    assert.match(r.stderr, /3 problems found/);
  } finally {
    await ws.cleanup();
  }
});

const git = gitMissing();

Deno.test(needs(git, {
  name: "agent: a new commit is applied without waiting for the interval",
  fn: async () => {
    const ws = await workspace({});
    const out = join(ws.dir, "deployed.txt");
    try {
      const repo = await TestRepo.create(join(ws.dir), {
        "agent.yml": `apply: { interval: 1h, run_on_start: false }\ngit: { url: ${
          join(ws.dir, "remote.git")
        }, interval: 1s }\n`,
        "facts.yml": SERVE,
        "apply.yml": "tasks: []\n",
      });
      await Deno.remove(ws.config, { recursive: true });
      await repo.clone(ws.config);
      await withAgent({ config: ws.config, stateDir: ws.state }, async (agent) => {
        const head = (await agent.status()).config.revision;
        assert.match(head, /^[0-9a-f]{40}$/);
        const rev = await repo.commit({
          "apply.yml": `tasks:\n  - { type: copy, dest: ${out}, content: "v2\\n" }\n`,
        }, "deploy v2");
        // The run that wrote the file has ended once its record is in /status.
        const st = await eventually(async () => {
          const s = await agent.status();
          return s.jobs.apply!.runs.success === 1 && s;
        }, "the new commit applied");
        assert.equal(await Deno.readTextFile(out), "v2\n");
        assert.equal(st.config.revision, rev);
        assert.equal(st.jobs.apply!.last[0]!.reason, `revision ${rev.slice(0, 12)}`);
        assert.equal(
          sample(await agent.metrics(), "driftless_config_revision_info", { revision: rev }),
          1,
        );

        // An invalid revision is refused; the last good one keeps running.
        const bad = await repo.commit({ "apply.yml": "tasks:\n  - type: fiel\n" }, "broken");
        const s2 = await eventually(async () => {
          const s = await agent.status();
          return s.config.reloads.failure >= 1 && s;
        }, "the refused revision");
        assert.equal(s2.config.revision, rev);
        assert.match(
          s2.config.last_error!.message,
          new RegExp(`revision ${bad.slice(0, 12)} is invalid`),
        );
      });
    } finally {
      await ws.cleanup();
    }
  },
}));

Deno.test(needs(git, {
  name: "agent: with verify: signed an unsigned commit is refused, a signed one applied",
  fn: async () => {
    const ws = await workspace({});
    const out = join(ws.dir, "deployed.txt");
    try {
      const key = await signingKey(ws.dir, "ops");
      const agentYml = `apply: { interval: 1h, run_on_start: false }
git: { url: ${
        join(ws.dir, "remote.git")
      }, interval: 1s, verify: signed, keys: [${key.publicKeyFile}] }
`;
      const repo = await TestRepo.create(ws.dir, { "agent.yml": agentYml, "facts.yml": SERVE });
      await repo.commit({ "apply.yml": "tasks: []\n" }, "signed start", key);
      await Deno.remove(ws.config, { recursive: true });
      await repo.clone(ws.config);
      await withAgent({ config: ws.config, stateDir: ws.state }, async (agent) => {
        const start = (await agent.status()).config.revision;
        const unsigned = await repo.commit({
          "apply.yml": `tasks:\n  - { type: copy, dest: ${out}, content: "unsigned\\n" }\n`,
        }, "not signed");
        const st = await eventually(async () => {
          const s = await agent.status();
          return s.config.reloads.failure >= 1 && s;
        }, "the refusal");
        assert.equal(st.config.revision, start);
        assert.match(
          st.config.last_error!.message,
          new RegExp(`revision ${unsigned.slice(0, 12)} is not signed by a trusted key`),
        );
        await assert.rejects(Deno.stat(out), "the unsigned change was not applied");
        const signed = await repo.commit(
          {
            "apply.yml": `tasks:\n  - { type: copy, dest: ${out}, content: "signed\\n" }\n`,
          },
          "signed",
          key,
        );
        await eventually(
          async () => (await Deno.readTextFile(out)) === "signed\n",
          "the signed one",
        );
        assert.equal((await agent.status()).config.revision, signed);
      });
    } finally {
      await ws.cleanup();
    }
  },
}));

Deno.test(needs(git, {
  name: "agent: an unreachable Git remote at start exits 2 naming the file and key",
  fn: async () => {
    const ws = await workspace({});
    try {
      const repo = await TestRepo.create(ws.dir, {
        "agent.yml": `apply: { interval: 1h }\ngit:\n  url: ${join(ws.dir, "gone.git")}\n`,
      });
      await Deno.remove(ws.config, { recursive: true });
      await repo.clone(ws.config);
      const r = await runCli(["--config", ws.config, "agent", "--state-dir", ws.state]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /agent\.yml:3:8 git\.url: cannot reach .*gone\.git/);
    } finally {
      await ws.cleanup();
    }
  },
}));

Deno.test(needs(git, {
  name: "agent: a Git remote that goes away is retried with backoff and reported, never fatal",
  fn: async () => {
    const ws = await workspace({});
    try {
      const remote = join(ws.dir, "remote.git");
      const repo = await TestRepo.create(ws.dir, {
        "agent.yml": `apply: { enabled: false }\ngit: { url: ${remote}, interval: 1s }\n`,
        "facts.yml": SERVE,
      });
      await Deno.remove(ws.config, { recursive: true });
      await repo.clone(ws.config);
      await withAgent({ config: ws.config, stateDir: ws.state }, async (agent) => {
        await Deno.rename(remote, `${remote}.away`);
        const down = await eventually(async () => {
          const s = await agent.status();
          return s.jobs.git!.consecutive_failures >= 2 && s;
        }, "failed fetches");
        assert.match(down.config.git!.error!, /cannot fetch/);
        // Backing off: after a failure the next fetch waits at least twice the interval (-10 % jitter).
        const [a, b] = down.jobs.git!.last.slice(-2);
        assert.ok(Date.parse(b!.start) - Date.parse(a!.end) >= 1800, JSON.stringify([a, b]));
        assert.equal(
          sample(await agent.metrics(), "driftless_job_consecutive_failures", { job: "git" }),
          down.jobs.git!.consecutive_failures,
        );
        await Deno.rename(`${remote}.away`, remote);
        const up = await eventually(
          async () => {
            const s = await agent.status();
            return s.jobs.git!.consecutive_failures === 0 && s.jobs.git!.runs.success > 0 && s;
          },
          "the fetch to recover",
          90_000,
        );
        assert.equal(up.config.git!.error, null);
      });
    } finally {
      await ws.cleanup();
    }
  },
}));

Deno.test("agent: a reload that changes the log pipeline neither loses nor repeats lines", async () => {
  const ws = await workspace({});
  const logs = join(ws.dir, "logs");
  const shipped = join(ws.dir, "shipped");
  await Deno.mkdir(logs);
  const logsYml = (extra: string) =>
    `state_dir: ${join(ws.state, "logs")}
sources:
  - { name: app, paths: ["${logs}/*.log"], start_at: beginning, outputs: [out]${extra} }
outputs:
  - { name: out, type: file, path: "${shipped}/{source}.ndjson" }
`;
  await writeTree(ws.config, {
    "agent.yml": "apply: { enabled: false }\ndebounce: 200ms\n",
    "facts.yml": SERVE,
    "logs.yml": logsYml(""),
  });
  const total = 20_000;
  try {
    const file = await Deno.open(join(logs, "app.log"), { create: true, append: true });
    await withAgent({ config: ws.config, stateDir: ws.state }, async (agent) => {
      assert.equal(await (await fetch(`${agent.base}/healthz`)).text(), "ok\n");
      assert.equal((await fetch(`${agent.base}/readyz`)).status, 200);
      const writing = (async () => {
        for (let i = 0; i < total; i += 250) {
          let s = "";
          for (let j = i; j < i + 250; j++) s += `line seq=${String(j).padStart(6, "0")}\n`;
          await file.write(new TextEncoder().encode(s));
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      // Change the pipeline while lines flow: a filter that drops nothing real.
      await new Promise((r) => setTimeout(r, 150));
      await Deno.writeTextFile(
        join(ws.config, "logs.yml"),
        logsYml(', filters: [{ exclude: "^never-matches$" }]'),
      );
      await eventually(async () => (await agent.status()).config.reloads.success === 1, "reload");
      await writing;
      await eventually(async () => {
        const text = await Deno.readTextFile(join(shipped, "app.ndjson")).catch(() => "");
        return text.split("\n").length > total;
      }, "every line shipped");
    });
    file.close();
    const seqs = (await Deno.readTextFile(join(shipped, "app.ndjson"))).trim().split("\n")
      .map((l) => Number(/seq=(\d+)/.exec(JSON.parse(l).message)![1]));
    assert.equal(new Set(seqs).size, total, "a line was lost");
    assert.equal(seqs.length, total, `${seqs.length - total} lines shipped twice`);
  } finally {
    await ws.cleanup();
  }
});

Deno.test("agent: SIGTERM lets a running apply finish; a second signal exits at once", async () => {
  const ws = await workspace({});
  const marks = join(ws.dir, "marks");
  await writeTree(ws.config, {
    "agent.yml": "apply: { interval: 1h }\nshutdown_timeout: 2m\n",
    "facts.yml": SERVE,
    "apply.yml": `tasks:
  - { type: shell, cmd: "echo start >> ${marks}; sleep 3; echo end >> ${marks}" }
`,
  });
  try {
    // One signal: the run in progress ends normally, then the agent exits 0.
    let agent = await startAgent({ config: ws.config, stateDir: ws.state });
    await eventually(
      async () => (await Deno.readTextFile(marks).catch(() => "")) === "start\n",
      "the run",
    );
    agent.signal("SIGTERM");
    const first = await agent.child.status;
    assert.equal(first.code, 0, agent.stderr());
    assert.equal(await Deno.readTextFile(marks), "start\nend\n", "the run was cut short");

    // Two signals: the agent does not wait.
    await Deno.remove(marks);
    agent = await startAgent({ config: ws.config, stateDir: ws.state });
    await eventually(
      async () => (await Deno.readTextFile(marks).catch(() => "")) === "start\n",
      "the run",
    );
    agent.signal("SIGTERM");
    await eventually(() => /stopping/.test(agent.stderr()), "the first signal");
    agent.signal("SIGTERM");
    const second = await agent.child.status;
    assert.equal(second.code, 1);
    assert.match(agent.stderr(), /second signal: exiting now/);
    assert.equal(await Deno.readTextFile(marks), "start\n", "it waited for the run to end");
  } finally {
    await new Promise((r) => setTimeout(r, 3500)); // the orphaned run's sleep ends
    await ws.cleanup();
  }
});

Deno.test("agent: a config that validates but fails to start is rolled back, the old one runs on", async () => {
  const port = freePort();
  const ws = await workspace({
    "agent.yml": "apply: { enabled: false }\ndebounce: 200ms\n",
    "facts.yml": SERVE.replace("127.0.0.1:0", `127.0.0.1:${port}`),
  });
  // Someone else holds the port the new config asks for.
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    await withAgent({ config: ws.config, stateDir: ws.state }, async (agent) => {
      const first = (await agent.status()).config.revision;
      await Deno.writeTextFile(
        join(ws.config, "facts.yml"),
        SERVE.replace("127.0.0.1:0", `127.0.0.1:${(taken.addr as Deno.NetAddr).port}`),
      );
      const st = await eventually(async () => {
        const s = await agent.status();
        return s.config.reloads.failure === 1 && s;
      }, "the refused start");
      assert.equal(st.config.revision, first, "the old config is back in use");
      assert.match(
        st.config.last_error!.message,
        /could not be started: cannot listen on .*in use/,
      );
      // Served by the restored listener, on the old address.
      assert.equal((await agent.status()).config.reloads.success, 0);
      assert.ok(families(await agent.metrics()).has("node_load1"));
    });
  } finally {
    taken.close();
    await ws.cleanup();
  }
});
