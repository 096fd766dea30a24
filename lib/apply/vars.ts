/**
 * Variable helpers shared by the runner and tasks: Python truthiness and scope layering.
 *
 * @module
 */

/** Python/Jinja truthiness: false, 0, "", empty list or mapping, None and undefined are false. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === "string") return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}
