/**
 * Tasks that own the text of one file and compute its new text from the current one (pam_limits,
 * pamd, selinux's config, deb822_repository): read, a pure edit, and an atomic write (or a
 * removal), with a content diff. The file keeps its mode and owner; a new one gets `mode`.
 *
 * @module
 */
import type * as z from "zod";
import type { Change } from "../lib/apply/task.ts";
import type { TaskModule } from "../lib/apply/task.ts";
import { contentDiff } from "./_files.ts";
import { readOptional } from "./_run.ts";

/** What a text-file task defines. */
export interface TextFileTask<S extends z.ZodType> {
  readonly type: string;
  readonly schema: S;
  readonly mainParam?: string;
  /** The file the params name. */
  path(params: z.output<S>): string;
  /** The new text (undefined: the file should not exist); throws for an invalid current text. */
  edit(params: z.output<S>, current: string | undefined): string | undefined;
  /** The mode of a new file (default 0644). */
  readonly mode?: number;
  /** Keep a backup of the old content (`<path>.<stamp>~`). */
  backup?(params: z.output<S>): boolean;
}

/** The current text, and the wanted one. */
export interface TextFileState {
  readonly path: string;
  readonly before?: string;
  readonly after?: string;
}

type Op =
  | { kind: "write"; path: string; text: string; mode: number; backup: boolean }
  | { kind: "remove"; path: string };

/** Builds the task module of a text-file task. */
export function defineTextFileTask<S extends z.ZodType>(
  def: TextFileTask<S>,
): TaskModule<z.output<S>, TextFileState, Op> {
  return {
    type: def.type,
    schema: def.schema as z.ZodType<z.output<S>>,
    ...(def.mainParam ? { mainParam: def.mainParam } : {}),
    async read(params, host): Promise<TextFileState> {
      const path = def.path(params);
      const before = await readOptional(host, path);
      const after = def.edit(params, before);
      return {
        path,
        ...(before !== undefined ? { before } : {}),
        ...(after !== undefined ? { after } : {}),
      };
    },
    plan(params, cur): Change<Op>[] {
      if (cur.before === cur.after) return [];
      const enc = (t: string | undefined) => (t === undefined ? null : new TextEncoder().encode(t));
      const diff = contentDiff(cur.path, enc(cur.before), enc(cur.after));
      const op: Op = cur.after === undefined ? { kind: "remove", path: cur.path } : {
        kind: "write",
        path: cur.path,
        text: cur.after,
        mode: def.mode ?? 0o644,
        backup: def.backup?.(params) ?? false,
      };
      const summary = cur.after === undefined
        ? `remove ${cur.path}`
        : `${cur.before === undefined ? "create" : "update"} ${cur.path}`;
      return [{ op, summary, diff }];
    },
    async apply(op, host) {
      if (op.kind === "remove") return void await host.remove(op.path);
      const exists = await host.stat(op.path);
      const { backup } = await host.writeAtomic(op.path, op.text, {
        ...(exists ? {} : { mode: op.mode }),
        backup: op.backup,
      });
      return backup ? { backup_file: backup } : undefined;
    },
  };
}
