/**
 * /etc/os-release parsing and the distribution facts Ansible derives from it.
 *
 * @module
 */

/** Ansible's os_family for an os-release ID (and ID_LIKE fallbacks). */
const OS_FAMILY: Readonly<Record<string, string>> = {
  debian: "Debian",
  ubuntu: "Debian",
  raspbian: "Debian",
  linuxmint: "Debian",
  pop: "Debian",
  kali: "Debian",
  devuan: "Debian",
  rhel: "RedHat",
  centos: "RedHat",
  fedora: "RedHat",
  rocky: "RedHat",
  almalinux: "RedHat",
  ol: "RedHat",
  amzn: "RedHat",
  sles: "Suse",
  sled: "Suse",
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
  raspbian: "Debian",
  linuxmint: "Linux Mint",
  kali: "Kali",
  devuan: "Devuan",
  rhel: "RedHat",
  centos: "CentOS",
  fedora: "Fedora",
  rocky: "Rocky",
  almalinux: "AlmaLinux",
  ol: "OracleLinux",
  amzn: "Amazon",
  arch: "Archlinux",
  manjaro: "Archlinux",
  alpine: "Alpine",
  gentoo: "Gentoo",
  sles: "SLES",
  sled: "SLED",
  opensuse: "openSUSE",
  "opensuse-leap": "openSUSE Leap",
  "opensuse-tumbleweed": "openSUSE Tumbleweed",
};

/**
 * Parses `/etc/os-release` (`KEY="value"` lines).
 *
 * @example
 * ```ts
 * parseOsRelease('ID=debian\nVERSION_ID="12"\n'); // { ID: "debian", VERSION_ID: "12" }
 * ```
 */
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

/**
 * Facts derived from os-release fields; `debianVersion` is the content of /etc/debian_version,
 * which Ansible prefers for Debian's point release (`12.11`).
 */
export function distributionFacts(
  os: Readonly<Record<string, string>>,
  options: { debianVersion?: string } = {},
): Record<string, string> {
  const id = (os.ID ?? "linux").toLowerCase();
  const like = (os.ID_LIKE ?? "").split(/\s+/).filter(Boolean);
  const family = OS_FAMILY[id] ?? like.map((l) => OS_FAMILY[l]).find(Boolean) ?? os.NAME ?? "Linux";
  let version = os.VERSION_ID ?? "";
  const point = options.debianVersion?.trim();
  if (id === "debian" && point && /^\d+(\.\d+)+$/.test(point)) version = point;
  const [major = "", minor] = version.split(".");
  return {
    distribution: DISTRIBUTION[id] ?? os.NAME ?? "Linux",
    distribution_version: version,
    distribution_major_version: major,
    ...(minor !== undefined ? { distribution_minor_version: minor } : {}),
    distribution_release: os.VERSION_CODENAME ?? os.UBUNTU_CODENAME ?? "",
    os_family: family,
  };
}
