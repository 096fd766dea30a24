/**
 * Hardware facts with Ansible's names and shapes: the processor list and counts (Ansible's
 * /proc/cpuinfo algorithm, quirks included, so the numbers agree), memory in MB, and mounts with
 * their sizes.
 *
 * @module
 */

import { unescapeMount } from "./filesystem.ts";

type Obj = Record<string, unknown>;

/**
 * Processor facts from /proc/cpuinfo the way Ansible computes them: `processor` lists the
 * index, vendor and model of each CPU; counts come from `physical id`, `cpu cores` and
 * `siblings`.
 */
export function cpuFacts(cpuinfo: string, options: { arch: string; nproc?: number }): Obj {
  const processor: string[] = [];
  let i = 0;
  let vendorCount = 0;
  let modelCount = 0;
  let processorCount = 0;
  let physid = "0";
  let coreid = "0";
  const sockets = new Map<string, number>();
  const cores = new Map<string, number>();
  let coresOverride: number | undefined;
  for (const line of cpuinfo.split("\n")) {
    const colon = line.indexOf(":");
    const key = (colon < 0 ? line : line.slice(0, colon)).trim();
    const val = colon < 0 ? "" : line.slice(colon + 1).trim();
    if (["model name", "Processor", "vendor_id", "cpu", "Vendor", "processor"].includes(key)) {
      processor.push(val);
      if (key === "vendor_id") vendorCount++;
      if (key === "model name") modelCount++;
      if (key === "processor") processorCount++;
      i++;
    } else if (key === "physical id") {
      physid = val;
      if (!sockets.has(physid)) sockets.set(physid, 1);
    } else if (key === "core id") {
      coreid = val;
      // Ansible tests `sockets` here, not `cores`; kept so the counts agree with it.
      if (!sockets.has(coreid)) cores.set(coreid, 1);
    } else if (key === "cpu cores") {
      sockets.set(physid, Number(val));
    } else if (key === "siblings") {
      cores.set(coreid, Number(val));
    } else if (key === "# processors") {
      coresOverride = Number(val);
    } else if (key === "ncpus active") {
      i = Number(val);
    }
  }
  if (vendorCount > 0 && vendorCount === modelCount) i = vendorCount;
  if (/^(armv|aarch|ppc)/.test(options.arch)) i = processorCount;
  const out: Obj = { processor };
  if (options.arch === "s390x") {
    return coresOverride !== undefined ? { ...out, processor_cores: coresOverride } : out;
  }
  const count = sockets.size > 0 ? sockets.size : i;
  const firstSocket = [...sockets.values()][0];
  const perSocket = firstSocket ? firstSocket : 1;
  const firstCore = [...cores.values()][0];
  const threads = firstCore !== undefined
    ? Math.floor(firstCore / perSocket)
    : Math.floor(1 / perSocket);
  return {
    ...out,
    processor_count: count,
    processor_cores: perSocket,
    processor_threads_per_core: threads,
    processor_vcpus: threads * count * perSocket,
    processor_nproc: options.nproc ?? processorCount,
  };
}

/** Memory facts from /proc/meminfo values in kB (Ansible floors each to MB). */
export function memoryFacts(kb: Readonly<Record<string, number>>): Obj {
  const mb = (k: string) => (kb[k] !== undefined ? Math.floor(kb[k]! / 1024) : undefined);
  const total = mb("MemTotal");
  const free = mb("MemFree");
  const buffers = mb("Buffers");
  const cached = mb("Cached");
  const swapTotal = mb("SwapTotal");
  const swapFree = mb("SwapFree");
  const nocacheFree = cached !== undefined && free !== undefined && buffers !== undefined
    ? cached + free + buffers
    : undefined;
  const out: Obj = {};
  if (total !== undefined) out.memtotal_mb = total;
  if (free !== undefined) out.memfree_mb = free;
  if (swapTotal !== undefined) out.swaptotal_mb = swapTotal;
  if (swapFree !== undefined) out.swapfree_mb = swapFree;
  out.memory_mb = {
    nocache: {
      free: nocacheFree ?? null,
      used: total !== undefined && nocacheFree !== undefined ? total - nocacheFree : null,
    },
    real: {
      free: free ?? null,
      total: total ?? null,
      used: total !== undefined && free !== undefined ? total - free : null,
    },
    swap: {
      cached: mb("SwapCached") ?? null,
      free: swapFree ?? null,
      total: swapTotal ?? null,
      used: swapTotal !== undefined && swapFree !== undefined ? swapTotal - swapFree : null,
    },
  };
  return out;
}

/** A mount Ansible reports (real devices and network filesystems only). */
export interface MountLine {
  readonly device: string;
  readonly mount: string;
  readonly fstype: string;
  readonly options: string;
}

/** Ansible's filter: the device is a path (or `host:/export`) and the type is not `none`. */
export function ansibleMounts(mounts: readonly MountLine[]): MountLine[] {
  return mounts.filter((m) =>
    (m.device.startsWith("/") || m.device.startsWith("\\") || m.device.includes(":/")) &&
    m.fstype !== "none"
  );
}

/**
 * The mount points that are bind mounts, as Ansible finds them with findmnt: the mounts whose
 * root in /proc/self/mountinfo is a directory below the filesystem's root (Ansible then adds
 * `,bind` to their options).
 */
export function bindMounts(mountinfo: string): Set<string> {
  const out = new Set<string>();
  for (const line of mountinfo.split("\n")) {
    const f = line.split(" ");
    if (f.length > 4 && f[3] !== "/") out.add(unescapeMount(f[4]!));
  }
  return out;
}

/** statvfs numbers for {@linkcode mountFact}. */
export interface MountSize {
  readonly bsize: number;
  readonly frsize?: number;
  readonly blocks: number;
  readonly bavail: number;
  readonly files: number;
  readonly ffree: number;
}

/** One entry of Ansible's `mounts`. */
export function mountFact(
  m: MountLine,
  size: MountSize | undefined,
  uuid: string | undefined,
): Obj {
  const out: Obj = { mount: m.mount, device: m.device, fstype: m.fstype, options: m.options };
  if (size) {
    const frsize = size.frsize ?? size.bsize;
    Object.assign(out, {
      size_total: frsize * size.blocks,
      size_available: frsize * size.bavail,
      block_size: size.bsize,
      block_total: size.blocks,
      block_available: size.bavail,
      block_used: size.blocks - size.bavail,
      inode_total: size.files,
      inode_available: size.ffree,
      inode_used: size.files - size.ffree,
    });
  }
  out.uuid = uuid ?? "N/A";
  return out;
}
