/**
 * node_exporter's device include/exclude pair: an include regex, when given, wins; otherwise
 * the exclude regex (or the collector's default exclude) drops matching devices.
 *
 * @module
 */

/** Include/exclude options of a device collector. */
export interface DeviceFilterOptions {
  readonly deviceInclude?: string | undefined;
  readonly deviceExclude?: string | undefined;
}

/** A predicate that keeps the devices the options select. */
export function deviceFilter(
  options: DeviceFilterOptions,
  defaultExclude?: string,
): (device: string) => boolean {
  if (options.deviceInclude) {
    const include = new RegExp(options.deviceInclude);
    return (d) => include.test(d);
  }
  const source = options.deviceExclude ?? defaultExclude;
  if (source === undefined) return () => true;
  const exclude = new RegExp(source);
  return (d) => !exclude.test(d);
}
