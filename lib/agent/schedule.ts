/**
 * When jobs run: a fixed point in each interval per host (splay), aligned to the wall clock so
 * that restarting a whole fleet at once does not bunch it up, and capped exponential backoff
 * after failures. Pure functions; the scheduler applies them.
 *
 * @module
 */

/**
 * The host's offset into the splay window for a job, in `[0, splayMs)`: the first 32 bits of
 * SHA-256(seed, job) scaled to the window. The same host always gets the same offset, and
 * different hosts spread uniformly over the window.
 *
 * @example
 * ```ts
 * const offset = await splayOffset("web-17\0c0ffee", "apply", 180_000);
 * ```
 */
export async function splayOffset(seed: string, job: string, splayMs: number): Promise<number> {
  if (splayMs <= 0) return 0;
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(`${seed}\0${job}`),
  );
  const word = new DataView(digest).getUint32(0);
  return Math.floor((word / 2 ** 32) * splayMs);
}

/**
 * The host's identity for splay: hostname and machine id together (cloned images share the
 * machine id, hosts named alike by a template share little else).
 */
export function hostSeed(): string {
  let hostname = "localhost";
  try {
    hostname = Deno.hostname();
  } catch {
    // No --allow-sys: the machine id alone still spreads hosts.
  }
  let machineId = "";
  for (const path of ["/etc/machine-id", "/var/lib/dbus/machine-id"]) {
    try {
      machineId = Deno.readTextFileSync(path).trim();
      break;
    } catch {
      // Absent in containers; try the next, or go without.
    }
  }
  return `${hostname}\0${machineId}`;
}

/**
 * The first time after `now` that falls `offsetMs` after a multiple of `intervalMs` since the
 * epoch.
 *
 * @example
 * ```ts
 * nextSlot(1_000_500, 1000, 200); // 1_001_200
 * ```
 */
export function nextSlot(now: number, intervalMs: number, offsetMs: number): number {
  const phase = ((offsetMs % intervalMs) + intervalMs) % intervalMs;
  const k = Math.floor((now - phase) / intervalMs) + 1;
  return k * intervalMs + phase;
}

/**
 * How long to wait after the `failures`-th failure in a row: the interval doubled per failure,
 * capped at `maxMs` (never less than the interval), with ±10 % jitter so hosts that failed
 * together do not retry together.
 */
export function backoffDelay(
  failures: number,
  intervalMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(intervalMs * 2 ** Math.min(failures, 30), Math.max(intervalMs, maxMs));
  return Math.round(base * (0.9 + 0.2 * random()));
}
