/**
 * Network facts with Ansible's names and shapes: `interfaces`, one entry per interface
 * (`eth0: {device, active, macaddress, mtu, type, ipv4, ipv6, ...}`), `default_ipv4`,
 * `default_ipv6`, `all_ipv4_addresses`, `all_ipv6_addresses`. Ansible runs `ip`; this reads
 * /sys/class/net, /proc/net/route, /proc/net/ipv6_route and `Deno.networkInterfaces()`.
 *
 * @module
 */
import { ipv4FromHexLE, ipv4Netmask, ipv4Network, ipv6FromHex, ipv6Scope } from "./_ip.ts";

/** A default route: interface and gateway. */
export interface DefaultRoute {
  readonly interface: string;
  readonly gateway: string;
}

/** The default IPv4 route with the lowest metric, from /proc/net/route. */
export function parseDefaultRoute(text: string): DefaultRoute | undefined {
  let best: { route: DefaultRoute; metric: number } | undefined;
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, gw, flags, , , metric, mask] = f;
    // RTF_UP (1); a default route has destination and mask 0.
    if (dest !== "00000000" || mask !== "00000000" || !(parseInt(flags!, 16) & 1)) continue;
    const m = Number(metric);
    if (!best || m < best.metric) {
      best = { route: { interface: iface!, gateway: ipv4FromHexLE(gw!) }, metric: m };
    }
  }
  return best?.route;
}

/** The default IPv6 route with the lowest metric, from /proc/net/ipv6_route. */
export function parseDefaultRoute6(text: string): DefaultRoute | undefined {
  let best: { route: DefaultRoute; metric: number } | undefined;
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [dest, destLen, , , gw, metric, , , flags, iface] = f;
    // RTF_UP (1) and RTF_REJECT (0x200): the unreachable ::/0 route on lo is not a default route.
    const fl = parseInt(flags!, 16);
    if (dest !== "0".repeat(32) || destLen !== "00" || !(fl & 1) || fl & 0x200 || iface === "lo") {
      continue;
    }
    const m = parseInt(metric!, 16);
    if (!best || m < best.metric) {
      best = { route: { interface: iface!, gateway: ipv6FromHex(gw!) }, metric: m };
    }
  }
  return best?.route;
}

/** The sysfs attributes one interface's facts need (read by the caller; all optional). */
export interface SysIface {
  readonly address?: string;
  readonly mtu?: string;
  readonly operstate?: string;
  readonly type?: string;
  readonly flags?: string;
  readonly speed?: string;
  /** basename of the `device` link (Ansible's `pciid`). */
  readonly pciid?: string;
  /** basename of `device/driver/module`. */
  readonly module?: string;
  /** The primary IPv4 address's configured broadcast ("" for none), when known. */
  readonly broadcast?: string;
  readonly bridge?: {
    readonly id?: string;
    readonly stp?: string;
    readonly interfaces: readonly string[];
  };
  readonly bonding?: {
    readonly slaves?: string;
    readonly mode?: string;
    readonly miimon?: string;
    readonly lacpRate?: string;
    readonly primary?: string;
    readonly allSlavesActive?: string;
  };
  readonly permMacaddress?: string;
}

/** One address of `Deno.networkInterfaces()`. */
export interface AddressInfo {
  readonly family: "IPv4" | "IPv6";
  readonly name: string;
  readonly address: string;
  readonly cidr: string;
  readonly mac: string;
}

const INTERFACE_TYPE: Readonly<Record<string, string>> = {
  "1": "ether",
  "32": "infiniband",
  "512": "ppp",
  "772": "loopback",
  "65534": "tunnel",
};
const IFF_BROADCAST = 0x2;
const IFF_PROMISC = 0x100;

type Obj = Record<string, unknown>;

