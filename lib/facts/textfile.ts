/**
 * The textfile collector: metrics from `*.prom` files in a directory (written atomically by
 * cron jobs and the like), with `node_textfile_mtime_seconds{file}` for each file read and
 * `node_textfile_scrape_error` set when any file could not be read or parsed. Files with
 * client-side timestamps are refused, as node_exporter refuses them.
 *
 * @module
 */
import { join } from "node:path";
import type { Collector } from "./collector.ts";
import { family, type MetricFamily, single } from "./metric.ts";
import { parsePromText } from "./prom_text.ts";

/** Debian's `--collector.textfile.directory`. */
export const DEFAULT_TEXTFILE_DIRECTORY = "/var/lib/prometheus/node-exporter";

/** What one run found. */
export interface TextfileResult {
  readonly families: MetricFamily[];
  /** Problems, one line per file, for the log. */
  readonly errors: string[];
}

/** Parses the files of a directory (name → text, mtime in seconds) into families. */
export function textfileFamilies(
  files: ReadonlyArray<{ path: string; text: string; mtime: number }>,
  readErrors: readonly string[] = [],
): TextfileResult {
  const errors = [...readErrors];
  const byName = new Map<string, MetricFamily>();
  const mtimes: { path: string; mtime: number }[] = [];
  for (const f of files) {
    let parsed;
    try {
      parsed = parsePromText(f.text, `Metric read from ${f.path}`);
    } catch (e) {
      errors.push(`failed to parse textfile data from "${f.path}": ${(e as Error).message}`);
      continue;
    }
    if (parsed.hasTimestamps) {
      errors.push(
        `textfile "${f.path}" contains unsupported client-side timestamps, skipping entire file`,
      );
      continue;
    }
    let conflict: string | undefined;
    for (const fam of parsed.families) {
      const prev = byName.get(fam.name);
      if (prev && prev.type !== fam.type) conflict = fam.name;
    }
    if (conflict) {
      errors.push(
        `textfile "${f.path}": ${conflict} has another type in an earlier file; skipping the file`,
      );
      continue;
    }
    for (const fam of parsed.families) {
      const prev = byName.get(fam.name);
      if (prev) prev.samples.push(...fam.samples);
      else byName.set(fam.name, { ...fam, samples: [...fam.samples] });
    }
    mtimes.push(f);
  }
  const out = [...byName.values()];
  if (mtimes.length > 0) {
    out.push(family(
      "node_textfile_mtime_seconds",
      "Unixtime mtime of textfiles successfully read.",
      "gauge",
      mtimes.map((m) => ({ labels: { file: m.path }, value: m.mtime })),
    ));
  }
  out.push(single(
    "node_textfile_scrape_error",
    "1 if there was an error opening or reading a file, 0 otherwise",
    errors.length > 0 ? 1 : 0,
  ));
  return { families: out, errors };
}

/** Options of the textfile collector. */
export interface TextfileOptions {
  readonly directory?: string | undefined;
  /** Receives one line per problem file. */
  readonly onError?: (message: string) => void;
}

/** The textfile collector. */
export function textfileCollector(options: TextfileOptions = {}): Collector {
  const dir = options.directory ?? DEFAULT_TEXTFILE_DIRECTORY;
  return {
    name: "textfile",
    async collect() {
      const files: { path: string; text: string; mtime: number }[] = [];
      const readErrors: string[] = [];
      const names: string[] = [];
      try {
        for await (const e of Deno.readDir(dir)) if (e.name.endsWith(".prom")) names.push(e.name);
      } catch (e) {
        // A missing directory is no error (nothing exported yet), as in node_exporter.
        if (!(e instanceof Deno.errors.NotFound)) {
          readErrors.push(`failed to read textfile directory "${dir}": ${(e as Error).message}`);
        }
      }
      names.sort();
      for (const name of names) {
        const path = join(dir, name);
        try {
          const info = await Deno.stat(path);
          if (!info.isFile) continue;
          files.push({
            path,
            text: await Deno.readTextFile(path),
            mtime: (info.mtime?.getTime() ?? 0) / 1000,
          });
        } catch (e) {
          readErrors.push(`failed to read textfile "${path}": ${(e as Error).message}`);
        }
      }
      const result = textfileFamilies(files, readErrors);
      for (const err of result.errors) options.onError?.(err);
      return result.families;
    },
  };
}
