/**
 * crypt(3) hashes Ansible's `password_hash` produces: SHA-crypt (`$5$`, `$6$`, Drepper's spec) and
 * MD5-crypt (`$1$`), and random salts from crypt's alphabet. SHA-crypt runs in the system's
 * libcrypt when FFI is allowed, as Python's crypt module (and so Ansible) does: its hundreds of
 * thousands of rounds take ~0.1 s there and ~2 s through node:crypto, the fallback.
 *
 * @module
 */
import { createHash } from "node:crypto";

const B64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function b64From24(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = "";
  for (let i = 0; i < n; i++) {
    out += B64[w & 0x3f];
    w >>= 6;
  }
  return out;
}

/** A random salt of crypt's alphabet. */
export function randomSalt(n: number): string {
  const bytes = new Uint8Array(n);
  crypto.getRandomValues(bytes);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./";
  return [...bytes].map((b) => alphabet[b % 64]).join("");
}

function repeatTo(src: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = src[i % src.length]!;
  return out;
}

/** SHA-256/512-crypt; `rounds` is printed unless it is the implicit 5000. */
export function shaCrypt(
  algo: "sha256" | "sha512",
  password: string,
  salt: string,
  rounds: number | null,
): string {
  const r = rounds === null ? 5000 : Math.min(999999999, Math.max(1000, rounds));
  const setting = `$${algo === "sha512" ? "6" : "5"}$${
    rounds === null || rounds === 5000 ? "" : `rounds=${r}$`
  }${salt}`;
  return systemCrypt(password, setting) ?? shaCryptJs(algo, password, salt, rounds);
}

type Libcrypt = { symbols: { crypt(key: BufferSource, setting: BufferSource): Deno.PointerValue } };
let libcrypt: Libcrypt | null | undefined;

/**
 * crypt(3) of the system's libcrypt, or undefined when it cannot be used here (no --allow-ffi,
 * not Linux, no libcrypt.so.1, a NUL in the key) or refuses the setting.
 */
export function systemCrypt(key: string, setting: string): string | undefined {
  if (libcrypt === undefined) {
    libcrypt = null;
    try {
      if (
        Deno.build.os === "linux" && Deno.permissions.querySync({ name: "ffi" }).state === "granted"
      ) {
        libcrypt = Deno.dlopen("libcrypt.so.1", {
          crypt: { parameters: ["buffer", "buffer"], result: "pointer" },
        }) as Libcrypt;
      }
    } catch {
      libcrypt = null;
    }
  }
  if (!libcrypt || key.includes("\0")) return undefined;
  const c = (t: string) => new TextEncoder().encode(`${t}\0`);
  const out = libcrypt.symbols.crypt(c(key), c(setting));
  if (out === null) return undefined;
  const text = new Deno.UnsafePointerView(out).getCString();
  // libxcrypt answers "*0" or "*1" for a setting it refuses.
  return text.startsWith("*") ? undefined : text;
}

/** SHA-crypt in JavaScript on node:crypto, where libcrypt cannot be used. */
export function shaCryptJs(
  algo: "sha256" | "sha512",
  password: string,
  salt: string,
  rounds: number | null,
): string {
  const P = new TextEncoder().encode(password);
  const S = new TextEncoder().encode(salt);
  const H = () => createHash(algo);
  const hlen = algo === "sha512" ? 64 : 32;
  const r = rounds === null ? 5000 : Math.min(999999999, Math.max(1000, rounds));
  const B = H().update(P).update(S).update(P).digest();
  const a = H().update(P).update(S);
  let i = P.length;
  for (; i > hlen; i -= hlen) a.update(B);
  a.update(B.subarray(0, i));
  for (i = P.length; i > 0; i >>= 1) a.update(i & 1 ? B : P);
  let A = a.digest();
  const dp = H();
  for (i = 0; i < P.length; i++) dp.update(P);
  const Pp = repeatTo(dp.digest(), P.length);
  const ds = H();
  for (i = 0; i < 16 + A[0]!; i++) ds.update(S);
  const Sp = repeatTo(ds.digest(), S.length);
  for (i = 0; i < r; i++) {
    const c = H();
    c.update(i & 1 ? Pp : A);
    if (i % 3) c.update(Sp);
    if (i % 7) c.update(Pp);
    c.update(i & 1 ? A : Pp);
    A = c.digest();
  }
  let out = "";
  if (algo === "sha512") {
    const order = [
      [0, 21, 42],
      [22, 43, 1],
      [44, 2, 23],
      [3, 24, 45],
      [25, 46, 4],
      [47, 5, 26],
      [6, 27, 48],
      [28, 49, 7],
      [50, 8, 29],
      [9, 30, 51],
      [31, 52, 10],
      [53, 11, 32],
      [12, 33, 54],
      [34, 55, 13],
      [56, 14, 35],
      [15, 36, 57],
      [37, 58, 16],
      [59, 17, 38],
      [18, 39, 60],
      [40, 61, 19],
      [62, 20, 41],
    ];
    for (const [x, y, z] of order) out += b64From24(A[x!]!, A[y!]!, A[z!]!, 4);
    out += b64From24(0, 0, A[63]!, 2);
  } else {
    const order = [
      [0, 10, 20],
      [21, 1, 11],
      [12, 22, 2],
      [3, 13, 23],
      [24, 4, 14],
      [15, 25, 5],
      [6, 16, 26],
      [27, 7, 17],
      [18, 28, 8],
      [9, 19, 29],
    ];
    for (const [x, y, z] of order) out += b64From24(A[x!]!, A[y!]!, A[z!]!, 4);
    out += b64From24(0, A[31]!, A[30]!, 3);
  }
  const id = algo === "sha512" ? "6" : "5";
  const roundsPart = rounds === null || rounds === 5000 ? "" : `rounds=${r}$`;
  return `$${id}$${roundsPart}${salt}$${out}`;
}

/** MD5-crypt (`$1$`). */
export function md5Crypt(password: string, salt: string): string {
  const P = new TextEncoder().encode(password);
  const S = new TextEncoder().encode(salt);
  const magic = new TextEncoder().encode("$1$");
  const alt = createHash("md5").update(P).update(S).update(P).digest();
  const ctx = createHash("md5").update(P).update(magic).update(S);
  let i: number;
  for (i = P.length; i > 0; i -= 16) ctx.update(alt.subarray(0, Math.min(16, i)));
  for (i = P.length; i; i >>= 1) ctx.update(i & 1 ? new Uint8Array([0]) : P.subarray(0, 1));
  let F = ctx.digest();
  for (i = 0; i < 1000; i++) {
    const c = createHash("md5");
    c.update(i & 1 ? P : F);
    if (i % 3) c.update(S);
    if (i % 7) c.update(P);
    c.update(i & 1 ? F : P);
    F = c.digest();
  }
  let out = "";
  for (const [x, y, z] of [[0, 6, 12], [1, 7, 13], [2, 8, 14], [3, 9, 15], [4, 10, 5]]) {
    out += b64From24(F[x!]!, F[y!]!, F[z!]!, 4);
  }
  out += b64From24(0, 0, F[11]!, 2);
  return `$1$${salt}$${out}`;
}
