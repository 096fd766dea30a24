/**
 * Storage initiator facts with Ansible's names: `iscsi_iqn` (/etc/iscsi/initiatorname.iscsi),
 * `hostnqn` (/etc/nvme/hostnqn) and `fibre_channel_wwn` (/sys/class/fc_host/*\/port_name).
 *
 * @module
 */

/** `iscsi_iqn`: the `InitiatorName=` of initiatorname.iscsi, "" without one. */
export function iscsiIqn(text: string | undefined): string {
  for (const line of (text ?? "").split("\n")) {
    const t = line.trim();
    if (t.startsWith("#") || t.startsWith(";") || t === "") continue;
    if (t.startsWith("InitiatorName=")) return t.slice("InitiatorName=".length);
  }
  return "";
}

/** `hostnqn`: the first `nqn.` line of /etc/nvme/hostnqn, "" without one. */
export function hostNqn(text: string | undefined): string {
  return (text ?? "").split("\n").find((l) => l.startsWith("nqn.")) ?? "";
}

/** `fibre_channel_wwn`: each FC host's port name without its `0x`. */
export function fibreChannelWwn(portNames: readonly string[]): string[] {
  return portNames.flatMap((t) => t.split("\n").filter(Boolean).map((l) => l.trimEnd().slice(2)));
}
