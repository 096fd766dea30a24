/**
 * `template`: renders a template from `templates/` (or an absolute path) with the task's vars and
 * writes it like `copy` (same dest handling, mode incl. `preserve`, owner, group, backup,
 * validate, force, follow), with Ansible's `trim_blocks` (default true), `lstrip_blocks` and
 * `newline_sequence`. Rendering goes through the runner's template engine (`ctx.renderTemplate`).
 *
 * @module
 */
import * as z from "zod";
import { basename } from "node:path";
import { defineTask } from "../lib/apply/task.ts";
import { Accounts, bool, currentUmask, idSchema, modeSchema, resolveOwnership } from "./_attrs.ts";
import { validateSchema } from "./_files.ts";
import { findSource, readSourceFile } from "./_source.ts";
import {
  applyContent,
  contentResult,
  type CopyCurrent,
  fileDest,
  missingDirs,
  planContent,
  readTarget,
  requireParent,
} from "./copy.ts";

/** What Ansible's `ansible_managed` says here. */
const MANAGED = "Managed by driftless: local changes will be overwritten";

/** The template task's parameters. */
export const templateSchema = z.strictObject({
  src: z.string().min(1),
  dest: z.string().min(1),
  mode: modeSchema({ preserve: true }).optional(),
  owner: idSchema.optional(),
  group: idSchema.optional(),
  backup: bool.default(false),
  validate: validateSchema.optional(),
  force: bool.default(true),
  follow: bool.default(false),
  trim_blocks: bool.default(true),
  lstrip_blocks: bool.default(false),
  newline_sequence: z.enum(["\n", "\r", "\r\n"]).default("\n"),
  output_encoding: z.enum(["utf-8", "utf8", "UTF-8", "UTF8"]).default("utf-8"),
});

/** The template task. */
export const template = defineTask({
  type: "template",
  schema: templateSchema,
  mainParam: "dest",
  check: async (params, ctx) => void await findSource(ctx, params.src, "templates"),
  async read(params, host, ctx): Promise<CopyCurrent> {
    const accounts = Accounts.for(host, params);
    const { owner, group } = await resolveOwnership(params, accounts);
    const fullpath = await findSource(ctx, params.src, "templates");
    const dest = await fileDest(host, params.dest, basename(params.src));
    const dirs = params.dest.endsWith("/") ? await missingDirs(host, params.dest) : [];
    await requireParent(host, dest, dirs);
    const text = await ctx.renderTemplate(fullpath, {
      trimBlocks: params.trim_blocks,
      lstripBlocks: params.lstrip_blocks,
      newlineSequence: params.newline_sequence,
      extraVars: {
        ansible_managed: MANAGED,
        template_path: params.src,
        template_fullpath: fullpath,
        template_destpath: dest,
      },
    });
    const srcMode = params.mode === "preserve" ? (await readSourceFile(fullpath)).mode : undefined;
    const data = new TextEncoder().encode(text);
    return {
      dirs,
      files: [await readTarget(host, dest, data, { follow: params.follow, srcMode, accounts })],
      owner,
      group,
      umask: currentUmask(),
    };
  },
  plan: (params, current) => planContent(params, current),
  apply: applyContent,
  result: contentResult,
});
