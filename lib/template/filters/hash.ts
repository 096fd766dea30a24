/**
 * Ansible's hashing filters: `hash`, `md5`, `sha1`, `checksum`, `password_hash` (sha512_crypt,
 * sha256_crypt, md5_crypt, bcrypt, with passlib's defaults as Ansible applies them) and `to_uuid`.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { pyError } from "../error.ts";
import * as py from "../py.ts";
import { md5Crypt, randomSalt, shaCrypt } from "../crypt.ts";
import { builtin, filterError } from "./_util.ts";

const HASHES: Record<string, string> = {
  md5: "md5",
  sha1: "sha1",
  sha224: "sha224",
  sha256: "sha256",
  sha384: "sha384",
  sha512: "sha512",
  sha3_224: "sha3-224",
  sha3_256: "sha3-256",
  sha3_384: "sha3-384",
  sha3_512: "sha3-512",
  blake2b: "blake2b512",
  blake2s: "blake2s256",
  sha512_224: "sha512-224",
  sha512_256: "sha512-256",
};

/** hashlib.new(name).update(data).hexdigest() */
export function hexdigest(name: string, data: string): string {
  const algo = HASHES[name.toLowerCase()];
  if (!algo) filterError(`unsupported hash type ${name}`);
  return createHash(algo!).update(new TextEncoder().encode(data)).digest("hex");
}

builtin(
  "hash",
  "data, hashtype='sha1'",
  (d: unknown, t: unknown) => hexdigest(py.str(t), py.str(d)),
);
builtin("md5", "data", (d: unknown) => hexdigest("md5", py.str(d)));
builtin("sha1", "data", (d: unknown) => hexdigest("sha1", py.str(d)));
builtin("checksum", "data", (d: unknown) => hexdigest("sha1", py.str(d)));

const ALGOS: Record<
  string,
  { id: string; saltSize: number; implicitRounds: number | null; saltExact: boolean }
> = {
  md5_crypt: { id: "1", saltSize: 8, implicitRounds: null, saltExact: false },
  bcrypt: { id: "2b", saltSize: 22, implicitRounds: 12, saltExact: true },
  sha256_crypt: { id: "5", saltSize: 16, implicitRounds: 535000, saltExact: false },
  sha512_crypt: { id: "6", saltSize: 16, implicitRounds: 656000, saltExact: false },
};
const MAPPING: Record<string, string> = {
  md5: "md5_crypt",
  blowfish: "bcrypt",
  sha256: "sha256_crypt",
  sha512: "sha512_crypt",
};

/** Ansible's `password_hash` via passlib's settings. */
export async function passwordHashBcrypt(
  secret: string,
  salt: string,
  rounds: number,
  ident: string,
): Promise<string> {
  const bcrypt = (await import("bcryptjs")).default;
  return bcrypt.hashSync(secret, `$${ident}$${String(rounds).padStart(2, "0")}$${salt}`);
}

let bcryptMod: { hashSync(s: string, salt: string): string } | undefined;
/** Loads bcryptjs ahead of use (filters are synchronous). */
export async function preloadBcrypt(): Promise<void> {
  bcryptMod ??= (await import("bcryptjs")).default as unknown as {
    hashSync(s: string, salt: string): string;
  };
}

builtin(
  "password_hash",
  "password, hashtype='sha512', salt=None, salt_size=None, rounds=None, ident=None",
  (
    pw: unknown,
    type: unknown,
    salt: unknown,
    saltSize: unknown,
    rounds: unknown,
    ident: unknown,
  ) => {
    const algoName = MAPPING[py.str(type)] ?? py.str(type);
    const algo = ALGOS[algoName];
    if (!algo) filterError(`passlib does not support '${algoName}' algorithm`);
    const secret = py.str(pw);
    let s = salt === null || salt === "" ? null : py.str(salt);
    if (s !== null && /[^./0-9A-Za-z]/.test(s)) {
      // passlib's ValueError, in Ansible's "Could not hash the secret." wrapper.
      throw pyError(
        "ValueError",
        `Could not hash the secret.. invalid characters in ${algoName} salt`,
      );
    }
    const r = py.truthy(rounds) ? Math.trunc(py.num(rounds)!) : algo!.implicitRounds;
    if (algoName === "bcrypt") {
      if (!bcryptMod) throw pyError("RuntimeError", "bcrypt is not loaded");
      s ??= randomSalt(22);
      if (s.length !== 22) filterError("Could not hash the secret.");
      // passlib's bcrypt64.repair_unused: the last salt char only carries 2 bits.
      const alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
      const last = alphabet.indexOf(s[21]!);
      s = s.slice(0, 21) + alphabet[last & 0x30];
      const id = ident === null ? "2b" : py.str(ident);
      return bcryptMod.hashSync(secret, `$${id}$${String(r).padStart(2, "0")}$${s}`);
    }
    const size = saltSize === null ? algo!.saltSize : Math.trunc(py.num(saltSize)!);
    s ??= randomSalt(size);
    if (algoName === "md5_crypt") return md5Crypt(secret, s.slice(0, 8));
    return shaCrypt(algoName === "sha512_crypt" ? "sha512" : "sha256", secret, s.slice(0, 16), r);
  },
);

const ANSIBLE_NAMESPACE = "361e6d51-faec-444a-9079-341386da8e2e";

/** uuid5(namespace, name). */
export function uuid5(namespace: string, name: string): string {
  const hex = namespace.replace(/[{}-]/g, "").replace(/^urn:uuid:/i, "");
  if (!/^[0-9a-f]{32}$/i.test(hex)) {
    throw pyError("ValueError", "badly formed hexadecimal UUID string");
  }
  const ns = Uint8Array.from(hex.match(/../g)!.map((b) => parseInt(b, 16)));
  const h = createHash("sha1").update(ns).update(new TextEncoder().encode(name)).digest();
  const b = new Uint8Array(h.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
builtin("to_uuid", `string, namespace='${ANSIBLE_NAMESPACE}'`, (s: unknown, ns: unknown) => {
  try {
    return uuid5(py.str(ns), py.str(s));
  } catch (e) {
    filterError(`Invalid value '${py.str(ns)}' for 'namespace': ${(e as Error).message}`);
  }
});
