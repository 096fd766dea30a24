/**
 * JSON Schema for each config file, for editors (`# yaml-language-server: $schema=...`).
 *
 * @module
 */
import * as z from "zod";
import { envelopeShape, type TaskCatalog } from "./apply_schema.ts";
import { type SchemaName, SCHEMAS } from "./schemas.ts";

const OPTIONS = { target: "draft-7", io: "input", unrepresentable: "any" } as const;

/** The JSON Schema of a config file; apply's tasks list each task type's params. */
export function jsonSchema(name: SchemaName, catalog: TaskCatalog): Record<string, unknown> {
  if (name !== "apply") return z.toJSONSchema(SCHEMAS[name], OPTIONS) as Record<string, unknown>;
  const task = z.union(
    catalog.names.filter((n) => n !== "block").map((type) => flatTask(type, catalog)),
  );
  const list = z.array(z.union([task, blockTask(), ansibleStyle()]));
  const role = z.union([z.string(), z.looseObject({ role: z.string() })]).meta({
    description: "a role of roles/: its name, or {role, vars, when, tags, ...role params}",
  });
  const top = z.strictObject({
    vars: z.record(z.string(), z.unknown()).optional(),
    roles: z.array(role).optional(),
    pre_tasks: list.optional(),
    tasks: list.optional(),
    post_tasks: list.optional(),
    handlers: list.optional(),
  }).meta({ title: "driftless apply config" });
  return z.toJSONSchema(top, OPTIONS) as Record<string, unknown>;
}

function flatTask(type: string, catalog: TaskCatalog): z.ZodType {
  const params = catalog.params(type);
  const envelope = { ...envelopeShape, type: z.literal(type) };
  if (params instanceof z.ZodObject) return z.strictObject({ ...envelope, ...params.shape });
  return z.object(envelope).catchall(z.unknown());
}

function blockTask(): z.ZodType {
  const { type: _type, ...envelope } = envelopeShape;
  const tasks = z.array(z.record(z.string(), z.unknown()));
  return z.strictObject({
    ...envelope,
    name: z.string().optional(),
    block: tasks,
    rescue: tasks.optional(),
    always: tasks.optional(),
  });
}

/** `ansible.builtin.copy: {...}` entries: the module key is free, so only the shape is known. */
function ansibleStyle(): z.ZodType {
  return z.record(z.string(), z.unknown()).meta({
    description: "Ansible-style entry: `name:` is the label and one module key holds the params",
  });
}
