/**
 * Archive formats for `unarchive` and `archive`: detection by magic bytes, tar's compression
 * flags, a zip central-directory reader and CRC-32, so contents can be compared with the files
 * on the host without extracting anything.
 *
 * @module
 */

/** What an archive is. */
export type ArchiveFormat = "zip" | "tar" | "tar.gz" | "tar.bz2" | "tar.xz" | "tar.zst";

/** Detects the format from the first bytes. */
export function detectFormat(b: Uint8Array): ArchiveFormat {
  if (b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) return "zip";
  if (b[0] === 0x1f && b[1] === 0x8b) return "tar.gz";
  if (b[0] === 0x42 && b[1] === 0x5a && b[2] === 0x68) return "tar.bz2";
  if (b[0] === 0xfd && b[1] === 0x37 && b[2] === 0x7a && b[3] === 0x58) return "tar.xz";
  if (b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return "tar.zst";
  if (new TextDecoder().decode(b.subarray(257, 262)) === "ustar") return "tar";
  throw new Error("not a tar (plain, gz, bz2, xz, zst) or zip archive");
}

/** GNU tar's flag for a compressed format. */
export function tarFlag(f: ArchiveFormat): string[] {
  return {
    "tar": [],
    "tar.gz": ["-z"],
    "tar.bz2": ["-j"],
    "tar.xz": ["-J"],
    "tar.zst": ["--zstd"],
    zip: [],
  }[f];
}

/** One zip member. */
export interface ZipEntry {
  readonly name: string;
  readonly size: number;
  readonly crc: number;
  readonly dir: boolean;
}

/** Reads a zip's central directory. */
export function zipEntries(b: Uint8Array): ZipEntry[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 65_557); i--) {
    if (v.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("zip: no end of central directory (truncated archive?)");
  const count = v.getUint16(eocd + 10, true);
  let at = v.getUint32(eocd + 16, true);
  const out: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (v.getUint32(at, true) !== 0x02014b50) throw new Error("zip: bad central directory");
    const crc = v.getUint32(at + 16, true);
    const size = v.getUint32(at + 24, true);
    const nameLen = v.getUint16(at + 28, true);
    const extra = v.getUint16(at + 30, true);
    const comment = v.getUint16(at + 32, true);
    const name = new TextDecoder().decode(b.subarray(at + 46, at + 46 + nameLen));
    out.push({ name, size, crc, dir: name.endsWith("/") });
    at += 46 + nameLen + extra + comment;
  }
  return out;
}

let table: Uint32Array | undefined;

/** CRC-32 (zip's). */
export function crc32(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[i] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