/** Builds the interface entries and address lists from sysfs attributes and addresses. */
export function interfaceFacts(
  sys: ReadonlyMap<string, SysIface>,
  addresses: readonly AddressInfo[],
): { interfaces: Map<string, Obj>; all_ipv4_addresses: string[]; all_ipv6_addresses: string[] } {
  const interfaces = new Map<string, Obj>();
  const names = [...new Set([...sys.keys(), ...addresses.map((a) => a.name)])];
  for (const device of names) {
    const s = sys.get(device);
    const f: Obj = { device };
    if (s) {
      if (s.address && s.address !== "00:00:00:00:00:00") f.macaddress = s.address;
      if (s.mtu !== undefined && /^\d+$/.test(s.mtu)) f.mtu = Number(s.mtu);
      if (s.operstate !== undefined) f.active = s.operstate !== "down";
      if (s.module) f.module = s.module;
      if (s.type !== undefined) f.type = INTERFACE_TYPE[s.type] ?? "unknown";
      if (s.bridge) {
        f.type = "bridge";
        f.interfaces = [...s.bridge.interfaces];
        if (s.bridge.id !== undefined) f.id = s.bridge.id;
        if (s.bridge.stp !== undefined) f.stp = s.bridge.stp === "1";
      }
      if (s.bonding) {
        f.type = "bonding";
        f.slaves = (s.bonding.slaves ?? "").split(/\s+/).filter(Boolean);
        f.mode = (s.bonding.mode ?? "").split(/\s+/)[0] ?? "";
        f.miimon = (s.bonding.miimon ?? "").split(/\s+/)[0] ?? "";
        f.lacp_rate = (s.bonding.lacpRate ?? "").split(/\s+/)[0] ?? "";
        if (s.bonding.primary) {
          f.primary = s.bonding.primary;
          if (s.bonding.allSlavesActive !== undefined) {
            f.all_slaves_active = s.bonding.allSlavesActive === "1";
          }
        }
      }
      if (s.permMacaddress !== undefined) f.perm_macaddress = s.permMacaddress;
      if (s.pciid) f.pciid = s.pciid;
      if (s.speed !== undefined && /^-?\d+$/.test(s.speed)) f.speed = Number(s.speed);
      if (s.flags !== undefined) f.promisc = (parseInt(s.flags, 16) & IFF_PROMISC) > 0;
    }
    interfaces.set(device, f);
  }
  const all4: string[] = [];
  const all6: string[] = [];
  for (const a of addresses) {
    const f = interfaces.get(a.name)!;
    const prefix = Number(a.cidr.split("/")[1] ?? (a.family === "IPv4" ? 32 : 128));
    if (a.family === "IPv4") {
      const s = sys.get(a.name);
      const flags = parseInt(s?.flags ?? "0x2", 16);
      const { network, broadcast } = ipv4Network(a.address, prefix);
      // Only a broadcast the kernel has: the primary's as configured; secondaries get the
      // subnet's when the primary has one (`ip addr ... brd +`), as they usually do.
      const configured = s?.broadcast === undefined || s.broadcast !== "";
      const entry = {
        address: a.address,
        broadcast: flags & IFF_BROADCAST && prefix < 31 && configured
          ? (!f.ipv4 && s?.broadcast) || broadcast
          : "",
        netmask: ipv4Netmask(prefix),
        network,
        prefix: String(prefix),
      };
      if (!f.ipv4) f.ipv4 = entry;
      else ((f.ipv4_secondaries ??= []) as Obj[]).push(entry);
      if (!f.macaddress && a.mac && a.mac !== "00:00:00:00:00:00") f.macaddress = a.mac;
      if (!a.address.startsWith("127.")) all4.push(a.address);
    } else {
      const address = a.address.replace(/%.*$/, "");
      ((f.ipv6 ??= []) as Obj[]).push({
        address,
        prefix: String(prefix),
        scope: ipv6Scope(address),
      });
      if (address !== "::1") all6.push(address);
    }
  }
  return { interfaces, all_ipv4_addresses: all4, all_ipv6_addresses: all6 };
}

/** Ansible's `default_ipv4` / `default_ipv6`: the route's interface facts plus gateway. */
export function defaultFacts(
  route: DefaultRoute | undefined,
  interfaces: ReadonlyMap<string, Obj>,
  family: "ipv4" | "ipv6",
): Obj {
  if (!route) return {};
  const f = interfaces.get(route.interface);
  const out: Obj = { gateway: route.gateway, interface: route.interface };
  if (!f) return out;
  if (family === "ipv4") {
    const v4 = f.ipv4 as Obj | undefined;
    if (v4) Object.assign(out, v4, { alias: route.interface });
  } else {
    const v6 = (f.ipv6 as Obj[] | undefined)?.find((a) => a.scope === "global") ??
      (f.ipv6 as Obj[] | undefined)?.[0];
    if (v6) Object.assign(out, v6);
  }
  for (const k of ["macaddress", "mtu", "type"]) if (f[k] !== undefined) out[k] = f[k];
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Ansible's fact key for an interface: `-` becomes `_` (and alias `:` too). */
export function interfaceKey(name: string): string {
  return name.replace(/[-:]/g, "_");
}
