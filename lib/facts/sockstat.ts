/**
 * The sockstat collector: /proc/net/sockstat and sockstat6 as `node_sockstat_<PROTO>_<field>`,
 * plus `_mem_bytes` for the page counts (`mem`), like node_exporter.
 *
 * @module
 */
import { at, readOptional, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { type MetricFamily, single } from "./metric.ts";
import { pageSize } from "./_page_size.ts";

/** A sockstat line: protocol and its `name value` pairs. */
export interface SockstatLine {
  readonly protocol: string;
  readonly fields: ReadonlyArray<readonly [string, number]>;
}

/** Parses `PROTO: name value name value ...` lines. */
export function parseSockstat(text: string): SockstatLine[] {
  const out: SockstatLine[] = [];
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const f = line.slice(colon + 1).trim().split(/\s+/);
    const fields: [string, number][] = [];
    for (let i = 0; i + 1 < f.length; i += 2) {
      const v = Number(f[i + 1]);
      if (Number.isFinite(v)) fields.push([f[i]!, v]);
    }
    out.push({ protocol: line.slice(0, colon), fields });
  }
  return out;
}

/** The families for parsed sockstat lines; `pageSize` turns `mem` pages into bytes. */
export function sockstatFamilies(lines: readonly SockstatLine[], pageSize: number): MetricFamily[] {
  const out: MetricFamily[] = [];
  for (const { protocol, fields } of lines) {
    for (const [name, v] of fields) {
      if (protocol === "sockets") {
        if (name === "used") {
          out.push(single("node_sockstat_sockets_used", "Number of IPv4 sockets in use.", v));
        }
        continue;
      }
      const add = (n: string, value: number) =>
        out.push(
          single(
            `node_sockstat_${protocol}_${n}`,
            `Number of ${protocol} sockets in state ${n}.`,
            value,
          ),
        );
      add(name, v);
      if (name === "mem") add("mem_bytes", v * pageSize);
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The sockstat collector. */
export function sockstatCollector(): Collector {
  return {
    name: "sockstat",
    async collect({ paths }) {
      const v4 = readText(at(paths.proc, "net/sockstat"));
      const v6 = readOptional(at(paths.proc, "net/sockstat6"));
      const lines = [...parseSockstat(v4), ...(v6 ? parseSockstat(v6) : [])];
      return sockstatFamilies(lines, await pageSize(paths.proc));
    },
  };
}
