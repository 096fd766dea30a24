/**
 * The agent file (`agent.*`) as the loader returns it, as TypeScript types: defaults applied,
 * durations in milliseconds. `agent_schema.ts` validates it; `tests/lib/config/types_test.ts`
 * fails the type check when these types and the schema's `z.output` differ.
 *
 * @module
 */
import type { SinkConfig } from "../sinks/config_types.ts";

/** The top level of `agent.*`, defaults applied (an empty file is a working agent). */
export interface AgentConfig {
  /** How apply runs under the agent. */
  apply: AgentApplyConfig;
  /** Pulling the config repo (GitOps); without it the config dir is used as it is. */
  git?: AgentGitConfig | undefined;
  /** Reload when files in the config dir change (SIGHUP always reloads). Default true. */
  watch: boolean;
  /** Wait this long (ms) after the last change before reloading (default 2s). */
  debounce: number;
  /** On SIGTERM, how long (ms) a running apply may take to finish before it is stopped (1m). */
  shutdown_timeout: number;
  /** Where the audit log of apply runs goes. */
  audit?: AuditConfig | undefined;
}

/** How apply runs under the agent. */
export interface AgentApplyConfig {
  /** Turn scheduled apply runs off (signals and `POST /run` still start one). Default true. */
  enabled: boolean;
  /** Time between runs, in ms (default 30m). */
  interval: number;
  /**
   * Each host runs at a fixed point of this window (ms) after every interval boundary, derived
   * from its hostname and machine id, so a fleet spreads out (default: 10 % of the interval; set
   * it to the interval to spread hosts over the whole of it).
   */
  splay?: number | undefined;
  /** Run once at start-up instead of waiting for the first slot (default true). */
  run_on_start: boolean;
  /**
   * A run that takes longer (ms) is stopped (its processes too) and counted as a timeout
   * (default 1h, as Puppet's runtimeout). Slots that pass meanwhile are coalesced into the run.
   */
  timeout: number;
  /**
   * `enforce` (default) converges the host and reports what it corrected; `report` only plans
   * (a dry run) and reports the drift, changing nothing.
   */
  mode: "enforce" | "report";
  /** Accept `POST /run` on the metrics listener to start a run now (default false). */
  http_trigger: boolean;
}

/** Pulling the config repo (GitOps). */
export interface AgentGitConfig {
  /** The repository to pull from; the config dir is cloned from it when it does not exist. */
  url: string;
  /** Branch to follow (default: the remote's default branch). */
  branch?: string | undefined;
  /** Time between fetches, in ms (default 1m). */
  interval: number;
  /** Longest one fetch may take, in ms (default 2m). */
  timeout: number;
  /**
   * `signed` refuses a revision whose commit signature does not verify against `keys`
   * (`git verify-commit`); `none` (default) takes every revision.
   */
  verify: "none" | "signed";
  /** OpenPGP public key files (armored) that may sign revisions, for `verify: signed`. */
  keys: string[];
}

/** Where the audit log of apply runs goes. */
export interface AuditConfig {
  /** Directory of the local audit log (one JSON-lines file a day). */
  dir?: string | undefined;
  /** More destinations for the audit log (file, s3, syslog, http, console), as logs outputs. */
  sinks?: SinkConfig[] | undefined;
}
