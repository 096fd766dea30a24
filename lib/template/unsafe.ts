/**
 * Ansible's "unsafe" marking for containers (registered task results, facts): strings inside
 * are data, never templated when the var is used.
 *
 * @module
 */

const UNSAFE = Symbol.for("driftless.unsafe");

/**
 * Marks a container as unsafe: strings inside are never templated, even if they contain `{{`.
 * Returns the value.
 */
export function markUnsafe<T extends object>(value: T): T {
  Object.defineProperty(value, UNSAFE, { value: true, configurable: true });
  return value;
}

/** Whether a value was marked with {@linkcode markUnsafe}. */
export function isUnsafe(value: object): boolean {
  return (value as Record<symbol, unknown>)[UNSAFE] === true;
}

/** Marks a value and every container inside it as unsafe (facts, registered results). */
export function markUnsafeDeep<T>(value: T): T {
  if (value !== null && typeof value === "object" && !isUnsafe(value)) {
    markUnsafe(value);
    for (const v of Array.isArray(value) ? value : Object.values(value)) markUnsafeDeep(v);
  }
  return value;
}
