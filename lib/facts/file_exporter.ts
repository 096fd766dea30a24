/**
 * Writes snapshots to a local directory, one file per push (`<host>-YYYYMMDDTHHMMSSZ.prom.gz`,
 * written to a temp name, synced, then renamed, so readers never see half a file), and rotates:
 * only the newest `max_files` snapshots of the host are kept.
 *
 * @module
 */
import { join } from "node:path";
import type { FileExporterConfig } from "../config/facts_schema.ts";
import { encodeSnapshot, type Snapshot } from "./snapshot.ts";

const pad = (n: number) => String(n).padStart(2, "0");

/** The file name of a snapshot. */
export function snapshotFileName(host: string, t: Date, ext: string): string {
  const stamp = `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}T` +
    `${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}Z`;
  return `${host}-${stamp}${ext}`;
}

/** Writes snapshots to a directory. */
export class FileExporter {
  readonly name: string;
  readonly #c: FileExporterConfig;

  constructor(config: FileExporterConfig) {
    this.#c = config;
    this.name = `file:${config.dir}`;
  }

  /** Writes one snapshot and removes the oldest beyond `max_files`; resolves with the path. */
  async push(s: Snapshot): Promise<string> {
    const enc = await encodeSnapshot(s, {
      ...(this.#c.format ? { format: this.#c.format } : {}),
      ...(this.#c.gzip !== undefined ? { gzip: this.#c.gzip } : {}),
    });
    await Deno.mkdir(this.#c.dir, { recursive: true });
    const path = join(this.#c.dir, snapshotFileName(s.host, s.time, enc.ext));
    const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
    const file = await Deno.open(tmp, { write: true, create: true, truncate: true, mode: 0o640 });
    try {
      let off = 0;
      while (off < enc.body.length) off += await file.write(enc.body.subarray(off));
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
    await this.#rotate(s.host);
    return path;
  }

  async #rotate(host: string): Promise<void> {
    const keep = this.#c.max_files ?? 100;
    if (keep === 0) return;
    const mine: string[] = [];
    const pattern = new RegExp(
      `^${host.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-\\d{8}T\\d{6}Z\\.(prom|json)(\\.gz)?$`,
    );
    for await (const e of Deno.readDir(this.#c.dir)) {
      if (e.isFile && pattern.test(e.name)) mine.push(e.name);
    }
    // The stamp sorts in time order.
    mine.sort();
    for (const name of mine.slice(0, Math.max(0, mine.length - keep))) {
      await Deno.remove(join(this.#c.dir, name)).catch((e) => {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      });
    }
  }

  close(): void {}
}
