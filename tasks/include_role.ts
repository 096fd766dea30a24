/**
 * `include_role` and `import_role`: run a role of `roles/` as a task. `include_role` is
 * dynamic (loaded when the run reaches it; `apply:` gives its tasks keywords; `public: true`
 * keeps its vars visible afterwards); `import_role` is static (the loader puts the role in
 * place, and its vars are visible to the whole play, as with `roles:`).
 *
 * @module
 */
import * as z from "zod";
import { defineRunnerTask } from "../lib/apply/task.ts";
import { bool } from "./_attrs.ts";

const shape = {
  name: z.string().min(1),
  tasks_from: z.string().min(1).optional(),
  vars_from: z.string().min(1).optional(),
  defaults_from: z.string().min(1).optional(),
  handlers_from: z.string().min(1).optional(),
  allow_duplicates: bool.optional(),
  rolespec_validate: bool.optional(),
};

/** The include_role task. */
export const includeRole = defineRunnerTask({
  type: "include_role",
  schema: z.strictObject({
    ...shape,
    public: bool.default(false),
    apply: z.record(z.string(), z.unknown()).optional(),
  }),
  mainParam: "name",
  evaluate(p) {
    return Promise.resolve({
      includeRole: {
        name: p.name,
        public: p.public,
        ...(p.tasks_from ? { tasksFrom: p.tasks_from } : {}),
        ...(p.vars_from ? { varsFrom: p.vars_from } : {}),
        ...(p.defaults_from ? { defaultsFrom: p.defaults_from } : {}),
        ...(p.handlers_from ? { handlersFrom: p.handlers_from } : {}),
      },
    });
  },
});

/** The import_role task. */
export const importRole = defineRunnerTask({
  type: "import_role",
  schema: z.strictObject(shape),
  mainParam: "name",
  evaluate: () => Promise.reject(new Error("import_role is expanded when the config is loaded")),
});
