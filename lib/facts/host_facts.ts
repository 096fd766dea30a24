/**
 * Built-in host facts with Ansible's names and shapes (`ansible_facts.*`), gathered once per
 * run: from /etc, /proc, /sys and Deno's system APIs, with no child process (Ansible's own
 * gathering costs ~1.4 s and forks `ip`, `lsblk`, `findmnt`...). A fact whose source is not
 * permitted (scoped flags: `apply --dry-run` runs with `--allow-read=/etc,...`) is left out;
 * gathering never fails because of a permission.
 *
 * @module
 */
import { statfs } from "./_statfs.ts";
import { ipv4Broadcast } from "./_netif.ts";
import { attempt, canRead, canSys, granted, procAccess } from "./_perm.ts";
import { localZone, zoneFor } from "./_tz.ts";
import { parseMounts } from "./filesystem.ts";
import {
  ansibleMounts,
  bindMounts,
  cpuFacts,
  memoryFacts,
  mountFact,
  type MountSize,
} from "./hardware_facts.ts";
import { meminfoKb } from "./meminfo.ts";
import {
  type AddressInfo,
  defaultFacts,
  interfaceFacts,
  interfaceKey,
  parseDefaultRoute,
  parseDefaultRoute6,
  type SysIface,
} from "./network_facts.ts";
import {
  distributionFacts,
  distributionFileFacts,
  lsbFacts,
  parseOsRelease,
} from "./os_release.ts";
import { deviceLinks, type DeviceProbe, devicesFact, lvmFact } from "./device_facts.ts";
import { dmiFacts } from "./dmi_facts.ts";
import { fibreChannelWwn, hostNqn, iscsiIqn } from "./initiator_facts.ts";
import { localFact } from "./local_facts.ts";
import { fipsFact, isChroot, selinuxFact } from "./security_facts.ts";
import {
  cmdlineFacts,
  dateTimeFacts,
  dnsFacts,
  findPasswd,
  fqdnFromHosts,
  pkgMgrFact,
  procCmdlineFacts,
  serviceMgrFact,
  userFacts,
} from "./system_facts.ts";
import { type VirtProbe, virtualFacts } from "./virtual_facts.ts";

/** Host facts, keyed as in Ansible's `ansible_facts` (no `ansible_` prefix). */
export type HostFacts = Record<string, unknown>;

/** Options of {@linkcode gatherFacts}. */
export interface GatherOptions {
  /** The host's root (for /etc files), default `/`. */
  readonly root?: string;
  /** Longest a mount's statfs may take (a dead NFS server); default 2 s. */
  readonly mountTimeoutMs?: number;
}

function readIf(path: string, allowed: boolean): string | undefined {
  if (!allowed) return undefined;
  return attempt(() => Deno.readTextFileSync(path));
}

function existsIf(path: string): boolean {
  if (!canRead(path)) return false;
  return attempt(() => (Deno.lstatSync(path), true)) ?? false;
}

