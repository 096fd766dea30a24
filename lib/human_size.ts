/**
 * Sizes as Ansible writes them (module_utils' bytes_to_human), shared by the `human_readable`
 * filter and the `devices` facts: `256.00 GB`, `0.00 Bytes`, `1.00 Kb` for bits.
 *
 * @module
 */

/** Unit letters and their sizes, largest first. */
export const SIZE_RANGES: readonly (readonly [string, number])[] = [
  ["Y", 2 ** 80],
  ["Z", 2 ** 70],
  ["E", 2 ** 60],
  ["P", 2 ** 50],
  ["T", 2 ** 40],
  ["G", 2 ** 30],
  ["M", 2 ** 20],
  ["K", 2 ** 10],
  ["B", 1],
];

/**
 * A size in the largest unit it reaches (or in `unit`), with two decimals.
 *
 * @example
 * ```ts
 * bytesToHuman(274877906944); // "256.00 GB"
 * ```
 */
export function bytesToHuman(
  size: number,
  options: { isbits?: boolean; unit?: string | null } = {},
): string {
  const base = options.isbits ? "bits" : "Bytes";
  const unit = options.unit ?? null;
  let suffix = "";
  let limit = 1;
  for ([suffix, limit] of SIZE_RANGES) {
    if ((unit === null && size >= limit) || (unit !== null && unit.toUpperCase() === suffix[0])) {
      break;
    }
  }
  return `${(size / limit).toFixed(2)} ${limit !== 1 ? suffix + base[0] : base}`;
}
