/**
 * A file output that a source's globs match would read its own lines back and ship them
 * again, without end (one such config wrote 13 GB in 70 s). The paths each file output
 * writes, rendered for the sources routed to it, and their rotated names, are checked against
 * every source's globs and excludes: a match is a config error.
 *
 * @module
 */
import type { LogsConfig } from "../config/logs_schema.ts";
import { compactTime, compileTemplate } from "../sinks/template.ts";
import { compileSourcePaths, expandTilde } from "./glob.ts";

/** A source that would read what a file output writes. */
export interface OutputLoop {
  /** Index of the source in `sources`. */
  readonly source: number;
  /** Index of the output in `outputs`. */
  readonly output: number;
  /** A path the output writes that the source matches. */
  readonly path: string;
  readonly message: string;
}

/**
 * The (source, file output) pairs where the source's globs match a file the output writes.
 * `host` fills `{host}` in output paths.
 */
export function outputLoops(
  config: Pick<LogsConfig, "sources" | "outputs">,
  host: string,
  now: Date = new Date(),
): OutputLoop[] {
  const sources = (config.sources ?? []).map((s) => ({
    name: s.name,
    outputs: s.outputs,
    ...compileSourcePaths(s),
  }));
  const out: OutputLoop[] = [];
  (config.outputs ?? []).forEach((o, oi) => {
    if (o.type !== "file") return;
    let template;
    try {
      template = compileTemplate(o.path, ["source", "host", "sink"]);
    } catch {
      return; // the output's own schema reports a bad template
    }
    // What the output writes: for each source routed to it, the file and a rotated name.
    const written = new Set<string>();
    for (const s of sources) {
      if (!s.outputs.includes(o.name)) continue;
      const path = expandTilde(template({ source: s.name, host, sink: o.name }, now));
      written.add(path);
      written.add(`${path}.${compactTime(now)}`);
    }
    sources.forEach((s, si) => {
      for (const path of written) {
        if (!s.globs.some((g) => g.regex.test(path)) || s.excludes.some((x) => x(path))) continue;
        out.push({
          source: si,
          output: oi,
          path,
          message: `source "${s.name}" would read back ${path}, which output "${o.name}" ` +
            `writes: its lines would be shipped again without end; move the output or add ` +
            `its path to the source's exclude`,
        });
        return;
      }
    });
  });
  return out;
}
