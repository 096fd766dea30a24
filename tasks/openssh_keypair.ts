/**
 * `openssh_keypair` (community.crypto): an SSH key pair at `path` and `path.pub`, made with the
 * host's `ssh-keygen` (the module's opensshbin backend). A missing key is generated; with
 * `regenerate: partial_idempotence` (the default) a key of another type or size is generated
 * again; a missing or different public key (or comment) is written from the private key;
 * mode/owner/group apply to both files, as in the module. `state: absent` removes both.
 *
 * @module
 */
import * as z from "zod";
import type { Host } from "../lib/apply/host.ts";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { applyAttr, type AttrOp, attrShape, bool, planPathAttrs } from "./_attrs.ts";
import { query } from "./_run.ts";

const schema = z.strictObject({
  path: z.string().min(1),
  state: z.enum(["present", "absent"]).default("present"),
  type: z.enum(["rsa", "dsa", "rsa1", "ecdsa", "ed25519"]).default("rsa"),
  size: z.number().int().positive().optional(),
  comment: z.string().optional(),
  passphrase: z.string().optional(),
  force: bool.default(false),
  regenerate: z.enum(["never", "fail", "partial_idempotence", "full_idempotence", "always"])
    .default("partial_idempotence"),
  private_key_format: z.enum(["auto", "openssh", "pkcs1", "pkcs8", "SSH"]).default("auto"),
  backend: z.enum(["auto", "cryptography", "opensshbin"]).default("auto"),
  ...attrShape,
}).transform((p) => ({ ...p, size: p.size ?? DEFAULT_SIZE[p.type]! }));
type Params = z.output<typeof schema>;

/** The sizes the module defaults to (and ssh-keygen reports for fixed-size types). */
const DEFAULT_SIZE: Record<string, number> = {
  rsa: 4096,
  rsa1: 4096,
  dsa: 1024,
  ecdsa: 256,
  ed25519: 256,
};

interface Key {
  readonly type: string;
  readonly size: number;
  readonly fingerprint: string;
  /** `type base64` of the public key the private key holds. */
  readonly publicKey: string;
}

interface Current {
  readonly key?: Key;
  /** The private key exists but could not be read (a passphrase, or broken). */
  readonly unreadable?: boolean;
  /** The .pub file's text, trimmed. */
  readonly pub?: string;
  readonly attrs: readonly Change<AttrOp>[];
}

type Op =
  | { kind: "generate"; params: Params }
  | { kind: "public"; path: string; text: string }
  | { kind: "remove"; paths: string[] }
  | AttrOp;

/** Reads `ssh-keygen -l` (`4096 SHA256:abc comment (RSA)`) and `-y` of a private key. */
async function readKey(host: Host, p: Params): Promise<Key | undefined> {
  const pass = ["-P", p.passphrase ?? ""];
  const l = await query(host, "ssh-keygen", ["-l", "-f", p.path]);
  const y = await query(host, "ssh-keygen", ["-y", ...pass, "-f", p.path]);
  if (l.code !== 0 || y.code !== 0) return undefined;
  const m = /^(\d+)\s+(\S+)\s.*\((\w+)\)\s*$/.exec(l.stdout.trim());
  if (!m) return undefined;
  const [kind, data] = y.stdout.trim().split(/\s+/);
  return {
    size: Number(m[1]),
    fingerprint: m[2]!,
    type: m[3]!.toLowerCase(),
    publicKey: `${kind} ${data}`,
  };
}

function attrSteps(host: Host, p: Params): Promise<Change<AttrOp>[]> {
  return planPathAttrs(host, [p.path, `${p.path}.pub`], p);
}

function regenerate(p: Params, cur: Current): boolean {
  if (p.force || p.regenerate === "always") return true;
  if (!cur.key) return true;
  if (p.regenerate === "never") return false;
  const valid = cur.key.type === p.type && cur.key.size === p.size;
  if (p.regenerate === "fail" && !valid) {
    throw new Error("Key has wrong type and/or size. Will not proceed.");
  }
  return !valid;
}

