/**
 * OpenSSH key lines (authorized_keys, known_hosts): splitting a line into options, key type,
 * key blob and comment, with quoted options that hold spaces, and the hashed host names of
 * known_hosts (`|1|salt|hmac-sha1`).
 *
 * @module
 */

const KEY_TYPE_RE =
  /^(ssh-(rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com|(ssh|ecdsa|sk)-[\w-]+-cert-v01@openssh\.com)$/;

/** One key: `[options] type blob [comment]`. */
export interface SshKey {
  readonly options?: string;
  readonly type: string;
  readonly blob: string;
  readonly comment?: string;
}

/** Splits on unquoted whitespace, keeping quotes (options like `command="a b"`). */
export function tokens(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "\\" && quoted && i + 1 < line.length) {
      cur += ch + line[++i];
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (!quoted && /\s/.test(ch)) {
      if (cur) out.push(cur);
      cur = "";
      continue;
    }
    cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

/** True for key type names (`ssh-ed25519`, `ecdsa-sha2-nistp256`, ...). */
export function isKeyType(word: string): boolean {
  return KEY_TYPE_RE.test(word);
}

/** Parses an authorized_keys line; `undefined` for comments, blanks and unparseable lines. */
export function parseKey(line: string): SshKey | undefined {
  const t = line.trim();
  if (t === "" || t.startsWith("#")) return undefined;
  const words = tokens(t);
  const at = words.findIndex(isKeyType);
  if (at < 0 || at > 1 || words[at + 1] === undefined) return undefined;
  const comment = words.slice(at + 2).join(" ");
  return {
    ...(at === 1 ? { options: words[0]! } : {}),
    type: words[at]!,
    blob: words[at + 1]!,
    ...(comment ? { comment } : {}),
  };
}

/** The line for a key. */
export function keyLine(k: SshKey): string {
  return [k.options, k.type, k.blob, k.comment].filter((x) => x !== undefined && x !== "").join(
    " ",
  );
}

/** Same key material (type and blob), whatever the options and comment. */
export function sameKey(a: SshKey, b: SshKey): boolean {
  return a.type === b.type && a.blob === b.blob;
}

function b64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function unb64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** `|1|salt|hmac` for a host name, as `ssh-keygen -H` writes it. */
export async function hashHost(name: string, salt: Uint8Array<ArrayBuffer>): Promise<string> {
  const key = await crypto.subtle.importKey("raw", salt, { name: "HMAC", hash: "SHA-1" }, false, [
    "sign",
  ]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(name));
  return `|1|${b64(salt)}|${b64(new Uint8Array(mac))}`;
}

/** Whether a known_hosts host field (`a,b` or `|1|salt|hmac`) names this host. */
export async function hostFieldMatches(field: string, name: string): Promise<boolean> {
  if (field.startsWith("|1|")) {
    const [, , salt] = field.split("|");
    if (!salt) return false;
    try {
      return (await hashHost(name, unb64(salt))) === field;
    } catch {
      return false;
    }
  }
  return field.split(",").includes(name);
}
