/**
 * The kernel page size, from AT_PAGESZ in /proc/self/auxv (no child process, no FFI); 4096 when
 * it cannot be read.
 *
 * @module
 */

const AT_PAGESZ = 6n;
let cached: number | undefined;

/** Finds AT_PAGESZ in an auxv vector of 64-bit little-endian (type, value) pairs. */
export function parseAuxvPageSize(bytes: Uint8Array): number | undefined {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let off = 0; off + 16 <= bytes.byteLength; off += 16) {
    const type = v.getBigUint64(off, true);
    if (type === 0n) break;
    if (type === AT_PAGESZ) return Number(v.getBigUint64(off + 8, true));
  }
  return undefined;
}

/** The page size in bytes (read once per process). */
export async function pageSize(proc = "/proc"): Promise<number> {
  if (cached !== undefined) return cached;
  try {
    cached = parseAuxvPageSize(await Deno.readFile(`${proc}/self/auxv`)) ?? 4096;
  } catch {
    cached = 4096;
  }
  return cached;
}
