/**
 * Durations (`"250ms"`, `"5s"`, `"1h"`; a bare number is seconds) and sizes (`"64KiB"`,
 * `"10MB"`; a bare number is bytes) as config values, parsed once by the schema.
 *
 * @module
 */
import * as z from "zod";

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/;
const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|KiB|K|MB|MiB|M|GB|GiB|G)?\s*$/i;

const DURATION_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const SIZE_BYTES: Record<string, number> = {
  b: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
};

/**
 * Milliseconds in a duration: a number of seconds or a string with a unit (ms, s, m, h, d).
 *
 * @example
 * ```ts
 * parseDuration("1.5s"); // 1500
 * parseDuration(2); // 2000
 * ```
 */
export function parseDuration(value: number | string): number {
  if (typeof value === "number") return Math.round(value * 1000);
  const m = DURATION.exec(value);
  if (!m) throw new RangeError(`expected a duration like "5s", found ${JSON.stringify(value)}`);
  return Math.round(Number(m[1]) * DURATION_MS[m[2]!]!);
}

/**
 * Bytes in a size: a number of bytes or a string with a unit (KiB/MiB/GiB are powers of 1024,
 * KB/MB/GB powers of 1000; K/M/G mean KiB/MiB/GiB).
 */
export function parseSize(value: number | string): number {
  if (typeof value === "number") return Math.floor(value);
  const m = SIZE.exec(value);
  if (!m) throw new RangeError(`expected a size like "10MiB", found ${JSON.stringify(value)}`);
  return Math.floor(Number(m[1]) * SIZE_BYTES[(m[2] ?? "b").toLowerCase()]!);
}

/** A duration in config; parses to milliseconds. */
export const durationSchema = z.union([
  z.number().nonnegative(),
  z.string().regex(DURATION, 'expected a duration like "500ms", "5s", "1m" or "1h"'),
]).transform(parseDuration)
  .meta({ description: 'a duration: "500ms", "5s", "1m", "1h", "1d", or a number of seconds' });

/** A size in config; parses to bytes. */
export const sizeSchema = z.union([
  z.number().int().nonnegative(),
  z.string().regex(SIZE, 'expected a size like "64KiB" or "10MiB"'),
]).transform(parseSize)
  .meta({
    description: 'a size: "64KiB", "10MB", "1G" (K, M, G are KiB, MiB, GiB), or a number of bytes',
  });
