/**
 * `driftless init [DIR]`: a new config dir to start from: commented apply, facts, logs, agent
 * and vars files (each with a `$schema` line for editors), an env file for secrets outside it
 * (mode 600), and `git init` when the dir is not in a repository yet. It never overwrites: if
 * any file it would write exists, it writes nothing.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { expandHome, isInside } from "../lib/config/paths.ts";
import { ExitCode, UsageError } from "../lib/errors.ts";
import type { GlobalOptions } from "./_context.ts";
import { info, print } from "./_render.ts";

/** Where the published schemas live, for editors (yaml-language-server). */
const SCHEMA_URL = "https://raw.githubusercontent.com/driftless-hq/driftless/main/schema";

const schemaLine = (name: string) =>
  `# yaml-language-server: $schema=${SCHEMA_URL}/${name}.schema.json`;

/** The files `init` writes, relative to the config dir. */
const FILES: Readonly<Record<string, string>> = {
  "apply.yml": `${schemaLine("apply")}
# What this host should look like: tasks with Ansible's module names and parameters.
# Try:  driftless apply --dry-run   (shows the diffs, changes nothing)
vars:
  app_dir: /srv/app
tasks: []
#  - type: directory
#    description: App directory
#    path: "{{ app_dir }}"
#    mode: "0755"
#  - type: copy
#    description: Message of the day
#    dest: /etc/motd
#    content: "Managed by driftless on {{ ansible_hostname }}\\n"
#  - type: package
#    name: [curl, git]
#  - ansible.builtin.lineinfile: { path: /etc/ssh/sshd_config, regexp: "^PermitRootLogin", line: "PermitRootLogin no" }
#    notify: restart sshd
#handlers:
#  - { type: service, description: restart sshd, name: ssh, state: restarted }
`,
  "facts.yml": `${schemaLine("facts")}
# Host metrics, node_exporter-compatible: \`driftless facts --serve\`, or the agent's listener.
serve:
  listen: 0.0.0.0:8000
  path: /metrics
interval: 60s # how often thresholds are evaluated (and the default push interval)
thresholds:
  - { name: root-disk, metric: 'node_filesystem_avail_bytes{mountpoint="/"}', direction: below, warn: 2e9, crit: 5e8 }
#collectors:
#  systemd: { enabled: true }
#exporters:
#  - { type: file, dir: /var/lib/driftless/metrics, interval: 60s }
`,
  "logs.yml": `${schemaLine("logs")}
# Log shipping, Filebeat-style, at least once: \`driftless logs\`, or the agent.
sources: []
#  - name: syslog
#    paths: [/var/log/syslog]
#    parser: { type: syslog }
#    outputs: [archive]
outputs: []
#  - { name: archive, type: file, path: "/var/lib/driftless/shipped/{source}-%Y-%m-%d.ndjson" }
#  - { name: search, type: http, url: "https://es.example.com/_bulk", format: elasticsearch, headers: { authorization: "ApiKey \${ES_API_KEY}" } }
`,
  "agent.yml": `${schemaLine("agent")}
# \`driftless agent\`: facts, /metrics, logs and apply in one process (see the systemd unit).
apply:
  interval: 30m
  mode: enforce # report: plan only and export the drift, change nothing
#git:
#  url: https://git.example.com/ops/driftless-config.git
#  interval: 1m
#  verify: signed
#  keys: [/etc/driftless/keys/ops.asc]
`,
  "vars.yml": `${schemaLine("vars")}
# Variables for every apply file. Secrets do not go here: write \${NAME} and put NAME in the
# env file (outside this repository).
environment_name: production
`,
};

const ENV_FILE = `# Secrets for driftless: NAME=value lines, read for \${NAME} in the config files.
# Keep this file out of the config repository, mode 600.
#ES_API_KEY=
`;

/** Runs `init` and returns the exit code. */
export async function init(g: GlobalOptions, dirArg: string | undefined): Promise<number> {
  const dir = expandHome(dirArg ?? g.config);
  const envFile = g.envFileRequired ? expandHome(g.envFile) : join(dirname(dir), "env");
  if (isInside(resolve(envFile), dir)) {
    throw new UsageError(
      `the env file ${envFile} would be inside the config dir ${dir}; secrets must stay out of the repository`,
    );
  }
  const targets = [...Object.keys(FILES).map((f) => join(dir, f)), envFile];
  const existing = [];
  for (const path of targets) if (await exists(path)) existing.push(path);
  if (existing.length > 0) {
    throw new UsageError(
      `not overwriting ${existing.join(", ")}; move them away or choose another dir`,
    );
  }
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(FILES)) {
    await Deno.writeTextFile(join(dir, name), text, { createNew: true });
  }
  await Deno.mkdir(dirname(envFile), { recursive: true });
  await Deno.writeTextFile(envFile, ENV_FILE, { createNew: true, mode: 0o600 });
  await Deno.chmod(envFile, 0o600);
  if (!(await inRepository(dir))) await git(["init", "--quiet", dir]);
  print(`created ${dir} (${Object.keys(FILES).join(", ")}) and ${envFile} (mode 600)`);
  info(`next: driftless --config ${dir} --env-file ${envFile} validate`);
  info(`then: driftless --config ${dir} --env-file ${envFile} apply --dry-run`);
  return ExitCode.ok;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

async function inRepository(dir: string): Promise<boolean> {
  try {
    const out = await new Deno.Command("git", {
      args: ["-C", dir, "rev-parse", "--is-inside-work-tree"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new UsageError("git is not installed");
    throw e;
  }
}

async function git(args: string[]): Promise<void> {
  const out = await new Deno.Command("git", { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) throw new Error(`git ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
}
