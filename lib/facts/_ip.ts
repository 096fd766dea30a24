/**
 * IP address helpers for the network facts: hex forms from /proc/net, prefixes and masks.
 *
 * @module
 */

/** An IPv4 address from /proc/net/route's little-endian hex (`010200C0` → `192.0.2.1`). */
export function ipv4FromHexLE(hex: string): string {
  const n = parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join(".");
}

/** An IPv6 address in RFC 5952 form from 32 hex digits (as /proc/net/ipv6_route writes it). */
export function ipv6FromHex(hex: string): string {
  const groups = hex.toLowerCase().match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ""));
  // The longest run of two or more zero groups becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === "0") j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(":");
  return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}

/** `255.255.255.0` for 24. */
export function ipv4Netmask(prefix: number): string {
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return [mask >>> 24, (mask >>> 16) & 255, (mask >>> 8) & 255, mask & 255].join(".");
}

function toInt(addr: string): number {
  return addr.split(".").reduce((n, o) => ((n << 8) | Number(o)) >>> 0, 0);
}

function fromInt(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** Network and broadcast addresses of an IPv4 address and prefix. */
export function ipv4Network(
  address: string,
  prefix: number,
): { network: string; broadcast: string } {
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  const a = toInt(address);
  return { network: fromInt((a & mask) >>> 0), broadcast: fromInt((a | ~mask) >>> 0) };
}

/** The scope Linux gives an IPv6 address: host, link, site or global. */
export function ipv6Scope(address: string): string {
  const a = address.toLowerCase();
  if (a === "::1") return "host";
  if (/^fe[89ab]/.test(a)) return "link";
  if (/^fe[c-f]/.test(a)) return "site";
  return "global";
}
