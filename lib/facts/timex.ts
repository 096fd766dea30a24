/**
 * The timex collector: the kernel clock discipline from `adjtimex(2)` (offset, sync status,
 * max error, PPS counters), called through libc with Deno's FFI (no child process). Needs
 * `--allow-ffi` (part of `-A`); without it the collector reports failure.
 *
 * @module
 */
import type { Collector } from "./collector.ts";
import { type MetricFamily, single } from "./metric.ts";

/** `TIME_ERROR`: the clock is not synchronised. */
const TIME_ERROR = 5;
/** `STA_NANO`: offsets are in nanoseconds rather than microseconds. */
const STA_NANO = 0x2000;
/** sizeof(struct timex) on 64-bit Linux. */
export const TIMEX_SIZE = 208;

/** The fields of struct timex that are exported. */
export interface Timex {
  readonly state: number;
  readonly offset: number;
  readonly freq: number;
  readonly maxerror: number;
  readonly esterror: number;
  readonly status: number;
  readonly constant: number;
  readonly tick: number;
  readonly ppsfreq: number;
  readonly jitter: number;
  readonly shift: number;
  readonly stabil: number;
  readonly jitcnt: number;
  readonly calcnt: number;
  readonly errcnt: number;
  readonly stbcnt: number;
  readonly tai: number;
}

/** Decodes a struct timex (x86_64/aarch64 layout) and the call's return value. */
export function parseTimex(buf: Uint8Array, state: number): Timex {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const l = (o: number) => Number(v.getBigInt64(o, true));
  const i = (o: number) => v.getInt32(o, true);
  return {
    state,
    offset: l(8),
    freq: l(16),
    maxerror: l(24),
    esterror: l(32),
    status: i(40),
    constant: l(48),
    tick: l(88),
    ppsfreq: l(96),
    jitter: l(104),
    shift: i(112),
    stabil: l(120),
    jitcnt: l(128),
    calcnt: l(136),
    errcnt: l(144),
    stbcnt: l(152),
    tai: i(160),
  };
}

/** The families node_exporter derives from struct timex. */
export function timexFamilies(t: Timex): MetricFamily[] {
  const divisor = t.status & STA_NANO ? 1e9 : 1e6;
  // freq and ppsfreq are ppm with a 16-bit fractional part.
  const ppm = (x: number) => x / 65536 / 1e6;
  return [
    single("node_timex_estimated_error_seconds", "Estimated error in seconds.", t.esterror / 1e6),
    single(
      "node_timex_frequency_adjustment_ratio",
      "Local clock frequency adjustment.",
      1 + ppm(t.freq),
    ),
    single("node_timex_loop_time_constant", "Phase-locked loop time constant.", t.constant),
    single("node_timex_maxerror_seconds", "Maximum error in seconds.", t.maxerror / 1e6),
    single(
      "node_timex_offset_seconds",
      "Time offset in between local system and reference clock.",
      t.offset / divisor,
    ),
    single(
      "node_timex_pps_calibration_total",
      "Pulse per second count of calibration intervals.",
      t.calcnt,
      "counter",
    ),
    single(
      "node_timex_pps_error_total",
      "Pulse per second count of calibration errors.",
      t.errcnt,
      "counter",
    ),
    single("node_timex_pps_frequency_hertz", "Pulse per second frequency.", ppm(t.ppsfreq)),
    single("node_timex_pps_jitter_seconds", "Pulse per second jitter.", t.jitter / divisor),
    single(
      "node_timex_pps_jitter_total",
      "Pulse per second count of jitter limit exceeded events.",
      t.jitcnt,
      "counter",
    ),
    single("node_timex_pps_shift_seconds", "Pulse per second interval duration.", t.shift),
    single(
      "node_timex_pps_stability_exceeded_total",
      "Pulse per second count of stability limit exceeded events.",
      t.stbcnt,
      "counter",
    ),
    single(
      "node_timex_pps_stability_hertz",
      "Pulse per second stability, average of recent frequency changes.",
      ppm(t.stabil),
    ),
    single("node_timex_status", "Value of the status array bits.", t.status),
    single(
      "node_timex_sync_status",
      "Is clock synchronized to a reliable server (1 = yes, 0 = no).",
      t.state === TIME_ERROR ? 0 : 1,
    ),
    single("node_timex_tai_offset_seconds", "International Atomic Time (TAI) offset.", t.tai),
    single("node_timex_tick_seconds", "Seconds between clock ticks.", t.tick / 1e6),
  ];
}

type Libc = { symbols: { adjtimex(buf: Uint8Array<ArrayBuffer>): number } };
let libc: Libc | undefined;

/** Calls adjtimex(2) in read-only mode (modes = 0). */
export function readTimex(): Timex {
  if (
    Deno.build.os !== "linux" || (Deno.build.arch !== "x86_64" && Deno.build.arch !== "aarch64")
  ) {
    throw new Error(
      `adjtimex is only read on 64-bit Linux, not ${Deno.build.os}/${Deno.build.arch}`,
    );
  }
  libc ??= Deno.dlopen("libc.so.6", {
    adjtimex: { parameters: ["buffer"], result: "i32" },
  }) as unknown as Libc;
  const buf = new Uint8Array(TIMEX_SIZE);
  const state = libc.symbols.adjtimex(buf);
  if (state < 0) throw new Error("adjtimex failed");
  return parseTimex(buf, state);
}

/** The timex collector. */
export function timexCollector(): Collector {
  return {
    name: "timex",
    collect() {
      return Promise.resolve().then(() => timexFamilies(readTimex()));
    },
  };
}
