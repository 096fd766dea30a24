/**
 * Security facts with Ansible's names: `selinux` (status, and mode, config_mode, policyvers and
 * type when enabled, from selinuxfs and /etc/selinux/config), `apparmor`, `fips` and
 * `is_chroot`.
 *
 * @module
 */

const MODES: Readonly<Record<string, string>> = {
  "1": "enforcing",
  "0": "permissive",
};

/** `selinux` from the enforce and policyvers files of selinuxfs and /etc/selinux/config. */
export function selinuxFact(
  s: { enforce?: string | undefined; policyvers?: string | undefined; config?: string | undefined },
): Record<string, unknown> {
  if (s.enforce === undefined) return { status: "disabled" };
  const conf = (key: string) =>
    new RegExp(`^\\s*${key}\\s*=\\s*(\\S+)`, "m").exec(s.config ?? "")?.[1];
  const configMode = conf("SELINUX")?.toLowerCase();
  return {
    status: "enabled",
    policyvers: s.policyvers !== undefined ? Number(s.policyvers) : "unknown",
    config_mode: configMode && ["enforcing", "permissive", "disabled"].includes(configMode)
      ? configMode
      : "unknown",
    mode: MODES[s.enforce.trim()] ?? "unknown",
    type: conf("SELINUXTYPE") ?? "unknown",
  };
}

/** `fips`: true when the kernel runs in FIPS mode. */
export function fipsFact(fipsEnabled: string | undefined): boolean {
  return fipsEnabled?.trim() === "1";
}

/**
 * `is_chroot`, Ansible's way: the `debian_chroot` variable, or `/` is not the root of pid 1
 * (compared by device and inode); without /proc, `/` is not inode 2 (ext), 128 (xfs) or 256
 * (btrfs).
 */
export function isChroot(
  s: {
    debianChroot?: string | undefined;
    root: { dev: number; ino: number };
    pid1Root?: { dev: number; ino: number } | undefined;
    rootFsType?: string | undefined;
  },
): boolean {
  if (s.debianChroot) return true;
  if (s.pid1Root) return s.root.ino !== s.pid1Root.ino || s.root.dev !== s.pid1Root.dev;
  const ino = s.rootFsType === "btrfs" ? 256 : s.rootFsType === "xfs" ? 128 : 2;
  return s.root.ino !== ino;
}
