/**
 * The os collector: `node_os_info` and `node_os_version` from /etc/os-release.
 *
 * @module
 */
import { at, readOptional } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { NoDataError } from "./errors.ts";
import { parseOsRelease } from "./os_release.ts";
import { family, type MetricFamily } from "./metric.ts";

/** The families for parsed os-release fields. */
export function osFamilies(os: Readonly<Record<string, string>>): MetricFamily[] {
  const f = (k: string) => os[k] ?? "";
  const info = family(
    "node_os_info",
    "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
    "gauge",
    [{
      labels: {
        build_id: f("BUILD_ID"),
        id: f("ID"),
        id_like: f("ID_LIKE"),
        image_id: f("IMAGE_ID"),
        image_version: f("IMAGE_VERSION"),
        name: f("NAME"),
        pretty_name: f("PRETTY_NAME"),
        variant: f("VARIANT"),
        variant_id: f("VARIANT_ID"),
        version: f("VERSION"),
        version_codename: f("VERSION_CODENAME"),
        version_id: f("VERSION_ID"),
      },
      value: 1,
    }],
  );
  const m = /^(\d+)(?:\.(\d+))?/.exec(f("VERSION_ID"));
  if (!m) return [info];
  const version = Number(m[2] !== undefined ? `${m[1]}.${m[2]}` : m[1]);
  return [
    info,
    family(
      "node_os_version",
      "Metric containing the major.minor part of the OS version.",
      "gauge",
      [
        { labels: { id: f("ID"), id_like: f("ID_LIKE"), name: f("NAME") }, value: version },
      ],
    ),
  ];
}

/** The os collector. */
export function osCollector(): Collector {
  return {
    name: "os",
    collect({ paths }) {
      // Small files on the root filesystem: read synchronously, like /proc.
      const text = readOptional(at(paths.root, "etc/os-release")) ??
        readOptional(at(paths.root, "usr/lib/os-release"));
      if (text === undefined) throw new NoDataError("no os-release file");
      return osFamilies(parseOsRelease(text));
    },
  };
}
