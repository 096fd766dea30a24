/** directory: the file task's directory state as its own type, and absent. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { directory } from "../../tasks/directory.ts";
import { runCases } from "../_helpers/run_cases.ts";

const mode = async (p: string) => ((await Deno.stat(p)).mode ?? 0) & 0o7777;

Deno.test("directory converges", async (t) => {
  await runCases(t, directory, [
    {
      name: "create with parents",
      params: { path: "/srv/www/site", mode: "0755" },
      summaries: ["mkdir /srv/www/site (0755)"],
      check: async (real) => assert.equal(await mode(real("/srv/www")), 0o755),
    },
    {
      name: "exists already",
      params: { name: "/srv", mode: "0755" },
      setup: async (root) => {
        await Deno.mkdir(join(root, "srv"));
        await Deno.chmod(join(root, "srv"), 0o755);
      },
      summaries: [],
    },
    {
      name: "state: directory is the same as present",
      params: { dest: "/srv", state: "directory", mode: "2775" },
      setup: (root) => Deno.mkdir(join(root, "srv"), { mode: 0o755 }),
      summaries: [/^chmod 0\d{3} -> 2775 \/srv$/],
      check: async (real) => assert.equal(await mode(real("/srv")), 0o2775),
    },
    {
      name: "recurse",
      params: { path: "/srv", mode: "a+rX", recurse: true },
      setup: async (root) => {
        await Deno.mkdir(join(root, "srv/sub"), { recursive: true });
        await Deno.chmod(join(root, "srv"), 0o700);
        await Deno.chmod(join(root, "srv/sub"), 0o700);
        await Deno.writeTextFile(join(root, "srv/sub/f"), "x");
        await Deno.chmod(join(root, "srv/sub/f"), 0o600);
      },
      summaries: [
        "chmod 0700 -> 0755 /srv",
        "chmod 0700 -> 0755 /srv/sub",
        "chmod 0600 -> 0644 /srv/sub/f",
      ],
    },
    {
      name: "absent",
      params: { path: "/srv", state: "absent" },
      setup: async (root) => {
        await Deno.mkdir(join(root, "srv/sub"), { recursive: true });
        await Deno.writeTextFile(join(root, "srv/sub/f"), "x");
      },
      summaries: ["remove directory /srv recursively"],
    },
    { name: "absent and gone", params: { path: "/srv", state: "absent" }, summaries: [] },
    {
      name: "a file in the way",
      params: { path: "/srv" },
      setup: (root) => Deno.writeTextFile(join(root, "srv"), ""),
      summaries: [],
      throws: /\/srv already exists as a file/,
    },
  ]);
});

Deno.test("directory schema: one path, known states", () => {
  const issue = (p: Record<string, unknown>) =>
    directory.schema.safeParse(p).error?.issues[0]?.message;
  assert.match(issue({})!, /path is required \(aliases: dest, name\)/);
  assert.match(issue({ path: "/a", state: "touch" })!, /Invalid option/);
  assert.match(issue({ path: "/a", recursive: true })!, /recursive|Unrecognized/);
});
