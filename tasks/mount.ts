/**
 * `mount` (ansible.posix.mount): an fstab entry and the live mount. States: mounted (entry +
 * mounted), unmounted, present (entry only), absent (entry removed and unmounted), remounted
 * (once per run). The live state is read from /proc/mounts; a non-default fstab is passed to
 * mount with `-T`, as Ansible does.
 *
 * @module
 */
import * as z from "zod";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { bool, str } from "./_ansible_params.ts";
import { type Cmd, cmdLine, readOptional, runAll } from "./_run.ts";

const schema = z.strictObject({
  path: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  src: z.string().optional(),
  fstype: z.string().optional(),
  opts: z.string().default("defaults"),
  dump: str().default("0"),
  passno: str().default("0"),
  state: z.enum(["mounted", "unmounted", "present", "absent", "remounted"]),
  fstab: z.string().default("/etc/fstab"),
  /** false adds `noauto` to the options. */
  boot: bool().default(true),
}).refine((p) => (p.path ?? p.name) !== undefined, { message: "path is required" })
  .refine((p) => !["mounted", "present"].includes(p.state) || (p.src && p.fstype), {
    message: "src and fstype are required with state mounted or present",
  });
type Params = z.output<typeof schema>;

/** One fstab or /proc/mounts entry. */
export interface MountEntry {
  readonly src: string;
  readonly path: string;
  readonly fstype: string;
  readonly opts: string;
  readonly dump: string;
  readonly passno: string;
}

interface MountCurrent {
  readonly fstab: string;
  /** The live mount at path; `null` when not mounted; `undefined` when /proc is unreadable. */
  readonly live?: MountEntry | null;
  readonly pathExists: boolean;
}

type MountOp = {
  fstab?: { path: string; text: string };
  mkdir?: string;
  cmds: readonly Cmd[];
};

const unescape = (s: string) =>
  s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
const escape = (s: string) =>
  s.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`);

/** Parses fstab or /proc/mounts lines. */
export function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (t === "" || t.startsWith("#")) continue;
    const [src, path, fstype, opts, dump, passno] = t.split(/\s+/);
    if (!src || !path || !fstype) continue;
    out.push({
      src: unescape(src),
      path: unescape(path),
      fstype,
      opts: opts ?? "defaults",
      dump: dump ?? "0",
      passno: passno ?? "0",
    });
  }
  return out;
}

function wantedEntry(p: Params): MountEntry {
  const opts = p.boot ? p.opts : [...p.opts.split(",").filter((o) => o !== "auto"), "noauto"]
    .filter((o, i, a) => a.indexOf(o) === i).join(",");
  return {
    src: p.src!,
    path: (p.path ?? p.name)!,
    fstype: p.fstype!,
    opts,
    dump: p.dump,
    passno: p.passno,
  };
}

function fstabLine(e: MountEntry): string {
  return [escape(e.src), escape(e.path), e.fstype, e.opts, e.dump, e.passno].join(" ");
}

/** The fstab after placing (or removing, with `undefined`) the entry for a path; pure. */
export function editFstab(text: string, path: string, entry: MountEntry | undefined): string {
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  const out: string[] = [];
  let placed = false;
  for (const line of lines) {
    const [e] = parseMounts(line);
    if (!e || e.path !== path) {
      out.push(line);
      continue;
    }
    if (!entry || placed) continue;
    const same = e.src === entry.src && e.fstype === entry.fstype && e.opts === entry.opts &&
      e.dump === entry.dump && e.passno === entry.passno;
    out.push(same ? line : fstabLine(entry));
    placed = true;
  }
  if (entry && !placed) out.push(fstabLine(entry));
  return out.length > 0 ? `${out.join("\n")}\n` : "";
}

/** The mount task. */
export const mount = defineTask({
  type: "mount",
  schema,
  mainParam: "path",
  async read(p, host): Promise<MountCurrent> {
    const path = (p.path ?? p.name)!;
    const [fstab, mounts, st] = await Promise.all([
      readOptional(host, p.fstab),
      readOptional(host, "/proc/mounts").catch(() => undefined),
      host.stat(path),
    ]);
    // The last mount on a path is the one in effect.
    const live = mounts === undefined
      ? undefined
      : parseMounts(mounts).filter((m) => m.path === path).at(-1) ?? null;
    return {
      fstab: fstab ?? "",
      ...(live !== undefined ? { live } : {}),
      pathExists: st !== undefined,
    };
  },
  plan(p, cur): Change<MountOp>[] {
    const path = (p.path ?? p.name)!;
    const changes: Change<MountOp>[] = [];
    const T = p.fstab === "/etc/fstab" ? [] : ["-T", p.fstab];
    const entry = ["mounted", "present"].includes(p.state) ? wantedEntry(p) : undefined;
    const needsLive = p.state !== "present";
    if (needsLive && cur.live === undefined && !(p.state === "absent" && !cur.pathExists)) {
      throw new Error("cannot tell what is mounted: /proc/mounts is not readable on the host");
    }
    const mounted = cur.live !== undefined && cur.live !== null;
    let fstabChanged = false;
    if (p.state !== "unmounted" && p.state !== "remounted") {
      const after = editFstab(cur.fstab, path, entry);
      if (after !== cur.fstab) {
        fstabChanged = true;
        changes.push({
          op: { fstab: { path: p.fstab, text: after }, cmds: [] },
          summary: `${entry ? "set" : "remove"} the ${p.fstab} entry for ${path}`,
          diff: { before: cur.fstab, after, path: p.fstab },
        });
      }
    }
    const act = (cmds: Cmd[], extra: Partial<MountOp> = {}) =>
      changes.push({ op: { cmds, ...extra }, summary: cmds.map(cmdLine).join(" && ") });
    if (p.state === "mounted") {
      if (!mounted) {
        act([{ cmd: "mount", args: [...T, path] }], cur.pathExists ? {} : { mkdir: path });
      } else if (fstabChanged) {
        const live = cur.live!;
        if (live.src !== entry!.src || live.fstype !== entry!.fstype) {
          act([{ cmd: "umount", args: [path] }, { cmd: "mount", args: [...T, path] }]);
        } else act([{ cmd: "mount", args: [...T, "-o", `remount,${entry!.opts}`, path] }]);
      }
    } else if ((p.state === "unmounted" || p.state === "absent") && mounted) {
      act([{ cmd: "umount", args: [path] }]);
    } else if (p.state === "remounted") {
      const cmds = [{ cmd: "mount", args: [...T, "-o", "remount", path] }];
      changes.push({ op: { cmds }, summary: cmds.map(cmdLine).join(" && "), action: true });
    }
    return changes;
  },
  async apply(op, host) {
    if (op.fstab) await host.writeAtomic(op.fstab.path, op.fstab.text);
    if (op.mkdir) await host.mkdir(op.mkdir, { recursive: true, mode: 0o755 });
    await runAll(host, op.cmds);
  },
});
