/**
 * The uname collector: `node_uname_info{domainname,machine,nodename,release,sysname,version}`
 * from /proc/sys/kernel (the same strings uname(2) returns).
 *
 * @module
 */
import { at, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { family, type MetricFamily } from "./metric.ts";

/** The uname fields. */
export interface Uname {
  readonly sysname: string;
  readonly nodename: string;
  readonly release: string;
  readonly version: string;
  readonly machine: string;
  readonly domainname: string;
}

/** The family for uname fields. */
export function unameFamilies(u: Uname): MetricFamily[] {
  return [
    family(
      "node_uname_info",
      "Labeled system information as provided by the uname system call.",
      "gauge",
      [
        {
          labels: {
            domainname: u.domainname,
            machine: u.machine,
            nodename: u.nodename,
            release: u.release,
            sysname: u.sysname,
            version: u.version,
          },
          value: 1,
        },
      ],
    ),
  ];
}

/** Reads the uname fields from procfs. */
export function readUname(proc: string): Uname {
  const read = (name: string) => readText(at(proc, `sys/kernel/${name}`)).replace(/\n$/, "");
  const [sysname, nodename, release, version, domainname] = [
    "ostype",
    "hostname",
    "osrelease",
    "version",
    "domainname",
  ]
    .map(read);
  return {
    sysname: sysname!,
    nodename: nodename!,
    release: release!,
    version: version!,
    machine: Deno.build.arch,
    domainname: domainname!,
  };
}

/** The uname collector. */
export function unameCollector(): Collector {
  return {
    name: "uname",
    collect({ paths }) {
      return unameFamilies(readUname(paths.proc));
    },
  };
}
