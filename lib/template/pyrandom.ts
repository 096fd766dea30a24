/**
 * CPython's `random.Random` (MT19937, `init_by_array` seeding from ints and str via SHA-512,
 * `getrandbits`, `_randbelow`, `randrange`, `choice`, `shuffle`, `random`), so a template with
 * `seed=` picks what Ansible picks.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { pyError } from "./error.ts";
import * as py from "./py.ts";

const N = 624;
const M = 397;

/** A seeded Python Random. */
export class PyRandom {
  #mt = new Uint32Array(N);
  #mti = N + 1;

  constructor(seed: unknown) {
    this.seed(seed);
  }

  #initGenrand(s: number): void {
    const mt = this.#mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.#mti = N;
  }

  #initByArray(key: number[]): void {
    const mt = this.#mt;
    this.#initGenrand(19650218);
    let i = 1;
    let j = 0;
    let k = Math.max(N, key.length);
    for (; k; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (k = N - 1; k; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  /** `random.seed(a)` (version 2). */
  seed(a: unknown): void {
    let n: bigint;
    if (typeof a === "string") {
      const bytes = new TextEncoder().encode(a);
      const digest = createHash("sha512").update(bytes).digest();
      const all = new Uint8Array(bytes.length + digest.length);
      all.set(bytes);
      all.set(digest, bytes.length);
      n = 0n;
      for (const b of all) n = (n << 8n) | BigInt(b);
    } else if (typeof a === "number" && Number.isInteger(a) || typeof a === "boolean") {
      n = BigInt(py.num(a)!);
    } else if (a instanceof py.PyFloat || typeof a === "number") {
      // CPython hashes floats; integral floats hash like the int.
      const v = py.num(a)!;
      if (!Number.isInteger(v)) throw pyError("TypeError", "float seeds are not supported");
      n = BigInt(v);
    } else {
      throw pyError(
        "TypeError",
        "The only supported seed types are: None,\nint, float, str, bytes, and bytearray.",
      );
    }
    if (n < 0n) n = -n;
    const key: number[] = [];
    while (n > 0n) {
      key.push(Number(n & 0xffffffffn));
      n >>= 32n;
    }
    if (!key.length) key.push(0);
    this.#initByArray(key);
  }

  genrand(): number {
    const mt = this.#mt;
    if (this.#mti >= N) {
      let kk = 0;
      const mag = (y: number) => (y & 1 ? 0x9908b0df : 0);
      for (; kk < N - M; kk++) {
        const y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
        mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ mag(y);
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
        mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ mag(y);
      }
      const y = (mt[N - 1]! & 0x80000000) | (mt[0]! & 0x7fffffff);
      mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ mag(y);
      this.#mti = 0;
    }
    let y = mt[this.#mti++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  getrandbits(k: number): bigint {
    if (k <= 32) return BigInt(this.genrand() >>> (32 - k));
    let out = 0n;
    let shift = 0n;
    while (k > 0) {
      let r = this.genrand();
      if (k < 32) r >>>= 32 - k;
      out |= BigInt(r) << shift;
      shift += 32n;
      k -= 32;
    }
    return out;
  }

  randbelow(n: number): number {
    if (n <= 0) return 0;
    const big = BigInt(n);
    const k = big.toString(2).length;
    let r = this.getrandbits(k);
    while (r >= big) r = this.getrandbits(k);
    return Number(r);
  }

  randrange(start: number, stop: number, step: number): number {
    const width = stop - start;
    if (step === 1) {
      if (width > 0) return start + this.randbelow(width);
      throw pyError("ValueError", `empty range for randrange() (${start}, ${stop}, ${width})`);
    }
    let n: number;
    if (step > 0) n = Math.floor((width + step - 1) / step);
    else if (step < 0) n = Math.floor((width + step + 1) / step);
    else throw pyError("ValueError", "zero step for randrange()");
    if (n <= 0) throw pyError("ValueError", "empty range for randrange()");
    return start + step * this.randbelow(n);
  }

  choice<T>(seq: T[]): T {
    if (!seq.length) throw pyError("IndexError", "Cannot choose from an empty sequence");
    return seq[this.randbelow(seq.length)]!;
  }

  shuffle(x: unknown[]): void {
    for (let i = x.length - 1; i > 0; i--) {
      const j = this.randbelow(i + 1);
      [x[i], x[j]] = [x[j], x[i]];
    }
  }

  random(): number {
    const a = this.genrand() >>> 5;
    const b = this.genrand() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
}

/** A Random seeded from the OS (SystemRandom's role). */
export function systemRandom(): PyRandom {
  const words = new Uint32Array(8);
  crypto.getRandomValues(words);
  let n = 0n;
  for (const w of words) n = (n << 32n) | BigInt(w);
  return new PyRandom(Number(n % BigInt(Number.MAX_SAFE_INTEGER)));
}
