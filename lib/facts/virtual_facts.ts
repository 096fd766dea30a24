/**
 * `virtualization_type`, `virtualization_role` and the tech sets, decided as Ansible's Linux
 * virtual facts decide them (container markers first, then Xen, DMI strings, cpuinfo, modules),
 * from files only: the `dmidecode` and `lscpu` fallbacks Ansible runs are left out.
 *
 * @module
 */

/** What the decision reads; a missing file is `undefined` (or false). */
export interface VirtProbe {
  readonly pid1Cgroup?: string;
  readonly pid1Environ?: string;
  readonly procVz?: boolean;
  readonly procLve?: boolean;
  readonly procBc?: boolean;
  readonly systemdContainer?: string;
  readonly dockerenv?: boolean;
  readonly procXen?: boolean;
  readonly xenCapabilities?: string;
  readonly productName?: string;
  readonly sysVendor?: string;
  readonly productFamily?: string;
  readonly biosVendor?: string;
  readonly selfStatus?: string;
  readonly cpuinfo?: string;
  readonly modules?: string;
  readonly devKvm?: boolean;
}

/** The virtualization facts. */
export interface VirtFacts {
  virtualization_type: string;
  virtualization_role: string;
  virtualization_tech_guest: string[];
  virtualization_tech_host: string[];
}

/** Decides the facts from a probe. */
export function virtualFacts(p: VirtProbe): VirtFacts {
  let type: string | undefined;
  let role: string | undefined;
  let found = false;
  const guest = new Set<string>();
  const host = new Set<string>();
  const guestFound = (tech: string, t = tech, r = "guest") => {
    guest.add(tech);
    if (!found) {
      type = t;
      role = r;
      found = true;
    }
  };
  for (const line of (p.pid1Cgroup ?? "").split("\n")) {
    if (/\/docker(\/|-[0-9a-f]+\.scope)/.test(line)) guestFound("docker");
    if (/\/lxc\//.test(line) || /\/machine\.slice\/machine-lxc/.test(line)) guestFound("lxc");
    if (/\/system\.slice\/containerd\.service/.test(line)) guestFound("containerd");
  }
  for (const line of (p.pid1Environ ?? "").split("\0")) {
    if (/container=lxc/.test(line)) guestFound("lxc");
    if (/container=podman/.test(line)) guestFound("podman");
    if (/^container=./.test(line)) guestFound("container");
  }
  if (p.procVz && !p.procLve) {
    type = "openvz";
    if (p.procBc) {
      host.add("openvz");
      if (!found) role = "host";
    } else {
      guest.add("openvz");
      if (!found) role = "guest";
    }
    found = true;
  }
  if (p.systemdContainer) guestFound(p.systemdContainer);
  if (p.dockerenv) guestFound("docker");
  if (
    [...guest].some((t) => ["docker", "lxc", "podman", "openvz", "containerd"].includes(t)) ||
    p.systemdContainer
  ) {
    guest.add("container");
  }
  if (p.procXen) {
    const isHost = (p.xenCapabilities ?? "").includes("control_d");
    if (isHost) host.add("xen");
    if (!found) {
      type = "xen";
      role = isHost ? "host" : "guest";
    }
    found = true;
  }
  if (!found) role = "guest";
  const dmi = (tech: string, t = tech) => {
    guest.add(tech);
    if (!found) {
      type = t;
      found = true;
    }
  };
  const name = p.productName;
  const vendor = p.sysVendor;
  if (name && ["KVM", "KVM Server", "Bochs", "AHV"].includes(name)) dmi("kvm");
  if (vendor === "oVirt") dmi("oVirt");
  if (vendor === "Red Hat") {
    if (p.productFamily === "RHV") dmi("RHV");
    else if (name === "RHEV Hypervisor") dmi("RHEV");
  }
  if (name === "VMware Virtual Platform" || name === "VMware7,1") dmi("VMware");
  if (name === "OpenStack Compute" || name === "OpenStack Nova") dmi("openstack");
  const bios = p.biosVendor;
  if (bios === "Xen") dmi("xen");
  if (bios === "innotek GmbH") dmi("virtualbox");
  if (bios && ["Amazon EC2", "DigitalOcean", "Hetzner"].includes(bios)) dmi("kvm");
  if (
    vendor &&
    ["QEMU", "Amazon EC2", "DigitalOcean", "Google", "Scaleway", "Nutanix"].includes(vendor)
  ) dmi("kvm");
  if (vendor === "KubeVirt") dmi("KubeVirt");
  if (vendor === "Microsoft Corporation") dmi("VirtualPC");
  if (vendor === "Parallels Software International Inc.") dmi("parallels");
  if (vendor === "OpenStack Foundation") dmi("openstack");
  if (!found) role = undefined;
  for (const line of (p.selfStatus ?? "").split("\n")) {
    if (!/^VxID:\s+\d+/.test(line)) continue;
    if (!found) type = "linux_vserver";
    if (/^VxID:\s+0/.test(line)) {
      host.add("linux_vserver");
      if (!found) role = "host";
    } else {
      guest.add("linux_vserver");
      if (!found) role = "guest";
    }
    found = true;
  }
  for (const line of (p.cpuinfo ?? "").split("\n")) {
    let tech: string | undefined;
    if (/^model name.*QEMU Virtual CPU/.test(line)) tech = "kvm";
    else if (/^vendor_id.*User Mode Linux/.test(line) || /^model name.*UML/.test(line)) {
      tech = "uml";
    } else if (/^machine.*CHRP IBM pSeries .emulated by qemu./.test(line)) tech = "kvm";
    else if (/^vendor_id.*PowerVM Lx86/.test(line)) tech = "powervm_lx86";
    else if (/^vendor_id.*IBM\/S390/.test(line)) tech = "ibm_systemz";
    if (!tech) continue;
    guest.add(tech);
    if (!found) {
      type = tech;
      role = "guest";
      found = true;
    }
  }
  const modules = new Set(
    (p.modules ?? "").split("\n").map((l) => l.split(" ", 1)[0]!).filter(Boolean),
  );
  if (modules.has("kvm")) {
    host.add("kvm");
    if (!found) {
      type = "kvm";
      role = "host";
    }
    found = true;
  }
  if (modules.has("vboxdrv")) {
    host.add("virtualbox");
    if (!found) {
      type = "virtualbox";
      role = "host";
      found = true;
    }
  }
  if (modules.has("virtio")) {
    host.add("kvm");
    if (!found) {
      type = "kvm";
      role = "guest";
      found = true;
    }
  }
  if (p.devKvm) {
    host.add("kvm");
    if (!found) {
      type = "kvm";
      role = "host";
      found = true;
    }
  }
  return {
    virtualization_type: found ? type ?? "NA" : "NA",
    virtualization_role: found ? role ?? "NA" : "NA",
    virtualization_tech_guest: [...guest].sort(),
    virtualization_tech_host: [...host].sort(),
  };
}
