/**
 * Parity with node_exporter 1.5.0 on its own end-to-end fixture tree (real /proc, /sys and udev
 * recordings from machines with hardware this one lacks): the collectors run on the tree with
 * the settings of node_exporter's `end-to-end-test.sh`, written as a facts config and loaded like
 * a user's, and every family must equal node_exporter's recorded output (`e2e-output.txt`) in
 * name, help, type, labels and values. Only the families node_exporter does not read from
 * files are left out, each with its reason.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../../lib/config/loader.ts";
import { MetricsAgent } from "../../../lib/facts/metrics_agent.ts";
import type { MetricFamily } from "../../../lib/facts/metric.ts";
import { parsePromText } from "../../../lib/facts/prom_text.ts";
import { extractTtar } from "./_ttar.ts";

const FIXTURE = fileURLToPath(new URL("../../fixtures/node_exporter-1.5.0", import.meta.url));

/** end-to-end-test.sh's own skip list: values that depend on the moment or on the exporter. */
const SKIP =
  /^(go_|node_exporter_build_info|node_scrape_collector_duration_seconds|process_|node_textfile_mtime_seconds|node_time_(zone|seconds)|node_network_(receive|transmit)_(bytes|packets)_total|promhttp_)/;

/** Collectors whose data node_exporter does not take from the fixture tree, and why. */
const NOT_FROM_FILES: Readonly<Record<string, string>> = {
  netdev:
    "node_exporter 1.5 reads device counters over rtnetlink from the kernel it runs on (its e2e output holds the test machine's lo); the tree has no proc/net/dev",
  qdisc:
    "queueing disciplines come over rtnetlink; node_exporter's qdisc fixture is a dump of netlink replies for its --collector.qdisc.fixtures test flag, not a kernel file",
  wifi:
    "wireless statistics come over nl80211 generic netlink; node_exporter's wifi fixture is a dump for its --collector.wifi.fixtures test flag, not a kernel file",
};
const COLLECTOR_OF: ReadonlyArray<readonly [RegExp, string]> = [
  [/^node_network_(receive|transmit)_\w+_total$/, "netdev"],
  [/^node_qdisc_/, "qdisc"],
  [/^node_wifi_/, "wifi"],
];

/** end-to-end-test.sh's flags as a facts config. */
function factsYaml(sys: string, udev: string): string {
  return `
paths:
  procfs: ${FIXTURE}/proc
  sysfs: ${sys}
  rootfs: ${FIXTURE}
  udev_data: ${udev}
collectors:
  arp: { device_exclude: nope }
  bcache: { enabled: true, priority_stats: true }
  buddyinfo: { enabled: true }
  cgroups: { enabled: true }
  cpu:
    info: true
    bugs_include: "^(cpu_meltdown|spectre_.*|mds)$"
    flags_include: "^(aes|avx.?|constant_tsc)$"
  drbd: { enabled: true }
  interrupts: { enabled: true }
  ksmd: { enabled: true }
  lnstat: { enabled: true }
  meminfo_numa: { enabled: true }
  mountstats: { enabled: true }
  netclass: { ignored_devices: "(dmz|int)", ignore_invalid_speed: true }
  netdev: { device_include: lo }
  processes: { enabled: true }
  slabinfo: { enabled: true }
  stat: { softirq: true }
  sysctl:
    enabled: true
    include: [kernel.threads-max, fs.file-nr, "fs.file-nr:total,current,max"]
    include_info: [kernel.seccomp.actions_avail]
  textfile: { directory: ${FIXTURE}/textfile/two_metric_files/ }
  zoneinfo: { enabled: true }
  filesystem: { enabled: false }
  timex: { enabled: false }
  uname: { enabled: false }
`;
}

type Series = Map<string, number>;
const seriesKey = (name: string, labels: Readonly<Record<string, string>>) =>
  `${name}{${Object.keys(labels).sort().map((k) => `${k}="${labels[k]}"`).join(",")}}`;

function seriesOf(f: MetricFamily, fix: (s: string) => string, drop?: Set<string>): Series {
  const out: Series = new Map();
  for (const s of f.samples) {
    if (drop?.has(s.labels.collector ?? "")) continue;
    const labels = Object.fromEntries(Object.entries(s.labels).map(([k, v]) => [k, fix(v)]));
    out.set(seriesKey(s.name ?? f.name, labels), s.value);
  }
  return out;
}

Deno.test("collectors on node_exporter 1.5.0's fixture tree give its e2e output, family by family", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "driftless-ne-fixtures-" });
  try {
    await extractTtar(`${FIXTURE}/sys.ttar`, tmp);
    await extractTtar(`${FIXTURE}/udev.ttar`, tmp);
    await Deno.mkdir(`${tmp}/config`);
    await Deno.writeTextFile(
      `${tmp}/config/facts.yml`,
      factsYaml(`${tmp}/sys`, `${tmp}/udev/data`),
    );
    const config = (await loadConfig(`${tmp}/config`)).facts;
    const ours = new Map(
      (await new MetricsAgent(config, { version: "test" }).collect()).families
        .filter((f) => !SKIP.test(f.name)).map((f) => [f.name, f]),
    );
    const theirs = parsePromText(await Deno.readTextFile(`${FIXTURE}/e2e-output.txt`)).families
      .filter((f) => !SKIP.test(f.name));

    // node_exporter names paths as it was given them (relative to its checkout).
    const asConfigured = (s: string) =>
      s.replaceAll(`${tmp}/sys`, "collector/fixtures/sys").replaceAll(
        `${FIXTURE}/`,
        "collector/fixtures/",
      );
    const notFromFiles = new Set(Object.keys(NOT_FROM_FILES));
    const left = new Map<string, string[]>();
    let matched = 0;
    for (const want of theirs) {
      const collector = COLLECTOR_OF.find(([re]) => re.test(want.name))?.[1];
      if (collector && notFromFiles.has(collector)) {
        left.set(collector, [...(left.get(collector) ?? []), want.name]);
        continue;
      }
      const got = ours.get(want.name);
      assert.ok(got, `${want.name} is missing`);
      assert.equal(asConfigured(got.help), want.help, `${want.name} help`);
      assert.equal(got.type, want.type, `${want.name} type`);
      // Success of the collectors left out is no data point: they are compared without them.
      const drop = want.name === "node_scrape_collector_success" ? notFromFiles : undefined;
      assert.deepEqual(
        seriesOf(got, asConfigured, drop),
        seriesOf(want, (s) => s, drop),
        `${want.name} series`,
      );
      matched++;
    }
    // Nothing invented: every node_* family we export here, node_exporter exports too.
    const known = new Set(theirs.map((f) => f.name));
    const extra = [...ours.keys()].filter((n) => !known.has(n) && !n.startsWith("driftless_"));
    assert.deepEqual(extra, []);
    const leftOut = [...left.values()].flat().length;
    assert.equal(matched + leftOut, theirs.length);
    Deno.stderr.writeSync(
      new TextEncoder().encode(
        `node_exporter 1.5.0 fixture parity: ${matched} of ${theirs.length} families match; ` +
          `${leftOut} are not read from files:\n` +
          [...left].map(([c, names]) => `  ${c} (${names.length}): ${NOT_FROM_FILES[c]}\n`)
            .join(""),
      ),
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
