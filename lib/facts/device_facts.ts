/**
 * Block device facts with Ansible's names and shapes: `devices` (one entry per /sys/block
 * device, with its partitions, links, holders, sizes and queue settings), `device_links` (the
 * /dev/disk/by-id, by-uuid and by-label names and the dm/md masters of each device) and `lvm`
 * ("N/A" when there is no LVM volume, as Ansible reports it without the lvm tools). Everything
 * comes from sysfs and /dev/disk; nothing is forked (Ansible's `host` comes from `lspci` and
 * stays empty here, as it does for Ansible when lspci is not installed).
 *
 * @module
 */

import { bytesToHuman } from "../human_size.ts";

/** File-system access the gathering needs; every call returns undefined on any error. */
export interface DeviceProbe {
  /** File content, stripped; undefined when absent, unreadable or empty (Ansible's rule). */
  read(path: string): string | undefined;
  list(path: string): string[] | undefined;
  /** A symlink's target as written. */
  readLink(path: string): string | undefined;
  realPath(path: string): string | undefined;
}

type Links = Record<string, string[]>;

/** The names of /dev/disk/by-* entries by the device they point to. */
function linksIn(p: DeviceProbe, dir: string): Links {
  const out: Record<string, Set<string>> = {};
  for (const entry of p.list(dir) ?? []) {
    const target = p.readLink(`${dir}/${entry}`)?.split("/").pop();
    if (target) (out[target] ??= new Set()).add(entry);
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

/** `device_links`: by-id, by-uuid and by-label names, and the devices stacked on each one. */
export function deviceLinks(p: DeviceProbe): Record<string, Links> {
  const masters: Record<string, Set<string>> = {};
  for (const dev of p.list("/sys/block") ?? []) {
    for (const slave of p.list(`/sys/block/${dev}/slaves`) ?? []) {
      (masters[slave] ??= new Set()).add(dev);
    }
  }
  return {
    ids: linksIn(p, "/dev/disk/by-id"),
    uuids: linksIn(p, "/dev/disk/by-uuid"),
    labels: linksIn(p, "/dev/disk/by-label"),
    masters: Object.fromEntries(Object.entries(masters).map(([k, v]) => [k, [...v].sort()])),
  };
}

function linksOf(links: Record<string, Links>, name: string): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(links).map(([type, byDev]) => [type, byDev[name] ?? []]),
  );
}

/** Device-mapper devices on top of `sysdir` (by their dm name). */
function holders(p: DeviceProbe, sysdir: string): string[] {
  return (p.list(`${sysdir}/holders`) ?? []).filter((h) => h.startsWith("dm-"))
    .map((h) => p.read(`${sysdir}/holders/${h}/dm/name`) ?? h);
}

/** `devices`: one entry per block device, as Ansible's hardware facts give it. */
export function devicesFact(
  p: DeviceProbe,
  links: Record<string, Links>,
): Record<string, Record<string, unknown>> {
  const wwn: Record<string, string> = {};
  for (const id of p.list("/dev/disk/by-id") ?? []) {
    const target = id.startsWith("wwn-") ? p.readLink(`/dev/disk/by-id/${id}`) : undefined;
    if (target) wwn[target.split("/").pop()!] = id.slice(4);
  }
  const uuidOf = (part: string) =>
    (p.list("/dev/disk/by-uuid") ?? []).find((u) =>
      p.realPath(`/dev/disk/by-uuid/${u}`) === `/dev/${part}`
    ) ?? null;
  const sectorSize = (dir: string) =>
    p.read(`${dir}/queue/logical_block_size`) ?? p.read(`${dir}/queue/hw_sector_size`) ?? 512;
  const out: Record<string, Record<string, unknown>> = {};
  for (const block of p.list("/sys/block") ?? []) {
    const target = p.readLink(`/sys/block/${block}`);
    const sysdir = target !== undefined ? `/sys/block/${target}` : `/sys/block/${block}`;
    const name = sysdir.split("/").pop()!;
    const d: Record<string, unknown> = {
      // Ansible marks a device virtual unless /sys/block holds real directories (old kernels).
      virtual: target !== undefined ||
          !(p.list(sysdir) ?? []).some((f) => f.includes("device"))
        ? 1
        : 0,
      links: linksOf(links, block),
    };
    for (const key of ["vendor", "model", "sas_address", "sas_device_handle"]) {
      d[key] = p.read(`${sysdir}/device/${key}`) ?? null;
    }
    const serial = p.read(`/sys/block/${block}/device/serial`);
    if (serial) d.serial = serial;
    d.removable = p.read(`${sysdir}/removable`) ?? null;
    d.support_discard = p.read(`${sysdir}/queue/discard_granularity`) ?? null;
    if (wwn[name]) d.wwn = wwn[name];
    const partitions: Record<string, unknown> = {};
    const partRe = new RegExp(`(${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}p?\\d+)`);
    for (const folder of p.list(sysdir) ?? []) {
      const m = partRe.exec(folder);
      if (!m) continue;
      const part = m[1]!;
      const dir = `${sysdir}/${part}`;
      const sectors = p.read(`${dir}/size`) ?? 0;
      partitions[part] = {
        links: linksOf(links, part),
        start: p.read(`${dir}/start`) ?? 0,
        sectors,
        sectorsize: sectorSize(dir),
        size: bytesToHuman(Number(sectors) * 512),
        uuid: uuidOf(part),
        holders: holders(p, dir),
      };
    }
    d.partitions = partitions;
    d.rotational = p.read(`${sysdir}/queue/rotational`) ?? null;
    d.scheduler_mode = /\[(.*)\]/.exec(p.read(`${sysdir}/queue/scheduler`) ?? "")?.[1] ?? "";
    d.sectors = p.read(`${sysdir}/size`) ?? 0;
    d.sectorsize = sectorSize(sysdir);
    d.size = bytesToHuman(Number(d.sectors) * 512);
    d.host = "";
    d.holders = holders(p, sysdir);
    out[name] = d;
  }
  return out;
}

/**
 * `lvm`: "N/A" when no device-mapper device is an LVM volume (what Ansible reports on hosts
 * without LVM); on LVM hosts the key is left out, as its volume-group sizes need the lvm tools.
 */
export function lvmFact(p: DeviceProbe): "N/A" | undefined {
  const lvm = (p.list("/sys/block") ?? []).some((b) =>
    p.read(`/sys/block/${b}/dm/uuid`)?.startsWith("LVM-")
  );
  return lvm ? undefined : "N/A";
}
