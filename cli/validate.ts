/**
 * `driftless validate`: load every config file, report all problems at once, change nothing.
 *
 * @module
 */
import { lazy } from "../lib/lazy.ts";
import type { TaskSpec } from "../lib/config/apply_schema.ts";
import type { LoadedConfig } from "../lib/config/loader.ts";
import type { Role } from "../lib/config/roles.ts";
import { ConfigError, ExitCode } from "../lib/errors.ts";
import type { Redactor } from "../lib/secrets.ts";
import { type GlobalOptions, loadFromOptions } from "./_context.ts";
import { print, writeChannel } from "./_render.ts";

/** Options of `validate`. */
export interface ValidateOptions {
  /**
   * For the agent (hidden): validate exactly as `validate` does, then hand the facts, logs and
   * agent config, the secret values the agent must redact, and this host's facts to the parent
   * as one JSON line.
   */
  readonly agentPayload?: boolean;
}

/** Runs `validate`; exit 0 with a summary, or 2 with every problem listed. */
export async function validate(g: GlobalOptions, o: ValidateOptions = {}): Promise<number> {
  if (o.agentPayload) return await agentPayload(g);
  const config = await check(g);
  const parts: string[] = [];
  if (config.apply) {
    const a = config.apply;
    const roles = new Map<string, Role>();
    const tasks = countTasks(
      [...(a.pre_tasks ?? []), ...(a.roles ?? []), ...a.tasks, ...(a.post_tasks ?? [])],
      roles,
    );
    const handlers = countTasks(
      [...a.handlers, ...[...roles.values()].flatMap((r) => r.handlers)],
      new Map(),
    );
    parts.push(
      `apply (${plural(tasks, "task")}, ${plural(handlers, "handler")}${
        roles.size > 0 ? `, ${plural(roles.size, "role")}` : ""
      })`,
    );
  }
  for (const name of ["facts", "logs", "agent"] as const) if (config[name]) parts.push(name);
  const nVars = Object.keys(config.vars).length;
  if (nVars > 0) parts.push(`vars (${plural(nVars, "var")})`);
  print(
    `ok: ${plural(config.files.length, "file")} valid in ${g.config}: ${
      parts.join(", ") || "nothing configured"
    }`,
  );
  return ExitCode.ok;
}

/** Loads the config and runs exactly the checks apply makes before its first change. */
function check(g: GlobalOptions, redactor?: Redactor): Promise<LoadedConfig> {
  // The preflight and the template engine load while the config files are read and parsed.
  lazy<typeof import("../lib/apply/preflight.ts")>("../lib/apply/preflight.ts", import.meta.url)
    .catch(() => {/* loaded again, and reported, below */});
  lazy<typeof import("../lib/template/engine.ts")>("../lib/template/engine.ts", import.meta.url)
    .then((m) => m.preloadEngine(), () => {});
  return loadFromOptions(g, { check: true, ...(redactor ? { redactor } : {}) });
}

/** The agent's view of a valid config: what `lib/agent/config.ts` reads. */
async function agentPayload(g: GlobalOptions): Promise<number> {
  const { Redactor, redactor } = await lazy<typeof import("../lib/secrets.ts")>(
    "../lib/secrets.ts",
    import.meta.url,
  );
  const secrets = new Set<string>();
  class Collecting extends Redactor {
    override add(value: string): boolean {
      secrets.add(value);
      return redactor.add(value);
    }
  }
  try {
    const config = await check(g, new Collecting());
    const [{ agentSchema }, { gatherFacts }] = await Promise.all([
      lazy<typeof import("../lib/config/agent_schema.ts")>(
        "../lib/config/agent_schema.ts",
        import.meta.url,
      ),
      lazy<typeof import("../lib/facts/host_facts.ts")>(
        "../lib/facts/host_facts.ts",
        import.meta.url,
      ),
    ]);
    writeChannel(JSON.stringify({
      ok: true,
      files: config.files,
      apply: config.apply !== undefined,
      facts: config.facts,
      logs: config.logs,
      agent: config.agent ?? agentSchema.parse({}),
      gitUrlAt: config.locate("agent", ["git", "url"]),
      secrets: [...secrets],
      warnings: config.warnings,
      // Gathered here, so the agent process never loads the fact modules.
      hostFacts: await gatherFacts(),
    }));
    return ExitCode.ok;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    writeChannel(JSON.stringify({ ok: false, issues: redactor.redactValue(e.issues) }));
    return ExitCode.config;
  }
}

/** Tasks in the lists (blocks and role blocks opened); `roles` collects the roles met. */
function countTasks(tasks: readonly TaskSpec[], roles: Map<string, Role>): number {
  let n = 0;
  for (const t of tasks) {
    if (t.role) roles.set(t.role.role.path, t.role.role);
    n += t.type === "block"
      ? countTasks([...(t.block ?? []), ...(t.rescue ?? []), ...(t.always ?? [])], roles)
      : 1;
  }
  return n;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
