/**
 * Unified diffs of planned changes, with file headers, and binary / large-file detection
 * (Ansible does not diff files over 104448 bytes; neither do we).
 *
 * @module
 */
import type { Diff } from "./task.ts";

/** Files larger than this are not diffed (Ansible's MAX_FILE_SIZE_FOR_DIFF). */
export const MAX_DIFF_BYTES = 104448;

/** Lines of context around each change, as Ansible's DIFF_CONTEXT. */
const CONTEXT = 3;

/** True when text looks binary: a NUL byte in the first 8 KiB, as git and Ansible decide. */
export function looksBinary(text: string): boolean {
  return text.slice(0, 8192).includes("\0");
}

/** Renders a change's diff as unified diff text (no trailing newline). */
export async function unifiedDiff(diff: Diff): Promise<string> {
  const before = diff.beforeLabel ?? (diff.path ? `before: ${diff.path}` : "before");
  const after = diff.afterLabel ?? (diff.path ? `after: ${diff.path}` : "after");
  const header = `--- ${before}\n+++ ${after}`;
  if (diff.binary || looksBinary(diff.before) || looksBinary(diff.after)) {
    return `${header}\nBinary files differ`;
  }
  const size = Math.max(byteLength(diff.before), byteLength(diff.after));
  if (size > MAX_DIFF_BYTES) {
    return `${header}\nFile too large to diff (${size} bytes, the limit is ${MAX_DIFF_BYTES})`;
  }
  const { createTwoFilesPatch } = await import("diff");
  const patch = createTwoFilesPatch(before, after, diff.before, diff.after, undefined, undefined, {
    context: CONTEXT,
  });
  // Drop the "=====" banner line; keep the --- / +++ headers and hunks.
  return patch.replace(/^=+\n/, "").trimEnd();
}

function byteLength(s: string): number {
  // UTF-8 never has fewer bytes than UTF-16 code units, so long strings need no encoding.
  return s.length > MAX_DIFF_BYTES ? s.length : new TextEncoder().encode(s).length;
}
