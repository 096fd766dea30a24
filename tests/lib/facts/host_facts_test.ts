import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { gatherFacts, type HostFacts } from "../../../lib/facts/host_facts.ts";
import { ansibleMounts, cpuFacts, memoryFacts } from "../../../lib/facts/hardware_facts.ts";
import { parseMounts } from "../../../lib/facts/filesystem.ts";
import { meminfoKb } from "../../../lib/facts/meminfo.ts";
import { parseDefaultRoute, parseDefaultRoute6 } from "../../../lib/facts/network_facts.ts";
import { distributionFacts, parseOsRelease } from "../../../lib/facts/os_release.ts";
import {
  dateTimeFacts,
  dnsFacts,
  fqdnFromHosts,
  serviceMgrFact,
} from "../../../lib/facts/system_facts.ts";
import { virtualFacts } from "../../../lib/facts/virtual_facts.ts";
import { zoneFor } from "../../../lib/facts/_tz.ts";
import { fixture, missing, requires } from "./_fixtures.ts";

/** `ansible localhost -m setup` on the machine the vm/ fixtures come from, without the `ansible_` prefix. */
const ANSIBLE: HostFacts = Object.fromEntries(
  Object.entries(JSON.parse(fixture("ansible/setup.json")).ansible_facts as HostFacts)
    .map(([k, v]) => [k.replace(/^ansible_/, ""), v]),
);

Deno.test("cpuFacts() agrees with Ansible on the recorded /proc/cpuinfo", () => {
  const ours = cpuFacts(fixture("vm/cpuinfo"), { arch: "x86_64", nproc: 2 });
  for (
    const k of [
      "processor",
      "processor_count",
      "processor_cores",
      "processor_threads_per_core",
      "processor_vcpus",
      "processor_nproc",
    ]
  ) {
    assert.deepEqual(ours[k], ANSIBLE[k], k);
  }
});

Deno.test("cpuFacts() counts sockets, cores and threads; ARM lists processors only", () => {
  const xeon = cpuFacts(fixture("odd/cpuinfo_2socket_ht"), { arch: "x86_64" });
  assert.deepEqual(
    [
      xeon.processor_count,
      xeon.processor_cores,
      xeon.processor_threads_per_core,
      xeon.processor_vcpus,
      xeon.processor_nproc,
    ],
    [2, 4, 2, 16, 16],
  );
  assert.equal((xeon.processor as string[]).length, 48);
  const arm = cpuFacts(fixture("odd/cpuinfo_arm"), { arch: "aarch64" });
  assert.deepEqual(arm.processor, ["0", "1"]);
  assert.equal(arm.processor_count, 2);
  assert.equal(arm.processor_vcpus, 2);
});

Deno.test("memoryFacts(), routes, fqdn, distribution, dns and mounts agree with Ansible's recorded output", () => {
  const mem = memoryFacts(meminfoKb(fixture("vm/meminfo")));
  assert.equal(mem.memtotal_mb, ANSIBLE.memtotal_mb);
  assert.equal(mem.swaptotal_mb, ANSIBLE.swaptotal_mb);
  assert.deepEqual(
    Object.keys(mem.memory_mb as object).sort(),
    Object.keys(ANSIBLE.memory_mb as object).sort(),
  );

  const d4 = ANSIBLE.default_ipv4 as Record<string, unknown>;
  assert.deepEqual(parseDefaultRoute(fixture("vm/net/route")), {
    interface: d4.interface,
    gateway: d4.gateway,
  });
  const d6 = ANSIBLE.default_ipv6 as Record<string, unknown>;
  assert.deepEqual(parseDefaultRoute6(fixture("vm/net/ipv6_route")), {
    interface: d6.interface,
    gateway: d6.gateway,
  });

  assert.equal(fqdnFromHosts(fixture("vm/etc/hosts"), String(ANSIBLE.nodename)), ANSIBLE.fqdn);
  assert.equal(fqdnFromHosts("127.0.1.1 web1.example.com web1\n", "web1"), "web1.example.com");
  assert.equal(fqdnFromHosts("127.0.0.1 localhost\n", "other"), undefined);

  const dist = distributionFacts(parseOsRelease(fixture("vm/etc/os-release")), {
    debianVersion: fixture("vm/etc/debian_version"),
  });
  for (
    const k of [
      "distribution",
      "distribution_version",
      "distribution_major_version",
      "distribution_minor_version",
      "distribution_release",
      "os_family",
    ]
  ) {
    assert.equal(dist[k], ANSIBLE[k], k);
  }
  assert.deepEqual(dnsFacts(fixture("vm/etc/resolv.conf")), ANSIBLE.dns);

  const mounts = ansibleMounts(
    parseMounts(fixture("vm/mounts")).map((m) => ({
      device: m.device,
      mount: m.mountpoint,
      fstype: m.fstype,
      options: m.options,
    })),
  );
  const theirs = (ANSIBLE.mounts as Record<string, unknown>[]).map((
    m,
  ) => [m.device, m.mount, m.fstype]);
  assert.deepEqual(mounts.map((m) => [m.device, m.mount, m.fstype]), theirs);
});

