/**
 * statfs(2) through libc, off the event loop (a nonblocking FFI call runs on its own thread, so
 * a dead NFS mount blocks a thread, not the scrapes). `node:fs/promises` has the same call, but
 * loading Node's fs layer costs a long-running process about 7 MB of resident memory for this
 * one function; it is kept as the fallback where FFI is not allowed or not 64-bit Linux.
 *
 * @module
 */

/** The `statfs` numbers the facts need. */
export interface FsStats {
  readonly bsize: number;
  readonly blocks: number;
  readonly bfree: number;
  readonly bavail: number;
  readonly files: number;
  readonly ffree: number;
  /** Fragment size (libc only). */
  readonly frsize?: number;
}

/** `struct statfs` on 64-bit Linux (x86_64, aarch64): eleven 8-byte words, then spare room. */
const STATFS_SIZE = 120;

type Libc = {
  symbols: { statfs(path: Uint8Array<ArrayBuffer>, buf: Uint8Array<ArrayBuffer>): Promise<number> };
};
let libc: Libc | null | undefined;

function open(): Libc | null {
  if (libc !== undefined) return libc;
  const supported = Deno.build.os === "linux" &&
    (Deno.build.arch === "x86_64" || Deno.build.arch === "aarch64");
  try {
    libc = supported
      ? Deno.dlopen("libc.so.6", {
        statfs: { parameters: ["buffer", "buffer"], result: "i32", nonblocking: true },
      }) as unknown as Libc
      : null;
  } catch {
    libc = null; // no --allow-ffi
  }
  return libc;
}

/** The file system statistics of the mount holding `path`. */
export async function statfs(path: string): Promise<FsStats> {
  const lib = open();
  if (!lib) return await (await import("node:fs/promises")).statfs(path);
  const cpath = new TextEncoder().encode(`${path}\0`);
  const buf = new Uint8Array(STATFS_SIZE);
  if ((await lib.symbols.statfs(cpath, buf)) !== 0) {
    throw new Error(`statfs ${path} failed`);
  }
  const v = new DataView(buf.buffer);
  const word = (i: number) => Number(v.getBigUint64(i * 8, true));
  return {
    bsize: word(1),
    blocks: word(2),
    bfree: word(3),
    bavail: word(4),
    files: word(5),
    ffree: word(6),
    frsize: word(9),
  };
}
