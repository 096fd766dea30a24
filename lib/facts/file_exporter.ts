/**
 * Writes snapshots to a local directory, one file per push (`<host>-YYYYMMDDTHHMMSS.mmmZ.prom.gz`,
 * written to a temp name and synced, then linked to its name, so readers never see half a file
 * and a name is never reused: a second push in the same millisecond gets `-1`, `-2`...), and
 * rotates: only the newest `max_files` snapshots of the host are kept.
 *
 * @module
 */
import { join } from "node:path";
import type { FileExporterConfig } from "../config/facts_schema.ts";
import { encodeSnapshot, type Snapshot } from "./snapshot.ts";

const pad = (n: number) => String(n).padStart(2, "0");

/** The file name of a snapshot; `n` > 0 for the n-th other push of the same millisecond. */
export function snapshotFileName(host: string, t: Date, ext: string, n = 0): string {
  const stamp = `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}T` +
    `${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}.` +
    `${String(t.getUTCMilliseconds()).padStart(3, "0")}Z`;
  return `${host}-${stamp}${n > 0 ? `-${n}` : ""}${ext}`;
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
    const tmp = join(this.#c.dir, `.${s.host}.tmp-${crypto.randomUUID().slice(0, 8)}`);
    const file = await Deno.open(tmp, { write: true, create: true, truncate: true, mode: 0o640 });
    try {
      let off = 0;
      while (off < enc.body.length) off += await file.write(enc.body.subarray(off));
      await file.syncData();
    } finally {
      file.close();
    }
    // A link fails when the name exists, where a rename would replace the earlier snapshot.
    let path: string;
    try {
      for (let n = 0;; n++) {
        path = join(this.#c.dir, snapshotFileName(s.host, s.time, enc.ext, n));
        try {
          await Deno.link(tmp, path);
          break;
        } catch (e) {
          if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
        }
      }
    } finally {
      await Deno.remove(tmp).catch(() => {});
    }
    await this.#rotate(s.host);
    return path;
  }

  async #rotate(host: string): Promise<void> {
    const keep = this.#c.max_files ?? 100;
    if (keep === 0) return;
    const mine: string[] = [];
    const pattern = new RegExp(
      `^${
        host.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
      }-\\d{8}T\\d{6}(\\.\\d{3})?Z(-\\d+)?\\.(prom|json)(\\.gz)?$`,
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