/** Gathers the built-in facts from the running host. */
export async function gatherFacts(options: GatherOptions = {}): Promise<HostFacts> {
  const root = (options.root ?? "/").replace(/\/+$/, "");
  const etc = (p: string) => `${root}/etc/${p}`;
  const proc = procAccess();
  const readEtc = (p: string) => readIf(etc(p), canRead(etc(p)));
  const readProc = (p: string) => readIf(`/proc/${p}`, proc);
  const readSys = (p: string) => readIf(`/sys/${p}`, proc)?.trim();
  const facts: HostFacts = { system: "Linux" };

  // Identity and distribution.
  const arch = Deno.build.arch;
  Object.assign(facts, {
    architecture: arch,
    machine: arch,
    userspace_architecture: arch,
    userspace_bits: "64",
  });
  const nodename = canSys("hostname") ? attempt(() => Deno.hostname()) : undefined;
  if (nodename !== undefined) {
    const short = nodename.split(".")[0]!;
    const hosts = readEtc("hosts");
    const fqdn = (hosts !== undefined ? fqdnFromHosts(hosts, nodename) : undefined) ?? nodename;
    Object.assign(facts, {
      hostname: short,
      nodename,
      fqdn,
      domain: fqdn.includes(".") ? fqdn.slice(fqdn.indexOf(".") + 1) : "",
    });
  }
  if (canSys("osRelease")) {
    const kernel = attempt(() => Deno.osRelease());
    if (kernel !== undefined) facts.kernel = kernel;
  }
  const kernelVersion = readProc("sys/kernel/version")?.trim();
  if (kernelVersion !== undefined) facts.kernel_version = kernelVersion;
  const osRelease = readEtc("os-release") ??
    readIf(`${root}/usr/lib/os-release`, canRead(`${root}/usr/lib/os-release`));
  if (osRelease !== undefined) {
    const os = parseOsRelease(osRelease);
    const debianVersion = readEtc("debian_version");
    Object.assign(
      facts,
      distributionFacts(os, debianVersion !== undefined ? { debianVersion } : {}),
    );
    facts.distribution_file_path = readEtc("os-release") !== undefined
      ? "/etc/os-release"
      : "/usr/lib/os-release";
    Object.assign(
      facts,
      distributionFileFacts(String(facts.os_family), (p) => existsIf(`${root}${p}`)),
    );
  }
  facts.lsb = lsbFacts({
    lsbRelease: readEtc("lsb-release"),
    osRelease,
    lsbReleaseBin: existsIf(`${root}/usr/bin/lsb_release`) || existsIf(`${root}/bin/lsb_release`),
  });
  const machineId = readEtc("machine-id")?.trim() ??
    readIf(`${root}/var/lib/dbus/machine-id`, canRead(`${root}/var/lib/dbus/machine-id`))?.trim();
  if (machineId) facts.machine_id = machineId;

  // Hardware.
  const cpuinfo = readProc("cpuinfo");
  if (cpuinfo !== undefined) {
    Object.assign(facts, cpuFacts(cpuinfo, { arch, nproc: navigator.hardwareConcurrency }));
  }
  const meminfo = readProc("meminfo");
  if (meminfo !== undefined) {
    Object.assign(facts, memoryFacts(meminfoKb(meminfo)));
  } else if (canSys("systemMemoryInfo")) {
    const m = attempt(() => Deno.systemMemoryInfo());
    if (m) {
      Object.assign(
        facts,
        memoryFacts({
          MemTotal: m.total / 1024,
          MemFree: m.free / 1024,
          Buffers: m.buffers / 1024,
          Cached: m.cached / 1024,
          SwapTotal: m.swapTotal / 1024,
          SwapFree: m.swapFree / 1024,
        }),
      );
    }
  }
  const uptime = readProc("uptime");
  if (uptime !== undefined) facts.uptime_seconds = Math.floor(Number(uptime.split(" ")[0]));
  else if (canSys("osUptime")) {
    const up = attempt(() => Deno.osUptime());
    if (up !== undefined) facts.uptime_seconds = Math.floor(up);
  }
  const loadavg = readProc("loadavg")?.split(" ").slice(0, 3).map(Number) ??
    (canSys("loadavg") ? attempt(() => Deno.loadavg()) : undefined);
  if (loadavg) facts.loadavg = { "15m": loadavg[2], "1m": loadavg[0], "5m": loadavg[1] };
  const cmdline = readProc("cmdline");
  if (cmdline !== undefined) {
    facts.cmdline = cmdlineFacts(cmdline);
    facts.proc_cmdline = procCmdlineFacts(cmdline);
  }

  // Mounts (statfs of each, in parallel, each with a timeout).
  // /etc/mtab is a link into /proc on current systems: without /proc access there are no mounts.
  const mountsText = readProc("mounts");
  const mountsPromise = mountsText !== undefined
    ? gatherMounts(
      mountsText,
      proc,
      options.mountTimeoutMs ?? 2000,
      // Ansible asks findmnt (util-linux), which reads the same mountinfo.
      existsIf(`${root}/usr/bin/findmnt`) || existsIf(`${root}/bin/findmnt`)
        ? bindMounts(readProc("self/mountinfo") ?? "")
        : new Set(),
    )
    : Promise.resolve(undefined);

  // Network.
  Object.assign(facts, networkFacts(proc, readProc, readSys));
  const resolv = readEtc("resolv.conf");
  if (resolv !== undefined) facts.dns = dnsFacts(resolv);

  // The user running the agent.
  const uid = canSys("uid") ? attempt(() => Deno.uid()) ?? undefined : undefined;
  const gid = canSys("gid") ? attempt(() => Deno.gid()) ?? undefined : undefined;
  const env = environment();
  const passwd = readEtc("passwd");
  const login = env.LOGNAME ?? env.USER ?? env.LNAME ?? env.USERNAME;
  const entry = passwd !== undefined
    ? findPasswd(passwd, uid !== undefined ? { uid } : login !== undefined ? { name: login } : {})
    : undefined;
  Object.assign(
    facts,
    userFacts(entry, {
      ...(uid !== undefined ? { uid } : {}),
      ...(gid !== undefined ? { gid } : {}),
      ...(login !== undefined ? { login } : {}),
    }),
  );
  facts.env = env;

  // Time.
  const now = new Date();
  const zone = canRead(etc("localtime"))
    ? localZone(root || "/", now)
    : zoneFor(undefined, -now.getTimezoneOffset() * 60);
  facts.date_time = dateTimeFacts(now, zone);

  // Package and service managers, virtualization.
  facts.pkg_mgr = pkgMgrFact(
    (p) => existsIf(`${root}${p}`),
    facts as { os_family?: string; distribution?: string; distribution_major_version?: string },
  );
  const sbinInit = canRead(`${root}/sbin/init`)
    ? attempt(() => Deno.readLinkSync(`${root}/sbin/init`))
    : undefined;
  const serviceProbe = {
    ...(readProc("1/comm") !== undefined ? { proc1Comm: readProc("1/comm")! } : {}),
    systemctl: existsIf(`${root}/usr/bin/systemctl`) || existsIf(`${root}/bin/systemctl`),
    systemdCanary: ["/run/systemd/system/", "/dev/.run/systemd/", "/dev/.systemd/"].some((p) =>
      existsIf(`${root}${p}`)
    ),
    initctl: existsIf(`${root}/sbin/initctl`) || existsIf(`${root}/usr/sbin/initctl`),
    etcInit: existsIf(etc("init/")),
    sbinOpenrc: existsIf(`${root}/sbin/openrc`),
    ...(sbinInit !== undefined ? { sbinInitTarget: sbinInit } : {}),
    etcInitD: existsIf(etc("init.d/")),
  };
  // Without /proc (scoped flags) pid 1 is unknown; the canary files decide, as Ansible's fallback.
  facts.service_mgr = serviceMgrFact(serviceProbe);
  if (proc) Object.assign(facts, virtualFacts(virtProbe(readProc, readSys, root, cpuinfo)));
  Object.assign(facts, platformFacts(proc, readProc, readSys, readEtc, env));

  const mounts = await mountsPromise;
  if (mounts) facts.mounts = mounts;
  return facts;
}

