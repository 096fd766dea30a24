/**
 * `package_facts`: the installed packages as the fact `packages` (name → list of
 * `{name, version, arch, source, ...}`), as Ansible's package_facts module. They are read from
 * the managed host's own database (through the host, so under `--root` from the root): dpkg's
 * status file (apt), `rpm -qa` (rpm), apk's installed db, pacman's local db. `manager: auto`
 * takes the first one present; `strategy: all` reads every one present.
 *
 * @module
 */
import * as z from "zod";
import type { Host } from "../lib/apply/host.ts";
import { defineTask } from "../lib/apply/task.ts";
import { query } from "./_run.ts";

const MANAGERS = ["apt", "rpm", "apk", "pacman"] as const;
type Manager = (typeof MANAGERS)[number];

const schema = z.strictObject({
  manager: z.union([z.string(), z.array(z.string())]).default(["auto"])
    .transform((v) => [v].flat())
    .pipe(z.array(z.enum(["auto", ...MANAGERS, "portage", "pkg", "pkg_info"]))),
  strategy: z.enum(["first", "all"]).default("first"),
});

/** One installed package, with Ansible's keys. */
type Pkg = Record<string, string | null>;

/** Parses dpkg's status file: installed packages only. */
export function parseDpkgStatus(text: string): Pkg[] {
  const out: Pkg[] = [];
  for (const para of text.split(/\n\n+/)) {
    const field = (name: string) => new RegExp(`^${name}: (.*)$`, "m").exec(para)?.[1];
    if (!/ installed$/.test(field("Status") ?? "")) continue;
    out.push({
      name: field("Package")!,
      version: field("Version") ?? "",
      arch: field("Architecture") ?? "",
      category: field("Section") ?? "",
      source: "apt",
    });
  }
  return out;
}

/** Parses apk's installed database (`P:` name, `V:` version, `A:` arch blocks). */
export function parseApkInstalled(text: string): Pkg[] {
  const out: Pkg[] = [];
  for (const block of text.split(/\n\n+/)) {
    const f = (k: string) => new RegExp(`^${k}:(.*)$`, "m").exec(block)?.[1];
    if (f("P")) {
      out.push({ name: f("P")!, version: f("V") ?? "", arch: f("A") ?? "", source: "apk" });
    }
  }
  return out;
}

async function readPackages(host: Host, manager: Manager): Promise<Pkg[] | undefined> {
  const text = (path: string) => host.readText(path).catch(() => undefined);
  switch (manager) {
    case "apt": {
      const status = await text("/var/lib/dpkg/status");
      return status === undefined ? undefined : parseDpkgStatus(status);
    }
    case "apk": {
      const db = await text("/lib/apk/db/installed");
      return db === undefined ? undefined : parseApkInstalled(db);
    }
    case "pacman": {
      const names = await host.readDir("/var/lib/pacman/local").catch(() => undefined);
      if (!names) return undefined;
      const out: Pkg[] = [];
      for (const dir of names) {
        const desc = await text(`/var/lib/pacman/local/${dir}/desc`);
        const f = (k: string) => desc && new RegExp(`^%${k}%\\n(.*)$`, "m").exec(desc)?.[1];
        if (f("NAME")) {
          out.push({
            name: f("NAME")!,
            version: f("VERSION") ?? "",
            arch: f("ARCH") ?? "",
            source: "pacman",
          });
        }
      }
      return out;
    }
    case "rpm": {
      if (!(await host.stat("/var/lib/rpm")) && !(await host.stat("/usr/lib/sysimage/rpm"))) {
        return undefined;
      }
      const r = await query(host, "rpm", [
        "-qa",
        "--queryformat",
        "%{NAME}\\t%{VERSION}\\t%{RELEASE}\\t%{EPOCH}\\t%{ARCH}\\n",
      ]);
      if (r.code !== 0) throw new Error(`rpm -qa failed: ${r.stderr.trim()}`);
      return r.stdout.split("\n").filter(Boolean).map((line) => {
        const [name, version, release, epoch, arch] = line.split("\t");
        return {
          name: name!,
          version: version ?? "",
          release: release ?? "",
          epoch: epoch === "(none)" ? null : epoch ?? null,
          arch: arch ?? "",
          source: "rpm",
        };
      });
    }
  }
}

/** The package_facts task. */
export const packageFacts = defineTask({
  type: "package_facts",
  schema,
  async read(p, host) {
    const wanted = p.manager.includes("auto") ? [...MANAGERS] : p.manager;
    const packages: Record<string, Pkg[]> = {};
    let found = 0;
    for (const m of wanted) {
      if (!(MANAGERS as readonly string[]).includes(m)) {
        throw new Error(`package_facts: manager ${m} is not supported by driftless`);
      }
      const list = await readPackages(host, m as Manager);
      if (!list) continue;
      found++;
      for (const pkg of list) (packages[pkg.name!] ??= []).push(pkg);
      if (p.strategy === "first") break;
    }
    if (found === 0) {
      return { failed: true, msg: `Could not detect a supported package manager from ${wanted}` };
    }
    return { ansible_facts: { packages } };
  },
  plan: () => [],
  apply: () => Promise.resolve(),
  result: (_p, current) => current,
});
