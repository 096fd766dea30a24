/**
 * A file's head fingerprint: a hash of its first bytes (SHA-256, saved in checkpoints) and a
 * cheap FNV-1a sum of the same bytes (checked after every read: was the file truncated and
 * rewritten under us?). The head index finds, for a new file, the followed files whose head it
 * shares (a copytruncate copy) without comparing it with each of them.
 *
 * @module
 */

/** The identity of a file's content: its first `len` bytes. */
export interface Fingerprint {
  /** Hex SHA-256 (first 16 bytes) of the head. */
  readonly hash: string;
  readonly len: number;
  /** FNV-1a of the head: a quick re-check. */
  readonly sum: number;
}

/** Head bytes a file needs before a head match alone (copytruncate) identifies it. */
export const MIN_FP_MATCH = 32;

/** Hex SHA-256 (first 16 bytes) of some bytes. */
export async function hashBytes(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  let out = "";
  for (let i = 0; i < 16; i++) out += digest[i]!.toString(16).padStart(2, "0");
  return out;
}

/** 32-bit FNV-1a of `bytes[0, end)`. */
export function fnv1a(bytes: Uint8Array, end = bytes.length): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** Reads up to `len` bytes at `offset` into `into` (or a new buffer); moves the file position. */
export async function readAt(
  file: Deno.FsFile,
  offset: number,
  len: number,
  into?: Uint8Array,
): Promise<Uint8Array> {
  const buf = into && into.length >= len ? into.subarray(0, len) : new Uint8Array(len);
  await file.seek(offset, Deno.SeekMode.Start);
  let n = 0;
  while (n < len) {
    const r = await file.read(buf.subarray(n));
    if (r === null || r === 0) break;
    n += r;
  }
  return buf.subarray(0, n);
}

/** The fingerprint of a head. */
export async function fingerprint(head: Uint8Array): Promise<Fingerprint> {
  return { hash: await hashBytes(head), len: head.length, sum: fnv1a(head) };
}

/** True when the first `len` bytes of `head` hash to `hash`. */
export async function prefixMatches(head: Uint8Array, len: number, hash: string): Promise<boolean> {
  if (head.length < len) return false;
  return (await hashBytes(head.subarray(0, len))) === hash;
}

/**
 * Index keys of a head: the FNV-1a of its first 32, 64, 128, ... bytes (each tagged with its
 * length tier), as far as the head goes. A shorter copy of a head shares the key of its tier.
 */
export function headKeys(head: Uint8Array): number[] {
  const keys: number[] = [];
  let h = 0x811c9dc5;
  let i = 0;
  for (let next = MIN_FP_MATCH; next <= head.length; next *= 2) {
    for (; i < next; i++) h = Math.imul(h ^ head[i]!, 0x01000193);
    keys.push(keys.length * 2 ** 32 + (h >>> 0));
  }
  return keys;
}

/** Items by the keys of their heads. */
export class HeadIndex<T> {
  readonly #map = new Map<number, T | T[]>();

  /** Adds an item under its head's keys. */
  add(item: T, keys: readonly number[]): void {
    for (const k of keys) {
      const cur = this.#map.get(k);
      if (cur === undefined) this.#map.set(k, item);
      else if (Array.isArray(cur)) cur.push(item);
      else this.#map.set(k, [cur, item]);
    }
  }

  /** Removes an item from the keys it was added under. */
  remove(item: T, keys: readonly number[]): void {
    for (const k of keys) {
      const cur = this.#map.get(k);
      if (cur === item) this.#map.delete(k);
      else if (Array.isArray(cur)) {
        const i = cur.indexOf(item);
        if (i >= 0) cur.splice(i, 1);
        if (cur.length === 1) this.#map.set(k, cur[0]!);
      }
    }
  }

  /** Items whose head starts with the longest tier of `head` (candidates: verify them). */
  find(head: Uint8Array): readonly T[] {
    const keys = headKeys(head);
    if (keys.length === 0) return [];
    const cur = this.#map.get(keys.at(-1)!);
    return cur === undefined ? [] : Array.isArray(cur) ? cur : [cur];
  }

  /** Keys held (for tests and metrics). */
  get size(): number {
    return this.#map.size;
  }
}