Deno.test("service_mgr and virtualization agree with Ansible's recorded output", () => {
  assert.equal(serviceMgrFact({ proc1Comm: fixture("vm/1/comm") }), ANSIBLE.service_mgr);
  assert.equal(serviceMgrFact({ proc1Comm: "systemd\n" }), "systemd");
  assert.equal(
    serviceMgrFact({ proc1Comm: "bash", systemctl: true, systemdCanary: true }),
    "systemd",
  );
  assert.equal(serviceMgrFact({ proc1Comm: "runit-init" }), "runit");
  assert.equal(serviceMgrFact({ etcInitD: true }), "sysvinit");

  const v = virtualFacts({
    pid1Cgroup: fixture("vm/1/cgroup"),
    dockerenv: true,
    cpuinfo: fixture("vm/cpuinfo"),
  });
  assert.equal(v.virtualization_type, ANSIBLE.virtualization_type);
  assert.equal(v.virtualization_role, ANSIBLE.virtualization_role);
  assert.deepEqual(
    v.virtualization_tech_guest,
    [...(ANSIBLE.virtualization_tech_guest as string[])].sort(),
  );
  assert.deepEqual(virtualFacts({ productName: "KVM" }).virtualization_type, "kvm");
  assert.deepEqual(virtualFacts({ sysVendor: "QEMU" }), {
    virtualization_type: "kvm",
    virtualization_role: "guest",
    virtualization_tech_guest: ["kvm"],
    virtualization_tech_host: [],
  });
  assert.equal(virtualFacts({}).virtualization_type, "NA");
});

Deno.test("dateTimeFacts() has Ansible's keys and values for the recorded instant", () => {
  const theirs = ANSIBLE.date_time as Record<string, string>;
  const micros = Number(theirs.iso8601_micro!.slice(20, 26));
  const when = new Date(Number(theirs.epoch) * 1000 + Math.floor(micros / 1000));
  const ours = dateTimeFacts(
    when,
    zoneFor({ std: "UTC", stdOffset: 0 }, -when.getTimezoneOffset() * 60),
    micros,
  );
  assert.deepEqual(Object.keys(ours).sort(), Object.keys(theirs).sort());
  for (const k of ["epoch", "epoch_int", "iso8601", "iso8601_micro"]) {
    assert.equal(ours[k], theirs[k], k);
  }
  if (when.getTimezoneOffset() === 0) {
    // Local-time fields only compare when this test runs in UTC, as the recording did.
    assert.deepEqual(ours, theirs);
  }
});

/** Facts whose values move from one second to the next: compared by their stable parts. */
const VOLATILE = new Set([
  "date_time",
  "uptime_seconds",
  "memfree_mb",
  "memory_mb",
  "swapfree_mb",
  "loadavg",
  "env",
  "mounts",
]);
/** Ansible facts about its own Python, and capsh's output: not gathered (no Python, no fork). */
const NOT_GATHERED = new Set([
  "python",
  "python_version",
  "selinux_python_present",
  "system_capabilities",
  "system_capabilities_enforced",
]);
/** Lists whose order carries no meaning: compared sorted. */
const UNORDERED = new Set([
  "interfaces",
  "all_ipv4_addresses",
  "all_ipv6_addresses",
  "ipv6",
  // Python sets and directory listings in Ansible.
  "virtualization_tech_guest",
  "virtualization_tech_host",
  "holders",
]);

