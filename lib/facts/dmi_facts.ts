/**
 * DMI facts with Ansible's names (`bios_date`, `board_serial`, `form_factor`, `product_uuid`,
 * `system_vendor`...), from /sys/devices/virtual/dmi/id. A field that cannot be read (serials
 * are root-only) is "NA", as in Ansible; without DMI in sysfs every field is "NA" (Ansible would
 * run dmidecode there; we do not fork).
 *
 * @module
 */

/** Fact → file under /sys/devices/virtual/dmi/id. */
export const DMI_FACTS: Readonly<Record<string, string>> = {
  bios_date: "bios_date",
  bios_vendor: "bios_vendor",
  bios_version: "bios_version",
  board_asset_tag: "board_asset_tag",
  board_name: "board_name",
  board_serial: "board_serial",
  board_vendor: "board_vendor",
  board_version: "board_version",
  chassis_asset_tag: "chassis_asset_tag",
  chassis_serial: "chassis_serial",
  chassis_vendor: "chassis_vendor",
  chassis_version: "chassis_version",
  form_factor: "chassis_type",
  product_name: "product_name",
  product_serial: "product_serial",
  product_uuid: "product_uuid",
  product_version: "product_version",
  system_vendor: "sys_vendor",
};

/** SMBIOS chassis types (DSP0134 3.2), as Ansible names them. */
const FORM_FACTOR = [
  "Unknown",
  "Other",
  "Unknown",
  "Desktop",
  "Low Profile Desktop",
  "Pizza Box",
  "Mini Tower",
  "Tower",
  "Portable",
  "Laptop",
  "Notebook",
  "Hand Held",
  "Docking Station",
  "All In One",
  "Sub Notebook",
  "Space-saving",
  "Lunch Box",
  "Main Server Chassis",
  "Expansion Chassis",
  "Sub Chassis",
  "Bus Expansion Chassis",
  "Peripheral Chassis",
  "RAID Chassis",
  "Rack Mount Chassis",
  "Sealed-case PC",
  "Multi-system",
  "CompactPCI",
  "AdvancedTCA",
  "Blade",
  "Blade Enclosure",
  "Tablet",
  "Convertible",
  "Detachable",
  "IoT Gateway",
  "Embedded PC",
  "Mini PC",
  "Stick PC",
];

/** The DMI facts from a reader of the files (undefined: absent, unreadable or empty). */
export function dmiFacts(read: (file: string) => string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [fact, file] of Object.entries(DMI_FACTS)) {
    const v = read(file);
    if (v === undefined) out[fact] = "NA";
    else if (fact === "form_factor") {
      out[fact] = FORM_FACTOR[Number(v)] ?? `unknown (${v})`;
    } else out[fact] = v;
  }
  return out;
}
