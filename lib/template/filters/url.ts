/**
 * Ansible's URL filters: `urlsplit` and `urldecode` (Jinja's `urlencode` is in jinja.ts).
 *
 * @module
 */
import * as py from "../py.ts";
import { builtin, filterError } from "./_util.ts";

/** Python's `urllib.parse.urlsplit`, with Ansible's extra fields. */
export function urlsplit(url: string): Record<string, unknown> {
  let rest = url;
  let scheme = "";
  const sm = /^([A-Za-z][A-Za-z0-9+\-.]*):/.exec(rest);
  if (sm) {
    scheme = sm[1]!.toLowerCase();
    rest = rest.slice(sm[0].length);
  }
  let netloc = "";
  if (rest.startsWith("//")) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, 2 + end);
    rest = end < 0 ? "" : rest.slice(2 + end);
  }
  let fragment = "";
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let query = "";
  const q = rest.indexOf("?");
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const at = netloc.lastIndexOf("@");
  const userinfo = at >= 0 ? netloc.slice(0, at) : null;
  const hostport = at >= 0 ? netloc.slice(at + 1) : netloc;
  let username: string | null = null;
  let password: string | null = null;
  if (userinfo !== null) {
    const c = userinfo.indexOf(":");
    username = c >= 0 ? userinfo.slice(0, c) : userinfo;
    password = c >= 0 ? userinfo.slice(c + 1) : null;
  }
  let hostname: string | null = null;
  let port: number | null = null;
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostport)!;
  hostname = hp[1] ? hp[1].replace(/^\[|\]$/g, "").toLowerCase() : null;
  if (hp[2]) {
    if (!/^\d+$/.test(hp[2])) {
      throw new Error(`Port could not be cast to integer value as '${hp[2]}'`);
    }
    port = parseInt(hp[2], 10);
  }
  return {
    fragment,
    hostname,
    netloc,
    password,
    path: rest,
    port,
    query,
    scheme,
    username,
  };
}

builtin("urlsplit", "value, query=''", (v: unknown, query: unknown) => {
  const parts = urlsplit(py.str(v));
  if (query !== "") {
    const q = py.str(query);
    if (!Object.hasOwn(parts, q)) filterError(`urlsplit: unknown URL component: ${q}`);
    return parts[q];
  }
  return parts;
});

function unquotePlus(s: string): string {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  const text = s.replaceAll("+", " ");
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "%" && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...enc.encode(text[i]!));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
builtin("urldecode", "string", (v: unknown) => unquotePlus(py.str(v)));
