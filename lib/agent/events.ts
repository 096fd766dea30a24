/**
 * The agent's own events (config refused or reloaded, Git fetch failing and recovering,
 * threshold crossings) as JSON lines in the audit log and its sinks, redacted. A sink that fails
 * is reported and the agent goes on: its events are not worth stopping the host's jobs for.
 *
 * @module
 */
import { lazy } from "../lazy.ts";
import { join } from "node:path";
import type { AgentConfig } from "../config/agent_schema.ts";
import { expandHome } from "../config/paths.ts";
import type { Redactor } from "../secrets.ts";
import type { Sink } from "../sinks/sink.ts";

/** Options of {@linkcode EventLog}. */
export interface EventLogOptions {
  /** The host's name in every event (asked at each event: it is known once facts are in). */
  readonly host: () => string;
  /** The state dir: the audit log is `<stateDir>/audit` unless `agent.audit.dir` says otherwise. */
  readonly stateDir: string;
  readonly redactor: Redactor;
  readonly onError: (message: string) => void;
}

/** The audit sinks of the agent config, rebuilt when they change. */
export class EventLog {
  readonly #o: EventLogOptions;
  #key: string | undefined;
  #sinks: Sink[] = [];

  constructor(options: EventLogOptions) {
    this.#o = options;
  }

  /** Builds the sinks of `agent.audit`; keeps the current ones when the section is unchanged. */
  async configure(agent: AgentConfig): Promise<void> {
    const key = JSON.stringify(agent.audit ?? null);
    if (this.#key === key) return;
    const [{ AuditDirSink }, { createSinks }] = await Promise.all([
      lazy<typeof import("../apply/audit.ts")>("../apply/audit.ts", import.meta.url),
      lazy<typeof import("../sinks/create.ts")>("../sinks/create.ts", import.meta.url),
    ]);
    const dir = expandHome(agent.audit?.dir ?? join(this.#o.stateDir, "audit"));
    const extra = agent.audit?.sinks?.length
      ? await createSinks(agent.audit.sinks, {
        host: this.#o.host(),
        defaults: { maxAttempts: 5 },
        log: (level, m) => level === "warn" && this.#o.onError(m),
      })
      : [];
    const old = this.#sinks;
    this.#sinks = [new AuditDirSink(dir), ...extra];
    this.#key = key;
    await Promise.all(old.map((s) => s.close().catch(() => {})));
  }

  /** Sends one event (with time and host) to every sink. */
  async send(event: Record<string, unknown>): Promise<void> {
    const e = this.#o.redactor.redactValue({
      time: new Date().toISOString(),
      host: this.#o.host(),
      ...event,
    });
    await Promise.all(
      this.#sinks.map((s) =>
        s.send([e]).catch((err) =>
          this.#o.onError(`audit event not written to ${s.name}: ${(err as Error).message}`)
        )
      ),
    );
  }

  /** Closes every sink. */
  async close(): Promise<void> {
    await Promise.all(this.#sinks.map((s) => s.close().catch(() => {})));
  }
}
