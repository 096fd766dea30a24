/**
 * A raw HTTP/1.1 GET over TCP, so tests see the bytes on the wire (fetch would gunzip them).
 */

/** Status, headers (lower-case names) and the body as sent (chunked encoding removed). */
export interface RawResponse {
  readonly status: number;
  readonly headers: Map<string, string>;
  readonly body: Uint8Array;
}

/** GETs `url` (http only) with extra headers. */
export async function rawGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const u = new URL(url);
  const conn = await Deno.connect({
    hostname: u.hostname.replace(/^\[|\]$/g, ""),
    port: Number(u.port),
  });
  const head = [`GET ${u.pathname}${u.search} HTTP/1.1`, `Host: ${u.host}`, "Connection: close"];
  for (const [k, v] of Object.entries(headers)) head.push(`${k}: ${v}`);
  await conn.write(new TextEncoder().encode(head.join("\r\n") + "\r\n\r\n"));
  const chunks: Uint8Array[] = [];
  for await (const c of conn.readable) chunks.push(c);
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  let end = 0;
  while (
    end + 3 < all.length &&
    !(all[end] === 13 && all[end + 1] === 10 && all[end + 2] === 13 && all[end + 3] === 10)
  ) end++;
  const lines = new TextDecoder().decode(all.subarray(0, end)).split("\r\n");
  const status = Number(lines[0]!.split(" ")[1]);
  const map = new Map<string, string>();
  for (const l of lines.slice(1)) {
    const i = l.indexOf(":");
    map.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
  }
  let body = all.subarray(end + 4);
  if (map.get("transfer-encoding") === "chunked") {
    const parts: Uint8Array[] = [];
    let p = 0;
    for (;;) {
      let nl = p;
      while (!(body[nl] === 13 && body[nl + 1] === 10)) nl++;
      const size = parseInt(new TextDecoder().decode(body.subarray(p, nl)), 16);
      if (size === 0) break;
      parts.push(body.subarray(nl + 2, nl + 2 + size));
      p = nl + 2 + size + 2;
    }
    const out = new Uint8Array(parts.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of parts) {
      out.set(c, o);
      o += c.length;
    }
    body = out;
  }
  return { status, headers: map, body };
}