/** The openssh_keypair task. */
export const opensshKeypair = defineTask({
  type: "openssh_keypair",
  schema,
  mainParam: "path",
  async read(p, host): Promise<Current> {
    const exists = (await host.stat(p.path)) !== undefined;
    const key = exists ? await readKey(host, p) : undefined;
    const pub = (await host.readText(`${p.path}.pub`).catch(() => undefined))?.trim();
    return {
      ...(key ? { key } : {}),
      ...(exists && !key ? { unreadable: true } : {}),
      ...(pub !== undefined ? { pub } : {}),
      attrs: await attrSteps(host, p),
    };
  },
  plan(p, cur): Change<Op>[] {
    if (p.state === "absent") {
      const paths = [
        ...(cur.key || cur.unreadable ? [p.path] : []),
        ...(cur.pub ? [`${p.path}.pub`] : []),
      ];
      return paths.length
        ? [{ op: { kind: "remove", paths }, summary: `remove ${paths.join(" ")}` }]
        : [];
    }
    if (
      cur.unreadable && !p.force && ["never", "fail", "partial_idempotence"].includes(p.regenerate)
    ) {
      throw new Error(
        "Unable to read the key. The key is protected with a passphrase or broken. Will not proceed.",
      );
    }
    if (regenerate(p, cur)) {
      return [{
        op: { kind: "generate", params: p },
        summary: `ssh-keygen -t ${p.type} -b ${p.size} -f ${p.path}`,
        ...(p.passphrase !== undefined ? { sensitive: true } : {}),
      }];
    }
    const out: Change<Op>[] = [];
    const want = `${cur.key!.publicKey}${p.comment ? ` ${p.comment}` : ""}`;
    const have = cur.pub?.split(/\s+/).slice(0, p.comment ? undefined : 2).join(" ");
    if (have !== want) {
      out.push({
        op: { kind: "public", path: `${p.path}.pub`, text: `${want}\n` },
        summary: `${cur.pub === undefined ? "create" : "update"} ${p.path}.pub`,
        diff: { before: cur.pub ? `${cur.pub}\n` : "", after: `${want}\n`, path: `${p.path}.pub` },
      });
    }
    return [...out, ...cur.attrs];
  },
  async apply(op, host) {
    if (op.kind === "chmod" || op.kind === "chown") return await applyAttr(op, host);
    if (op.kind === "remove") {
      for (const path of op.paths) await host.remove(path);
      return;
    }
    if (op.kind === "public") {
      const exists = await host.stat(op.path);
      return void await host.writeAtomic(op.path, op.text, exists ? {} : { mode: 0o644 });
    }
    const p = op.params;
    for (const path of [p.path, `${p.path}.pub`]) await host.remove(path).catch(() => {});
    const r = await host.run("ssh-keygen", [
      "-q",
      "-N",
      p.passphrase ?? "",
      "-t",
      p.type,
      ...(p.type === "ed25519" ? [] : ["-b", String(p.size)]),
      "-C",
      p.comment ?? "",
      "-f",
      p.path,
    ], { timeout: 120_000 });
    // The argv holds the passphrase: the error names the file and stderr only.
    if (r.code !== 0) throw new Error(`ssh-keygen for ${p.path} failed: ${r.stderr.trim()}`);
    for (const step of await attrSteps(host, p)) await applyAttr(step.op, host);
  },
  // As the module; a key made by this run shows its fingerprint from the next run on.
  result: (p, cur) => ({
    size: p.size,
    type: p.type,
    filename: p.path,
    fingerprint: cur.key?.fingerprint ?? "",
    public_key: cur.pub ?? "",
    comment: cur.pub?.split(/\s+/).slice(2).join(" ") ?? "",
  }),
});
