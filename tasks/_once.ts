/**
 * One-shot actions inside converging tasks (`service state: restarted`, `mount state:
 * remounted`): such a step is a change every run, yet the runner re-reads and re-plans after
 * apply to check convergence. The op carries the task's params object as a token; apply marks
 * it done, and the re-read of that same params object (the same task run) sees the action as
 * done, so the re-plan is empty. A new run parses new params, so the action plans again.
 *
 * @module
 */

const done = new WeakSet<object>();

/** Records that the one-shot action of this task run has happened. */
export function markDone(token: object): void {
  done.add(token);
}

/** True when the one-shot action of this task run has already happened. */
export function isDone(token: object): boolean {
  return done.has(token);
}
