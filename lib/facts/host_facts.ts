/**
 * Built-in host facts with Ansible's names and shapes (`ansible_facts.*`), gathered once per run.
 *
 * @module
 */

/** Host facts, keyed as in Ansible's `ansible_facts` (no `ansible_` prefix). */
export type HostFacts = Record<string, unknown>;

/** Ansible's os_family for an os-release ID (and ID_LIKE fallbacks). */
const OS_FAMILY: Readonly<Record<string, string>> = {
  debian: "Debian",
  ubuntu: "Debian",
  raspbian: "Debian",
  linuxmint: "Debian",
  rhel: "RedHat",
  centos: "RedHat",
  fedora: "RedHat",
  rocky: "RedHat",
  almalinux: "RedHat",
  ol: "RedHat",
  amzn: "RedHat",
  sles: "Suse",
  opensuse: "Suse",
  "opensuse-leap": "Suse",
  "opensuse-tumbleweed": "Suse",
  arch: "Archlinux",
  manjaro: "Archlinux",
  alpine: "Alpine",
  gentoo: "Gentoo",
};

/** Ansible's distribution name for an os-release ID. */
const DISTRIBUTION: Readonly<Record<string, string>> = {
  debian: "Debian",
  ubuntu: "Ubuntu",
  rhel: "RedHat",
  centos: "CentOS",
  fedora: "Fedora",
  rocky: "Rocky",
  almalinux: "AlmaLinux",
  amzn: "Amazon",
  arch: "Archlinux",
  alpine: "Alpine",
  sles: "SLES",
  opensuse: "openSUSE",
  "opensuse-leap": "openSUSE Leap",
  "opensuse-tumbleweed": "openSUSE Tumbleweed",
};

/** Parses `/etc/os-release` (`KEY="value"` lines). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let value = m[2]!;
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1).replace(/\\(["$`\\])/g, "$1");
    out[m[1]!] = value;
  }
  return out;
}

/** Facts derived from os-release fields. */
export function distributionFacts(os: Readonly<Record<string, string>>): HostFacts {
  const id = (os.ID ?? "linux").toLowerCase();
  const like = (os.ID_LIKE ?? "").split(/\s+/).filter(Boolean);
  const family = OS_FAMILY[id] ?? like.map((l) => OS_FAMILY[l]).find(Boolean) ?? os.NAME ?? "Linux";
  const version = os.VERSION_ID ?? "";
  return {
    distribution: DISTRIBUTION[id] ?? os.NAME ?? "Linux",
    distribution_version: version,
    distribution_major_version: version.split(".")[0] ?? "",
    distribution_release: os.VERSION_CODENAME ?? "",
    os_family: family,
  };
}

/** Gathers the built-in facts from the running host. */
export async function gatherFacts(): Promise<HostFacts> {
  let os: Record<string, string> = {};
  for (const path of ["/etc/os-release", "/usr/lib/os-release"]) {
    try {
      os = parseOsRelease(await Deno.readTextFile(path));
      break;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  const hostname = Deno.hostname();
  const short = hostname.split(".")[0]!;
  const arch = Deno.build.arch === "aarch64" ? "aarch64" : Deno.build.arch;
  return {
    hostname: short,
    nodename: hostname,
    fqdn: hostname,
    domain: hostname.includes(".") ? hostname.slice(hostname.indexOf(".") + 1) : "",
    system: "Linux",
    kernel: Deno.osRelease(),
    architecture: arch,
    machine: arch,
    ...distributionFacts(os),
    user_id: userName(),
    env: environment(),
  };
}

function userName(): string {
  try {
    return Deno.env.get("USER") ?? Deno.env.get("LOGNAME") ?? "";
  } catch {
    return "";
  }
}

function environment(): Record<string, string> {
  try {
    return Deno.env.toObject();
  } catch {
    // Under --allow-env=DRIFTLESS_* only the visible part of the environment is reported.
    return {};
  }
}
