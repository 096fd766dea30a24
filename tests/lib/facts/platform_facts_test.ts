/**
 * The Ansible facts gathered from sysfs and /etc without a command, on hardware this machine
 * lacks (partitions, device-mapper holders, DMI, SELinux). The live comparison with
 * `ansible -m setup` is in host_facts_test.ts.
 */
import assert from "node:assert/strict";
import { bytesToHuman } from "../../../lib/human_size.ts";
import {
  deviceLinks,
  type DeviceProbe,
  devicesFact,
  lvmFact,
} from "../../../lib/facts/device_facts.ts";
import { dmiFacts } from "../../../lib/facts/dmi_facts.ts";
import { fibreChannelWwn, hostNqn, iscsiIqn } from "../../../lib/facts/initiator_facts.ts";
import { localFact } from "../../../lib/facts/local_facts.ts";
import { lsbFacts } from "../../../lib/facts/os_release.ts";
import { fipsFact, isChroot, selinuxFact } from "../../../lib/facts/security_facts.ts";
import { cmdlineFacts, procCmdlineFacts } from "../../../lib/facts/system_facts.ts";

/** A probe over an in-memory tree: files, directories and symlinks. */
function probe(
  files: Record<string, string>,
  links: Record<string, string> = {},
): DeviceProbe {
  const resolve = (path: string): string => {
    const out: string[] = [];
    for (const part of path.split("/").filter(Boolean)) {
      if (part === "..") {
        out.pop();
        continue;
      }
      out.push(part);
      const link = links[`/${out.join("/")}`];
      if (link) {
        const target = link.startsWith("/") ? link : `/${out.slice(0, -1).join("/")}/${link}`;
        out.splice(0, out.length, ...resolve(target).split("/").filter(Boolean));
      }
    }
    return `/${out.join("/")}`;
  };
  const all = [...Object.keys(files), ...Object.keys(links)];
  return {
    read: (p) => files[resolve(p)]?.trim() || undefined,
    list: (p) => {
      const dir = resolve(p);
      const names = new Set<string>();
      for (const f of all) {
        const r = f in links ? f : resolve(f);
        const parent = r.startsWith(`${dir}/`) ? r : f.startsWith(`${dir}/`) ? f : undefined;
        if (parent) names.add(parent.slice(dir.length + 1).split("/")[0]!);
      }
      return names.size > 0 ? [...names].sort() : undefined;
    },
    readLink: (p) => links[p],
    realPath: (p) => resolve(p),
  };
}

Deno.test("devicesFact() and deviceLinks() give Ansible's shapes: partitions, links, holders, sizes", () => {
  const dev = "/sys/devices/pci0000:00/0000:00:05.0/virtio1/block/sda";
  const p = probe({
    [`${dev}/size`]: "209715200\n",
    [`${dev}/removable`]: "0\n",
    [`${dev}/device/vendor`]: "ATA     \n",
    [`${dev}/device/model`]: "SAMSUNG SSD\n",
    [`${dev}/queue/rotational`]: "0\n",
    [`${dev}/queue/scheduler`]: "[mq-deadline] none\n",
    [`${dev}/queue/logical_block_size`]: "512\n",
    [`${dev}/queue/discard_granularity`]: "4096\n",
    [`${dev}/sda1/start`]: "2048\n",
    [`${dev}/sda1/size`]: "1048576\n",
    [`${dev}/sda2/start`]: "1050624\n",
    [`${dev}/sda2/size`]: "208664576\n",
    "/sys/devices/virtual/block/dm-0/dm/name": "vg0-root\n",
    "/sys/devices/virtual/block/dm-0/dm/uuid": "LVM-abc\n",
    "/sys/devices/virtual/block/dm-0/size": "0\n",
    "/dev/sda1": "",
    "/dev/dm-0": "",
  }, {
    "/sys/block/sda": "../devices/pci0000:00/0000:00:05.0/virtio1/block/sda",
    "/sys/block/dm-0": "../devices/virtual/block/dm-0",
    [`${dev}/sda2/holders/dm-0`]: "../../../../../../../virtual/block/dm-0",
    "/sys/devices/virtual/block/dm-0/slaves/sda2":
      "../../../../pci0000:00/0000:00:05.0/virtio1/block/sda/sda2",
    "/dev/disk/by-uuid/1111-AAAA": "../../sda1",
    "/dev/disk/by-id/wwn-0x5002538": "../../sda",
    "/dev/disk/by-id/ata-SAMSUNG_SSD": "../../sda",
    "/dev/disk/by-label/boot": "../../sda1",
  });
  const links = deviceLinks(p);
  assert.deepEqual(links, {
    ids: { sda: ["ata-SAMSUNG_SSD", "wwn-0x5002538"] },
    uuids: { sda1: ["1111-AAAA"] },
    labels: { sda1: ["boot"] },
    masters: { sda2: ["dm-0"] },
  });
  const devices = devicesFact(p, links);
  const sda = devices.sda!;
  assert.equal(sda.vendor, "ATA");
  assert.equal(sda.model, "SAMSUNG SSD");
  assert.equal(sda.sas_address, null);
  assert.equal(sda.wwn, "0x5002538");
  assert.equal(sda.sectors, "209715200");
  assert.equal(sda.size, "100.00 GB");
  assert.equal(sda.scheduler_mode, "mq-deadline");
  assert.equal(sda.virtual, 1);
  assert.deepEqual(sda.partitions, {
    sda1: {
      links: { ids: [], uuids: ["1111-AAAA"], labels: ["boot"], masters: [] },
      start: "2048",
      sectors: "1048576",
      sectorsize: 512,
      size: "512.00 MB",
      uuid: "1111-AAAA",
      holders: [],
    },
    sda2: {
      links: { ids: [], uuids: [], labels: [], masters: ["dm-0"] },
      start: "1050624",
      sectors: "208664576",
      sectorsize: 512,
      size: "99.50 GB",
      uuid: null,
      holders: ["vg0-root"],
    },
  });
  assert.equal(devices["dm-0"]!.size, "0.00 Bytes");
  assert.equal(lvmFact(p), undefined, "an LVM volume exists: lvm needs the lvm tools");
  assert.equal(lvmFact(probe({})), "N/A");
});

