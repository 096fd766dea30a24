/**
 * Exporters and the loop that pushes to them: each exporter has its own interval, pushes never
 * overlap, the first push waits a random part of the interval (hosts spread their uploads),
 * and a failed push is logged and tried again at the next tick.
 *
 * @module
 */
import type { FactsConfig } from "../config/facts_schema.ts";
import { FileExporter } from "./file_exporter.ts";
import { S3Exporter } from "./s3_exporter.ts";
import type { Snapshot } from "./snapshot.ts";

/** Something snapshots can be pushed to. */
export interface Exporter {
  readonly name: string;
  /** Stores one snapshot; resolves with where it went (key or path). */
  push(s: Snapshot): Promise<string>;
  close(): void;
}

/** Builds the exporters of a facts config. */
export function createExporters(
  config: FactsConfig | undefined,
): { exporter: Exporter; intervalMs: number }[] {
  const fallback = config?.interval ?? 60_000;
  return (config?.exporters ?? []).map((c) => ({
    exporter: c.type === "s3" ? new S3Exporter(c) : new FileExporter(c),
    intervalMs: c.interval ?? fallback,
  }));
}

/** Options of {@linkcode runExportLoop}. */
export interface ExportLoopOptions {
  /** Takes a fresh snapshot. */
  readonly snapshot: () => Promise<Snapshot>;
  readonly signal: AbortSignal;
  /** Spread the first push over the interval (default true); false pushes at once. */
  readonly jitter?: boolean;
  readonly onPush?: (exporter: string, where: string) => void;
  readonly onError?: (exporter: string, message: string) => void;
}

/** Pushes to each exporter at its interval until the signal aborts; resolves when all stopped. */
export async function runExportLoop(
  exporters: readonly { exporter: Exporter; intervalMs: number }[],
  options: ExportLoopOptions,
): Promise<void> {
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (options.signal.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        options.signal.removeEventListener("abort", done);
        resolve();
      }
      options.signal.addEventListener("abort", done, { once: true });
    });
  await Promise.all(exporters.map(async ({ exporter, intervalMs }) => {
    await sleep(options.jitter === false ? 0 : Math.floor(Math.random() * intervalMs));
    while (!options.signal.aborted) {
      const started = Date.now();
      try {
        // Pushed before onPush: an optional call would skip evaluating its arguments.
        const where = await exporter.push(await options.snapshot());
        options.onPush?.(exporter.name, where);
      } catch (e) {
        options.onError?.(exporter.name, e instanceof Error ? e.message : String(e));
      }
      await sleep(Math.max(0, intervalMs - (Date.now() - started)));
    }
    exporter.close();
  }));
}