/**
 * Ansible's hardware and system facts that sysfs, /proc and /etc answer without a command:
 * DMI, block devices, SELinux, AppArmor, FIPS, chroot, storage initiators and local facts.
 */
function platformFacts(
  proc: boolean,
  readProc: (p: string) => string | undefined,
  readSys: (p: string) => string | undefined,
  readEtc: (p: string) => string | undefined,
  env: Record<string, string>,
): HostFacts {
  const out: HostFacts = {
    gather_subset: ["all"],
    module_setup: true,
    iscsi_iqn: iscsiIqn(readEtc("iscsi/initiatorname.iscsi")),
    hostnqn: hostNqn(readEtc("nvme/hostnqn")),
    selinux: selinuxFact({
      enforce: proc ? readSys("fs/selinux/enforce") : undefined,
      policyvers: proc ? readSys("fs/selinux/policyvers") : undefined,
      config: readEtc("selinux/config"),
    }),
  };
  const facts = canRead("/etc/ansible/facts.d")
    ? attempt(() => [...Deno.readDirSync("/etc/ansible/facts.d")]) ?? []
    : [];
  out.local = Object.fromEntries(
    facts.filter((e) => e.name.endsWith(".fact")).sort((a, b) => (a.name < b.name ? -1 : 1))
      .flatMap((e) => {
        const path = `/etc/ansible/facts.d/${e.name}`;
        // Executable fact scripts would need a fork: left out.
        const mode = attempt(() => Deno.statSync(path).mode) ?? 0;
        const text = mode & 0o100 ? undefined : readEtc(`ansible/facts.d/${e.name}`) ?? "";
        return text === undefined ? [] : [[e.name.slice(0, -5), localFact(path, text)]];
      }),
  );
  const rootStat = canRead("/") ? attempt(() => Deno.statSync("/")) : undefined;
  if (rootStat?.ino != null) {
    const pid1 = proc ? attempt(() => Deno.statSync("/proc/1/root")) : undefined;
    out.is_chroot = isChroot({
      debianChroot: env.debian_chroot,
      root: { dev: rootStat.dev, ino: rootStat.ino },
      ...(pid1?.ino != null ? { pid1Root: { dev: pid1.dev, ino: pid1.ino } } : {}),
    });
  }
  if (!proc) return out;
  const nonEmpty = (v: string | undefined) => (v === "" ? undefined : v);
  const dmiPresent = readSys("devices/virtual/dmi/id/product_name") !== undefined;
  Object.assign(
    out,
    dmiFacts((f) => (dmiPresent ? nonEmpty(readSys(`devices/virtual/dmi/id/${f}`)) : undefined)),
  );
  out.apparmor = {
    status: attempt(() => Deno.statSync("/sys/kernel/security/apparmor")) ? "enabled" : "disabled",
  };
  out.fips = fipsFact(readProc("sys/crypto/fips_enabled"));
  out.fibre_channel_wwn = fibreChannelWwn(
    (attempt(() => [...Deno.readDirSync("/sys/class/fc_host")]) ?? [])
      .map((e) => e.name).sort().flatMap((h) => readSys(`class/fc_host/${h}/port_name`) ?? []),
  );
  const probe: DeviceProbe = {
    read: (p) => nonEmpty(attempt(() => Deno.readTextFileSync(p).trim())),
    list: (p) => attempt(() => [...Deno.readDirSync(p)].map((e) => e.name).sort()),
    readLink: (p) => attempt(() => Deno.readLinkSync(p)),
    realPath: (p) => attempt(() => Deno.realPathSync(p)),
  };
  const links = deviceLinks(probe);
  out.device_links = links;
  out.devices = devicesFact(probe, links);
  const lvm = lvmFact(probe);
  if (lvm) out.lvm = lvm;
  return out;
}

