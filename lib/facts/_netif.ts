/**
 * The IPv4 broadcast address configured on an interface's primary address, as the kernel keeps
 * it (SIOCGIFBRDADDR through libc with Deno's FFI: no child process). sysfs does not have it,
 * and the kernel adds a subnet broadcast route whether or not one was configured, so neither
 * can tell `ip addr add 10.0.0.1/24` from `... brd +`.
 *
 * @module
 */

const SIOCGIFBRDADDR = 0x8919n;
const IFNAMSIZ = 16;

let libc:
  | Deno.DynamicLibrary<{
    socket: { parameters: ["i32", "i32", "i32"]; result: "i32" };
    ioctl: { parameters: ["i32", "u64", "buffer"]; result: "i32" };
    close: { parameters: ["i32"]; result: "i32" };
  }>
  | undefined;

/**
 * The broadcast address of the interface's primary IPv4 address: "" when none is configured,
 * undefined when it cannot be asked (no FFI, no IPv4 address, no such interface).
 */
export function ipv4Broadcast(ifname: string): string | undefined {
  const name = new TextEncoder().encode(ifname);
  if (name.length >= IFNAMSIZ) return undefined;
  try {
    libc ??= Deno.dlopen("libc.so.6", {
      socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
      ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
      close: { parameters: ["i32"], result: "i32" },
    });
  } catch {
    return undefined;
  }
  // AF_INET, SOCK_DGRAM: any IPv4 socket answers interface ioctls.
  const fd = libc.symbols.socket(2, 2, 0);
  if (fd < 0) return undefined;
  try {
    // struct ifreq: the name, then a sockaddr_in whose address starts at byte 20.
    const req = new Uint8Array(40);
    req.set(name);
    if (libc.symbols.ioctl(fd, SIOCGIFBRDADDR, req) !== 0) return undefined;
    const addr = [...req.subarray(20, 24)].join(".");
    return addr === "0.0.0.0" ? "" : addr;
  } finally {
    libc.symbols.close(fd);
  }
}
