/**
 * The agent file: how `driftless agent` schedules apply, pulls the config repo, reloads, and
 * where the audit log goes. Every key has a default a Puppet or Flux user would expect, so an
 * empty `agent.yml` (or none) is a working agent. Durations parse to milliseconds.
 *
 * @module
 */
import * as z from "zod";
import { sinkSchema } from "../sinks/config.ts";
import { durationSchema } from "../sinks/units.ts";

/** How apply runs under the agent. */
export const agentApplySchema = z.strictObject({
  /** Turn scheduled apply runs off (signals and `POST /run` still start one). Default true. */
  enabled: z.boolean().default(true),
  /** Time between runs (default 30m). */
  interval: durationSchema.default(30 * 60_000),
  /**
   * Each host runs at a fixed point of this window after every interval boundary, derived from
   * its hostname and machine id, so a fleet spreads out (default: 10 % of the interval; set it
   * to the interval to spread hosts over the whole of it).
   */
  splay: durationSchema.optional(),
  /** Run once at start-up instead of waiting for the first slot (default true). */
  run_on_start: z.boolean().default(true),
  /**
   * A run that takes longer is stopped (its processes too) and counted as a timeout (default
   * 1h, as Puppet's runtimeout). Slots that pass meanwhile are coalesced into the run.
   */
  timeout: durationSchema.default(60 * 60_000),
  /**
   * `enforce` converges the host and reports what it corrected; `report` only plans (a dry
   * run) and reports the drift, changing nothing.
   */
  mode: z.enum(["enforce", "report"]).default("enforce"),
  /** Accept `POST /run` on the metrics listener to start a run now (default false). */
  http_trigger: z.boolean().default(false),
}).meta({ title: "scheduled apply runs" });

/** Pulling the config repo (GitOps). */
export const agentGitSchema = z.strictObject({
  /** The repository to pull from; the config dir is cloned from it when it does not exist. */
  url: z.string().min(1),
  /** Branch to follow (default: the remote's default branch). */
  branch: z.string().min(1).optional(),
  /** Time between fetches (default 1m). */
  interval: durationSchema.default(60_000),
  /** Longest one fetch may take (default 2m). */
  timeout: durationSchema.default(120_000),
  /**
   * `signed` refuses a revision whose commit signature does not verify against `keys`
   * (`git verify-commit`); `none` takes every revision.
   */
  verify: z.enum(["none", "signed"]).default("none"),
  /** OpenPGP public key files (armored) that may sign revisions, for `verify: signed`. */
  keys: z.array(z.string().min(1)).default([]),
}).refine((g) => g.verify === "none" || g.keys.length > 0, {
  message: "verify: signed needs the signers' public keys in keys: [file, ...]",
  path: ["keys"],
}).meta({ title: "config repo pulls" });

/** The top level of `agent.*`. */
export const agentSchema = z.strictObject({
  apply: agentApplySchema.prefault({}),
  git: agentGitSchema.optional(),
  /** Reload when files in the config dir change (SIGHUP always reloads). Default true. */
  watch: z.boolean().default(true),
  /** Wait this long after the last change before reloading (default 2s). */
  debounce: durationSchema.default(2_000),
  /** On SIGTERM, how long a running apply may take to finish before it is stopped (1m). */
  shutdown_timeout: durationSchema.default(60_000),
  audit: z.strictObject({
    /** Directory of the local audit log (one JSON-lines file a day). */
    dir: z.string().optional(),
    /** More destinations for the audit log (file, s3, syslog, http, console), as logs outputs. */
    sinks: z.array(sinkSchema).optional(),
  }).optional(),
}).meta({ title: "driftless agent config" });

// What this schema parses to, written out (tests/lib/config/types_test.ts keeps them equal).
export type { AgentConfig } from "./agent_types.ts";