function environment(): Record<string, string> {
  if (!granted({ name: "env" })) {
    // Scoped --allow-env: report only the variables that are visible.
    return {};
  }
  return attempt(() => Deno.env.toObject()) ?? {};
}

function networkFacts(
  proc: boolean,
  readProc: (p: string) => string | undefined,
  readSys: (p: string) => string | undefined,
): HostFacts {
  const addresses: AddressInfo[] = canSys("networkInterfaces")
    ? (attempt(() => Deno.networkInterfaces()) ?? []) as AddressInfo[]
    : [];
  const sys = new Map<string, SysIface>();
  if (proc) {
    const names = attempt(() =>
      [...Deno.readDirSync("/sys/class/net")].map((e) => e.name).sort()
    ) ?? [];
    for (const name of names) {
      const base = `class/net/${name}`;
      if (readSys(`${base}/ifindex`) === undefined) continue;
      const link = (p: string) =>
        attempt(() => Deno.realPathSync(`/sys/${base}/${p}`).split("/").pop());
      const bridgeIfs = attempt(() =>
        [...Deno.readDirSync(`/sys/${base}/brif`)].map((e) => e.name).sort()
      );
      const bonding = readSys(`${base}/bonding/slaves`) !== undefined ||
        attempt(() => Deno.statSync(`/sys/${base}/bonding`)) !== undefined;
      const entry: SysIface = {
        ...opt("address", readSys(`${base}/address`)),
        ...opt("mtu", readSys(`${base}/mtu`)),
        ...opt("operstate", readSys(`${base}/operstate`)),
        ...opt("type", readSys(`${base}/type`)),
        ...opt("flags", readSys(`${base}/flags`)),
        ...opt("speed", readSys(`${base}/speed`)),
        ...opt("pciid", attempt(() => Deno.readLinkSync(`/sys/${base}/device`).split("/").pop())),
        ...opt("module", link("device/driver/module")),
        ...(attempt(() => Deno.statSync(`/sys/${base}/bridge`))
          ? {
            bridge: {
              interfaces: bridgeIfs ?? [],
              ...opt("id", readSys(`${base}/bridge/bridge_id`)),
              ...opt("stp", readSys(`${base}/bridge/stp_state`)),
            },
          }
          : {}),
        ...(bonding
          ? {
            bonding: {
              ...opt("slaves", readSys(`${base}/bonding/slaves`)),
              ...opt("mode", readSys(`${base}/bonding/mode`)),
              ...opt("miimon", readSys(`${base}/bonding/miimon`)),
              ...opt("lacpRate", readSys(`${base}/bonding/lacp_rate`)),
              ...opt("primary", readSys(`${base}/bonding/primary`)),
              ...opt("allSlavesActive", readSys(`${base}/bonding/all_slaves_active`)),
            },
          }
          : {}),
        ...opt("permMacaddress", readSys(`${base}/bonding_slave/perm_hwaddr`)),
        ...opt("broadcast", ipv4Broadcast(name)),
      };
      sys.set(name, entry);
    }
  }
  if (sys.size === 0 && addresses.length === 0) return {};
  const { interfaces, all_ipv4_addresses, all_ipv6_addresses } = interfaceFacts(sys, addresses);
  const out: HostFacts = {
    interfaces: [...interfaces.keys()],
    all_ipv4_addresses,
    all_ipv6_addresses,
  };
  for (const [name, f] of interfaces) out[interfaceKey(name)] = f;
  const route4 = readProc("net/route");
  const route6 = readProc("net/ipv6_route");
  if (route4 !== undefined) {
    out.default_ipv4 = defaultFacts(parseDefaultRoute(route4), interfaces, "ipv4");
  }
  if (route6 !== undefined) {
    out.default_ipv6 = defaultFacts(parseDefaultRoute6(route6), interfaces, "ipv6");
  }
  return out;
}

