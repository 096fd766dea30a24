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

/**
 * Ansible's `lsb`: from /etc/lsb-release when there is one (Ubuntu's), else what Debian's
 * `lsb_release -a` prints (it derives everything from os-release) when that program is
 * installed; `{}` otherwise, as Ansible gives without either. `major_release` is the release's
 * first part.
 */
export function lsbFacts(
  src: { lsbRelease?: string | undefined; osRelease?: string | undefined; lsbReleaseBin: boolean },
): Record<string, string> {
  let lsb: Record<string, string> = {};
  const unquote = (v: string) => v.replace(/^["']+|["']+$/g, "");
  if (src.lsbRelease !== undefined) {
    const keys: Record<string, string> = {
      DISTRIB_ID: "id",
      DISTRIB_RELEASE: "release",
      DISTRIB_DESCRIPTION: "description",
      DISTRIB_CODENAME: "codename",
    };
    for (const line of src.lsbRelease.split("\n")) {
      const eq = line.indexOf("=");
      const key = keys[line.slice(0, eq).trim()];
      if (eq > 0 && key) lsb[key] = unquote(line.slice(eq + 1).trim());
    }
  } else if (src.lsbReleaseBin && src.osRelease !== undefined) {
    const os = parseOsRelease(src.osRelease);
    const id = os.ID ?? "";
    const capitalized = id.charAt(0).toUpperCase() + id.slice(1);
    lsb = {
      id: os.NAME !== undefined && os.NAME.toLowerCase() === id.toLowerCase()
        ? os.NAME
        : capitalized || "n/a",
      description: os.PRETTY_NAME ?? "n/a",
      release: os.VERSION_ID ?? "n/a",
      codename: os.VERSION_CODENAME ?? "n/a",
    };
  }
  if (lsb.release !== undefined) lsb.major_release = lsb.release.split(".")[0]!;
  return lsb;
}

/**
 * Ansible's `distribution_file_*` for the families whose release file it parses first: the
 * file, the name of the family of its parser, and whether it was parsed.
 */
export function distributionFileFacts(
  osFamily: string,
  exists: (path: string) => boolean,
): Record<string, string | boolean> {
  const files: Readonly<Record<string, readonly [string, string]>> = {
    RedHat: ["/etc/redhat-release", "RedHat"],
    Alpine: ["/etc/alpine-release", "Alpine"],
    Archlinux: ["/etc/arch-release", "Archlinux"],
    Gentoo: ["/etc/gentoo-release", "Gentoo"],
    Suse: ["/etc/os-release", "SUSE"],
    Debian: ["/etc/os-release", "Debian"],
  };
  const f = files[osFamily];
  if (!f || !exists(f[0])) return {};
  return {
    distribution_file_path: f[0],
    distribution_file_variety: f[1],
    distribution_file_parsed: true,
  };
}