/** A fact with its unordered lists sorted, recursively. */
function normal(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => normal(v));
    return UNORDERED.has(key)
      ? items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
      : items;
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, normal(v, k)]).sort(([a], [b]) =>
        (a as string).localeCompare(b as string)
      ),
    );
  }
  return value;
}

/** The mounts by mount point, with the fields that do not move as files are written. */
const stableMounts = (f: HostFacts) =>
  Object.fromEntries(
    ((f.mounts ?? []) as Record<string, unknown>[]).map((m) => [
      `${m.mount} ${m.device}`,
      [m.fstype, m.options, m.size_total, m.block_size, m.block_total, m.inode_total, m.uuid],
    ]),
  );

async function ansibleSetup(): Promise<HostFacts> {
  const out = await new Deno.Command("ansible", {
    args: ["localhost", "-m", "setup"],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.equal(out.code, 0);
  const text = new TextDecoder().decode(out.stdout).replace(/^[^{]*/, "");
  return Object.fromEntries(
    Object.entries(JSON.parse(text).ansible_facts as HostFacts).map((
      [k, v],
    ) => [k.replace(/^ansible_/, ""), v]),
  );
}

Deno.test({
  ...requires(
    "gatherFacts() agrees with a live `ansible localhost -m setup` on every shared stable key",
    missing("ansible"),
  ),
  async fn() {
    // Gathered before and after Ansible: a fact that changed meanwhile (a device or mount
    // another test added, a clock) cannot be compared, and is left out by name.
    const before = await gatherFacts();
    const theirs = await ansibleSetup();
    const after = await gatherFacts();
    const same = (a: unknown, b: unknown) =>
      JSON.stringify(normal(a)) === JSON.stringify(normal(b));
    const moved: string[] = [];
    for (const [k, v] of Object.entries(theirs)) {
      if (NOT_GATHERED.has(k)) continue;
      if (!(k in before) && !(k in after)) {
        // Only an interface that came or went during the run may be missing from ours.
        assert.ok(typeof v === "object" && v !== null && "device" in v, `ansible_${k} is missing`);
        moved.push(k);
        continue;
      }
      if (VOLATILE.has(k)) continue;
      if (!same(before[k], after[k])) {
        moved.push(k);
        continue;
      }
      assert.deepEqual(normal(before[k], k), normal(v, k), `ansible_${k}`);
    }
    for (const k of Object.keys(before)) {
      if (!(k in theirs) && !moved.includes(k)) assert.fail(`ansible has no ${k}`);
    }
    // The volatile ones, by their stable parts.
    if (same(stableMounts(before), stableMounts(after))) {
      assert.deepEqual(stableMounts(before), stableMounts(theirs), "mounts");
    }
    assert.deepEqual(
      Object.keys(before.date_time as object).sort(),
      Object.keys(theirs.date_time as object).sort(),
    );
    assert.equal(
      (before.date_time as Record<string, string>).tz,
      (theirs.date_time as Record<string, string>).tz,
    );
    assert.deepEqual(
      Object.keys(before.memory_mb as object).sort(),
      Object.keys(theirs.memory_mb as object).sort(),
    );
    assert.ok(
      Math.abs((before.uptime_seconds as number) - (theirs.uptime_seconds as number)) < 600,
    );
    assert.deepEqual(
      Object.keys(before.env as object).filter((k) => k !== "_").sort(),
      Object.keys(theirs.env as object).filter((k) => k !== "_").sort(),
    );
    if (moved.length > 0) {
      Deno.stderr.writeSync(
        new TextEncoder().encode(`facts that changed during the comparison: ${moved.join(", ")}\n`),
      );
    }
  },
});

Deno.test("gatherFacts() under apply --dry-run's scoped flags: /proc facts absent, no error, no prompt", async () => {
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    const url = new URL("../../../lib/facts/host_facts.ts", import.meta.url).href;
    await Deno.writeTextFile(
      script,
      `import { gatherFacts } from ${
        JSON.stringify(url)
      };\nconsole.log(JSON.stringify(await gatherFacts()));\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        "--config",
        fileURLToPath(new URL("../../../deno.json", import.meta.url)),
        "--allow-read=/etc",
        "--allow-sys=hostname,osRelease",
        "--allow-env=DRIFTLESS_*",
        "--ignore-env",
        script,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    assert.equal(stderr, "");
    const f = JSON.parse(new TextDecoder().decode(out.stdout)) as HostFacts;
    assert.equal(f.hostname, Deno.hostname().split(".")[0]);
    assert.equal(f.kernel, Deno.osRelease());
    assert.ok(typeof f.distribution === "string" && f.distribution !== "");
    assert.ok(typeof f.os_family === "string");
    assert.ok(typeof f.date_time === "object");
    for (
      const k of [
        "processor",
        "memtotal_mb",
        "uptime_seconds",
        "interfaces",
        "default_ipv4",
        "mounts",
        "virtualization_type",
        "user_uid",
      ]
    ) {
      assert.ok(!(k in f), `${k} needs more than the scoped flags`);
    }
    assert.deepEqual(f.env, {});
  } finally {
    await Deno.remove(script);
  }
});

function rootMissing(): string | undefined {
  if (Deno.uid() !== 0) return "network namespaces need root";
  return missing("ip") ? "iproute2 is not installed" : undefined;
}

Deno.test({
  ...requires(
    "gatherFacts() reports an IPv4 broadcast only where the kernel has one, as Ansible does",
    rootMissing(),
  ),
  async fn() {
    const ns = `dlx-brd-${Deno.pid}`;
    const ip = (...args: string[]) =>
      new Deno.Command("ip", { args, stdout: "null", stderr: "inherit" }).output();
    await ip("netns", "add", ns);
    const script = await Deno.makeTempFile({ suffix: ".ts" });
    try {
      await ip("-n", ns, "link", "add", "nobrd", "type", "veth", "peer", "name", "withbrd");
      await ip("-n", ns, "addr", "add", "10.9.8.7/24", "dev", "nobrd");
      await ip("-n", ns, "addr", "add", "10.7.7.7/24", "brd", "+", "dev", "withbrd");
      const url = new URL("../../../lib/facts/host_facts.ts", import.meta.url).href;
      await Deno.writeTextFile(
        script,
        `import { gatherFacts } from ${
          JSON.stringify(url)
        };\nconsole.log(JSON.stringify(await gatherFacts()));\n`,
      );
      const out = await new Deno.Command("ip", {
        args: ["netns", "exec", ns, Deno.execPath(), "run", "--quiet", "-A", script],
        stdout: "piped",
      }).output();
      assert.equal(out.code, 0);
      const ours = JSON.parse(new TextDecoder().decode(out.stdout)) as HostFacts;
      const v4 = (f: HostFacts, dev: string) => (f[dev] as Record<string, unknown>).ipv4;
      assert.deepEqual(v4(ours, "nobrd"), {
        address: "10.9.8.7",
        broadcast: "",
        netmask: "255.255.255.0",
        network: "10.9.8.0",
        prefix: "24",
      });
      assert.equal((v4(ours, "withbrd") as Record<string, string>).broadcast, "10.7.7.255");
      if (!missing("ansible")) {
        const a = await new Deno.Command("ip", {
          args: [
            "netns",
            "exec",
            ns,
            "ansible",
            "localhost",
            "-m",
            "setup",
            "-a",
            "filter=ansible_*brd",
          ],
          stdout: "piped",
          stderr: "null",
        }).output();
        const theirs = JSON.parse(new TextDecoder().decode(a.stdout).replace(/^[^{]*/, ""))
          .ansible_facts;
        assert.deepEqual(v4(ours, "nobrd"), theirs.ansible_nobrd.ipv4);
        assert.deepEqual(v4(ours, "withbrd"), theirs.ansible_withbrd.ipv4);
      }
    } finally {
      await ip("netns", "del", ns);
      await Deno.remove(script);
    }
  },
});
