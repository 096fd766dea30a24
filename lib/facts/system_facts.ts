/**
 * System facts with Ansible's names and shapes: `date_time`, the user (`user_id`, `user_uid`,
 * `user_dir`, ...), `fqdn` and `domain` (from /etc/hosts, as the resolver answers
 * `getfqdn()` without DNS), `dns`, `pkg_mgr`, `service_mgr` and `cmdline`.
 *
 * @module
 */
import { formatOffset, type LocalZone } from "./_tz.ts";

type Obj = Record<string, unknown>;
const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Ansible's `date_time` for an instant, in the local zone. */
export function dateTimeFacts(
  now: Date,
  zone: LocalZone,
  micros = now.getMilliseconds() * 1000,
): Obj {
  const y = now.getFullYear();
  const jan1 = new Date(y, 0, 1);
  const dayOfYear = Math.floor(
    (now.getTime() - jan1.getTime() +
      (jan1.getTimezoneOffset() - now.getTimezoneOffset()) * 60_000) / 86_400_000,
  );
  // %W: weeks that start on Monday; days before the first Monday are week 0.
  const weekNumber = Math.floor((dayOfYear + 7 - ((now.getDay() + 6) % 7)) / 7);
  const date = `${y}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
  const basic = `${y}${pad(now.getMonth() + 1)}${pad(now.getDate())}T${pad(now.getHours())}${
    pad(now.getMinutes())
  }${pad(now.getSeconds())}`;
  const utc = now.toISOString().slice(0, 19);
  const epoch = String(Math.floor(now.getTime() / 1000));
  return {
    date,
    day: pad(now.getDate()),
    epoch,
    epoch_int: epoch,
    hour: pad(now.getHours()),
    iso8601: `${utc}Z`,
    iso8601_basic: `${basic}${pad(micros, 6)}`,
    iso8601_basic_short: basic,
    iso8601_micro: `${utc}.${pad(micros, 6)}Z`,
    minute: pad(now.getMinutes()),
    month: pad(now.getMonth() + 1),
    second: pad(now.getSeconds()),
    time,
    tz: zone.abbr,
    tz_dst: zone.dstAbbr,
    tz_offset: formatOffset(zone.offsetSeconds),
    weekday: WEEKDAYS[now.getDay()]!,
    weekday_number: String(now.getDay()),
    weeknumber: pad(weekNumber),
    year: String(y),
  };
}

/** One /etc/passwd entry. */
export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly gecos: string;
  readonly dir: string;
  readonly shell: string;
}

/** Finds the /etc/passwd entry of a uid (or a name). */
export function findPasswd(
  text: string,
  who: { uid?: number; name?: string },
): PasswdEntry | undefined {
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 7) continue;
    const e = {
      name: f[0]!,
      uid: Number(f[2]),
      gid: Number(f[3]),
      gecos: f[4]!,
      dir: f[5]!,
      shell: f[6]!,
    };
    if (
      (who.uid !== undefined && e.uid === who.uid) || (who.uid === undefined && e.name === who.name)
    ) return e;
  }
  return undefined;
}

/** User facts: Ansible's `user_*` from the passwd entry, ids from the process. */
export function userFacts(
  entry: PasswdEntry | undefined,
  ids: { uid?: number; gid?: number; login?: string },
): Obj {
  const out: Obj = {};
  const name = ids.login ?? entry?.name;
  if (name !== undefined) out.user_id = name;
  if (entry) {
    Object.assign(out, {
      user_uid: entry.uid,
      user_gid: entry.gid,
      user_gecos: entry.gecos.split(",")[0] ?? "",
      user_dir: entry.dir,
      user_shell: entry.shell,
    });
  }
  if (ids.uid !== undefined) {
    out.real_user_id = ids.uid;
    out.effective_user_id = ids.uid;
  }
  if (ids.gid !== undefined) {
    out.real_group_id = ids.gid;
    out.effective_group_id = ids.gid;
  }
  return out;
}

/**
 * `fqdn` as Python's `socket.getfqdn()` finds it through /etc/hosts: the host's address, then
 * the first line for that address; the first of its names with a dot, else its first name.
 * Undefined when /etc/hosts does not know the host (the resolver would ask DNS).
 */
export function fqdnFromHosts(hosts: string, hostname: string): string | undefined {
  const lines = hosts.split("\n").map((l) => l.replace(/#.*/, "").trim().split(/\s+/)).filter((f) =>
    f.length >= 2
  );
  const own = lines.find((f) => f.slice(1).includes(hostname));
  if (!own) return undefined;
  const first = lines.find((f) => f[0] === own[0])!;
  const names = first.slice(1);
  return names.find((n) => n.includes(".")) ?? names[0];
}

/** Ansible's `dns` from /etc/resolv.conf. */
export function dnsFacts(resolvConf: string): Obj {
  const out: Obj = {};
  for (const raw of resolvConf.split("\n")) {
    const line = raw.replace(/[#;].*/, "").trim();
    const [key, ...rest] = line.split(/\s+/);
    if (!key || rest.length === 0) continue;
    if (key === "nameserver") ((out.nameservers ??= []) as string[]).push(rest[0]!);
    else if (key === "domain") out.domain = rest[0];
    else if (key === "search") out.search = rest;
    else if (key === "sortlist") out.sortlist = rest;
    else if (key === "options") {
      const opts = (out.options ??= {}) as Record<string, string | boolean>;
      for (const o of rest) {
        const [k, v] = o.split(":");
        opts[k!] = v ?? true;
      }
    }
  }
  return out;
}

/** Ansible's package manager paths, in its order (the last one present wins). */
export const PKG_MGRS: ReadonlyArray<readonly [string, string]> = [
  ["/usr/bin/rpm-ostree", "atomic_container"],
  ["/usr/bin/yum", "yum"],
  ["/usr/bin/dnf", "dnf"],
  ["/usr/bin/apt-get", "apt"],
  ["/usr/bin/zypper", "zypper"],
  ["/usr/sbin/urpmi", "urpmi"],
  ["/usr/bin/pacman", "pacman"],
  ["/bin/opkg", "opkg"],
  ["/usr/pkg/bin/pkgin", "pkgin"],
  ["/sbin/apk", "apk"],
  ["/usr/bin/emerge", "portage"],
  ["/usr/bin/xbps-install", "xbps"],
  ["/usr/bin/swupd", "swupd"],
];

/** `pkg_mgr` from which manager paths exist, with Ansible's distribution overrides. */
export function pkgMgrFact(
  exists: (path: string) => boolean,
  facts: { os_family?: string; distribution?: string; distribution_major_version?: string },
): string {
  let name = "unknown";
  for (const [path, mgr] of PKG_MGRS) if (exists(path)) name = mgr;
  const major = Number(facts.distribution_major_version);
  if (facts.os_family === "RedHat") {
    if (facts.distribution === "Fedora") {
      name = major < 23 && exists("/usr/bin/yum") ? "yum" : "dnf";
    } else if (facts.distribution === "Amazon") {
      name = major < 2022 && exists("/usr/bin/yum") ? "yum" : "dnf";
    } else name = major < 8 ? "yum" : "dnf";
  } else if (facts.os_family === "Debian" && name !== "apt") {
    name = "apt";
  }
  return name;
}

const PROC1_MAP: Readonly<Record<string, string>> = {
  procd: "openwrt_init",
  "runit-init": "runit",
  svscan: "svc",
  "openrc-init": "openrc",
};

/** `service_mgr` as Ansible decides it: pid 1's name, else canary files. */
export function serviceMgrFact(p: {
  proc1Comm?: string;
  systemctl?: boolean;
  systemdCanary?: boolean;
  initctl?: boolean;
  etcInit?: boolean;
  sbinOpenrc?: boolean;
  sbinInitTarget?: string;
  etcInitD?: boolean;
}): string {
  let comm = p.proc1Comm?.trim();
  if (comm === undefined && p.sbinInitTarget) comm = p.sbinInitTarget.split("/").pop();
  if (comm !== undefined && (comm === "init" || comm.endsWith("sh"))) comm = undefined;
  if (comm) return PROC1_MAP[comm] ?? comm;
  if (p.systemctl && p.systemdCanary) return "systemd";
  if (p.initctl && p.etcInit) return "upstart";
  if (p.sbinOpenrc) return "openrc";
  if (p.systemctl && p.sbinInitTarget?.split("/").pop() === "systemd") return "systemd";
  if (p.etcInitD) return "sysvinit";
  return "service";
}

/**
 * The words of a kernel command line as Python's `shlex.split(posix=False)` gives them to
 * Ansible: split at blanks, quotes kept, a quoted part never split; undefined when a quote is
 * not closed (Ansible then reports nothing).
 */
function cmdlineWords(text: string): string[] | undefined {
  const words: string[] = [];
  let word = "";
  let quote: string | undefined;
  for (const c of text.trim()) {
    if (quote) {
      word += c;
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      word += c;
      quote = c;
    } else if (/\s/.test(c)) {
      if (word !== "") words.push(word);
      word = "";
    } else word += c;
  }
  if (quote) return undefined;
  if (word !== "") words.push(word);
  return words;
}

/** Ansible's `cmdline`: each word `key=value` or `flag` (true); the last of a repeated key wins. */
export function cmdlineFacts(text: string): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const word of cmdlineWords(text) ?? []) {
    const eq = word.indexOf("=");
    if (eq < 0) out[word] = true;
    else out[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return out;
}

/** Ansible's `proc_cmdline`: like `cmdline`, but a repeated key keeps every value in a list. */
export function procCmdlineFacts(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const word of cmdlineWords(text) ?? []) {
    const eq = word.indexOf("=");
    if (eq < 0) {
      out[word] = true;
      continue;
    }
    const [key, value] = [word.slice(0, eq), word.slice(eq + 1)];
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}