Deno.test("bytesToHuman() writes sizes as Ansible's bytes_to_human", () => {
  assert.equal(bytesToHuman(0), "0.00 Bytes");
  assert.equal(bytesToHuman(1023), "1023.00 Bytes");
  assert.equal(bytesToHuman(1024), "1.00 KB");
  assert.equal(bytesToHuman(274877906944), "256.00 GB");
});

Deno.test("dmiFacts(): values, chassis type as Ansible's form factor, NA for unreadable fields", () => {
  const f = dmiFacts((file) =>
    ({ chassis_type: "23", product_name: "PowerEdge R6515", sys_vendor: "Dell Inc." })[file]
  );
  assert.equal(f.form_factor, "Rack Mount Chassis");
  assert.equal(f.product_name, "PowerEdge R6515");
  assert.equal(f.system_vendor, "Dell Inc.");
  assert.equal(f.board_serial, "NA");
  assert.equal(Object.keys(f).length, 18);
  assert.equal(
    dmiFacts((file) => (file === "chassis_type" ? "99" : undefined)).form_factor,
    "unknown (99)",
  );
});

Deno.test("selinuxFact(), fipsFact() and isChroot() follow Ansible's rules", () => {
  assert.deepEqual(selinuxFact({}), { status: "disabled" });
  assert.deepEqual(
    selinuxFact({
      enforce: "1",
      policyvers: "33",
      config: "SELINUX=permissive\nSELINUXTYPE=targeted\n",
    }),
    {
      status: "enabled",
      policyvers: 33,
      config_mode: "permissive",
      mode: "enforcing",
      type: "targeted",
    },
  );
  assert.equal(fipsFact("1\n"), true);
  assert.equal(fipsFact(undefined), false);
  const root = { dev: 2049, ino: 2 };
  assert.equal(isChroot({ root, pid1Root: { dev: 2049, ino: 2 } }), false);
  assert.equal(isChroot({ root, pid1Root: { dev: 2049, ino: 1234 } }), true);
  assert.equal(isChroot({ root: { dev: 1, ino: 99 } }), true, "without /proc: not inode 2");
  assert.equal(isChroot({ root, debianChroot: "build" }), true);
});

Deno.test("lsbFacts(): /etc/lsb-release, else what Debian's lsb_release prints, else nothing", () => {
  assert.deepEqual(
    lsbFacts({
      lsbRelease:
        'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION="Ubuntu 22.04.4 LTS"\n',
      lsbReleaseBin: true,
    }),
    {
      id: "Ubuntu",
      release: "22.04",
      codename: "jammy",
      description: "Ubuntu 22.04.4 LTS",
      major_release: "22",
    },
  );
  const debian =
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n';
  assert.deepEqual(lsbFacts({ osRelease: debian, lsbReleaseBin: true }), {
    id: "Debian",
    description: "Debian GNU/Linux 12 (bookworm)",
    release: "12",
    codename: "bookworm",
    major_release: "12",
  });
  assert.deepEqual(lsbFacts({ osRelease: debian, lsbReleaseBin: false }), {});
});

Deno.test("cmdline and proc_cmdline: quotes kept, repeated keys listed in proc_cmdline only", () => {
  const text =
    'BOOT_IMAGE=/vmlinuz root=UUID=1 ro console=tty0 console=ttyS0,115200 quiet x="a b"\n';
  assert.deepEqual(cmdlineFacts(text), {
    BOOT_IMAGE: "/vmlinuz",
    root: "UUID=1",
    ro: true,
    console: "ttyS0,115200",
    quiet: true,
    x: '"a b"',
  });
  assert.deepEqual(procCmdlineFacts(text).console, ["tty0", "ttyS0,115200"]);
  assert.deepEqual(procCmdlineFacts('a="unclosed'), {}, "Ansible reports nothing then");
});

Deno.test("iscsi_iqn, hostnqn, fibre_channel_wwn and local facts", () => {
  assert.equal(
    iscsiIqn("## comment\nInitiatorName=iqn.1993-08.org.debian:01:44a42c8ddb8b\n"),
    "iqn.1993-08.org.debian:01:44a42c8ddb8b",
  );
  assert.equal(iscsiIqn(undefined), "");
  assert.equal(
    hostNqn("# x\nnqn.2014-08.org.nvmexpress:uuid:64ff\n"),
    "nqn.2014-08.org.nvmexpress:uuid:64ff",
  );
  assert.deepEqual(fibreChannelWwn(["0x21000014ff52a9bb\n"]), ["21000014ff52a9bb"]);
  assert.deepEqual(localFact("/x.fact", '{"role": "web", "tier": 2}'), { role: "web", tier: 2 });
  assert.deepEqual(localFact("/x.fact", "[general]\nRole = web\nport: 80\n"), {
    general: { role: "web", port: "80" },
  });
  assert.equal(
    localFact("/bad.fact", "not ini"),
    "error loading facts as JSON or ini - please check content: /bad.fact",
  );
});