function opt<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value !== undefined ? { [key]: value } : {}) as { [P in K]?: string };
}

async function gatherMounts(
  text: string,
  proc: boolean,
  timeoutMs: number,
  binds: ReadonlySet<string>,
): Promise<unknown[]> {
  const mounts = ansibleMounts(
    parseMounts(text).map((m) => ({
      device: m.device,
      mount: m.mountpoint,
      fstype: m.fstype,
      options: binds.has(m.mountpoint) ? `${m.options},bind` : m.options,
    })),
  );
  const uuids = new Map<string, string>();
  if (proc || canRead("/dev/disk/by-uuid")) {
    for (const e of attempt(() => [...Deno.readDirSync("/dev/disk/by-uuid")]) ?? []) {
      const target = attempt(() => Deno.realPathSync(`/dev/disk/by-uuid/${e.name}`));
      if (target) uuids.set(target, e.name);
    }
  }
  return await Promise.all(mounts.map(async (m) => {
    let size: MountSize | undefined;
    if (canRead(m.mount)) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      size = await Promise.race([
        statfs(m.mount).then((s) => s as MountSize, () => undefined),
        new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), timeoutMs))),
      ]);
      clearTimeout(timer);
    }
    return mountFact(m, size, uuids.get(m.device));
  }));
}

function virtProbe(
  readProc: (p: string) => string | undefined,
  readSys: (p: string) => string | undefined,
  root: string,
  cpuinfo: string | undefined,
): VirtProbe {
  const exists = (p: string) => attempt(() => (Deno.lstatSync(p), true)) ?? false;
  const dmi = (f: string) => readSys(`devices/virtual/dmi/id/${f}`);
  const probe: Record<string, unknown> = {
    pid1Cgroup: readProc("1/cgroup"),
    pid1Environ: readProc("1/environ"),
    procVz: exists("/proc/vz"),
    procLve: exists("/proc/lve"),
    procBc: exists("/proc/bc"),
    systemdContainer: readIf(`${root}/run/systemd/container`, true)?.trim(),
    dockerenv: exists(`${root}/.dockerenv`) || exists(`${root}/.dockerinit`),
    procXen: exists("/proc/xen"),
    xenCapabilities: readProc("xen/capabilities"),
    productName: dmi("product_name"),
    sysVendor: dmi("sys_vendor"),
    productFamily: dmi("product_family"),
    biosVendor: dmi("bios_vendor"),
    selfStatus: readProc("self/status"),
    cpuinfo,
    modules: readProc("modules"),
    devKvm: exists("/dev/kvm"),
  };
  for (const k of Object.keys(probe)) if (probe[k] === undefined) delete probe[k];
  return probe as VirtProbe;
}
