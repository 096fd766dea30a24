/**
 * `service_facts`: the host's services as the fact `services` (`"cron.service"` →
 * `{name, state, status, source}`), as Ansible's service_facts module: from systemd when it
 * runs the host (`systemctl list-units` for the state, `list-unit-files` for the status), else
 * from SysV init (`service --status-all`). It never changes anything.
 *
 * @module
 */
import * as z from "zod";
import type { Host } from "../lib/apply/host.ts";
import { defineTask } from "../lib/apply/task.ts";
import { query, systemdBooted } from "./_run.ts";

/** One service, with Ansible's keys (SysV services have no `status`). */
export interface ServiceFact {
  name: string;
  state: string;
  status?: string;
  source: string;
}

/** Parses `systemctl list-units --type=service --all --plain --no-legend`. */
export function parseListUnits(text: string): Record<string, ServiceFact> {
  const out: Record<string, ServiceFact> = {};
  for (const line of text.split("\n")) {
    const fields = line.replace(/^[●*\s]+/, "").trim().split(/\s+/);
    const [name, , active, sub] = fields;
    if (!name?.endsWith(".service") || !sub) continue;
    const state = sub === "running"
      ? "running"
      : active === "failed" || sub === "failed"
      ? "failed"
      : "stopped";
    out[name] = { name, state, status: "unknown", source: "systemd" };
  }
  return out;
}

/** Parses `systemctl list-unit-files --type=service --no-legend`: unit → status. */
export function parseUnitFiles(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const [unit, status] = line.trim().split(/\s+/);
    if (unit?.endsWith(".service") && status) out[unit] = status;
  }
  return out;
}

/** Parses `service --status-all` (`[ + ]  cron`) as Ansible does: `+` running, else stopped. */
export function parseStatusAll(text: string): Record<string, ServiceFact> {
  const out: Record<string, ServiceFact> = {};
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4) continue;
    const name = fields.slice(3).join(" ");
    out[name] = { name, state: fields[1] === "+" ? "running" : "stopped", source: "sysv" };
  }
  return out;
}

async function systemdServices(host: Host): Promise<Record<string, ServiceFact>> {
  const units = await query(host, "systemctl", [
    "list-units",
    "--no-pager",
    "--type=service",
    "--all",
    "--plain",
    "--no-legend",
  ]);
  if (units.code !== 0) throw new Error(`systemctl list-units: ${units.stderr.trim()}`);
  const services = parseListUnits(units.stdout);
  const files = await query(host, "systemctl", [
    "list-unit-files",
    "--no-pager",
    "--type=service",
    "--no-legend",
  ]);
  for (const [unit, status] of Object.entries(parseUnitFiles(files.stdout))) {
    services[unit] ??= { name: unit, state: "inactive", status, source: "systemd" };
    services[unit]!.status = status;
  }
  return services;
}

/** The service_facts task. */
export const serviceFacts = defineTask({
  type: "service_facts",
  schema: z.strictObject({}),
  async read(_p, host) {
    if (await systemdBooted(host)) {
      return { ansible_facts: { services: await systemdServices(host) } };
    }
    const r = await query(host, "service", ["--status-all"]).catch(() => undefined);
    if (!r || r.code !== 0 && !r.stdout.trim()) {
      return {
        failed: true,
        msg:
          "Failed to find any services. This can be due to privileges or some other configuration issue.",
      };
    }
    return { ansible_facts: { services: parseStatusAll(r.stdout) } };
  },
  plan: () => [],
  apply: () => Promise.resolve(),
  result: (_p, current) => current,
});
