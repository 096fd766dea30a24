/**
 * Loading the config for the agent: `driftless validate --agent-payload` runs in a child
 * process, so the agent never loads the YAML parser, zod, the task modules or the fact modules
 * (their memory would stay in a process that runs for months). The child validates exactly as
 * `validate` does and hands back the facts, logs and agent sections, the secret values to redact
 * and this host's facts.
 *
 * @module
 */
import type { AgentConfig } from "../config/agent_schema.ts";
import type { FactsConfig } from "../config/facts_schema.ts";
import type { LogsConfig } from "../config/logs_schema.ts";
import type { ConfigIssue } from "../errors.ts";
import { runSelf } from "./child.ts";

/** A validated config, as the agent uses it. */
export interface AgentConfigSet {
  /** Config files, relative to the config dir. */
  readonly files: readonly string[];
  /** True when there is an apply config. */
  readonly apply: boolean;
  readonly facts?: FactsConfig;
  readonly logs?: LogsConfig;
  readonly agent: AgentConfig;
  /** Values substituted from the environment and env file: redact them everywhere. */
  readonly secrets: readonly string[];
  readonly warnings: readonly string[];
  /** This host's facts (Ansible's `setup` keys), gathered by the validating child. */
  readonly hostFacts: Readonly<Record<string, unknown>>;
  /** Where `agent.git.url` is written, for errors about the remote. */
  readonly gitUrlAt?: { readonly file: string; readonly line?: number; readonly column?: number };
}

/** The outcome of validating a config dir. */
export type ConfigLoad =
  | { readonly ok: true; readonly config: AgentConfigSet }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/** Options of {@linkcode loadAgentConfig}. */
export interface LoadAgentConfigOptions {
  /** The env file, when the user named one (then it must exist). */
  readonly envFile?: string;
  readonly signal?: AbortSignal;
  /** The child's stderr lines. */
  readonly onLog?: (line: string) => void;
}

/** Validates a config dir in a child process. Throws when the child fails otherwise. */
export async function loadAgentConfig(
  dir: string,
  o: LoadAgentConfigOptions = {},
): Promise<ConfigLoad> {
  let payload: ({ ok: true } & AgentConfigSet) | { ok: false; issues: ConfigIssue[] } | undefined;
  const errors: string[] = [];
  const exit = await runSelf(
    [
      "--config",
      dir,
      ...(o.envFile ? ["--env-file", o.envFile] : []),
      "--no-color",
      "validate",
      "--agent-payload",
    ],
    {
      ...(o.signal ? { signal: o.signal } : {}),
      onLine: (line) => {
        if (line.startsWith("{")) payload = JSON.parse(line);
      },
      onErrLine: (line) => {
        errors.push(line);
        if (errors.length > 20) errors.shift();
        o.onLog?.(line);
      },
    },
  );
  if (!payload) {
    throw new Error(
      `validating ${dir} failed (exit ${exit.code}): ${errors.join("\n") || "no output"}`,
    );
  }
  if (!payload.ok) return { ok: false, issues: payload.issues };
  const { ok: _, ...config } = payload;
  return { ok: true, config };
}
