/**
 * `yum` (ansible.builtin.yum): the dnf task's parameters (plus `use_backend`), run with the
 * `yum` command, which is dnf on EL 8 and later.
 *
 * @module
 */
import { rpmTask } from "./dnf.ts";

/** The yum task. */
export const yum = rpmTask("yum");
