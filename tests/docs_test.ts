/**
 * The docs pages stay true: each page's files (```lang file=PATH blocks) are written to a fresh
 * dir, each ```console block's `$ command` runs there (with `driftless` on PATH) and must print
 * what the page shows. In the page, `/tmp/demo` stands for that dir and `/path/to/driftless` for
 * this checkout; in expected output `…` matches any text within a line, and a line that is only
 * `…` matches any number of lines.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { ROOT } from "./_helpers/cli.ts";

const PAGES = ["apply", "facts", "logs", "agent", "library"];
const DEMO = "/tmp/demo";
const CHECKOUT = "/path/to/driftless";

/** A page's runnable parts, in order. */
type Step =
  | { readonly kind: "file"; readonly path: string; readonly text: string }
  | { readonly kind: "run"; readonly command: string; readonly expected: string[] };

/** The files and commands of a markdown page. */
export function parsePage(markdown: string): Step[] {
  const steps: Step[] = [];
  const fence = /^```(\S*)([^\n]*)\n([\s\S]*?)^```$/gm;
  for (const m of markdown.matchAll(fence)) {
    const [, lang, info, body] = m;
    const file = /\bfile=(\S+)/.exec(info!)?.[1];
    if (file) steps.push({ kind: "file", path: file, text: body! });
    else if (lang === "console") {
      let current: { command: string; expected: string[] } | undefined;
      for (const line of body!.replace(/\n$/, "").split("\n")) {
        if (line.startsWith("$ ")) {
          current = { command: line.slice(2), expected: [] };
          steps.push({ kind: "run", ...current });
        } else current?.expected.push(line);
      }
    }
  }
  return steps;
}

/** True when the output lines match the expected ones (with `…` wildcards). */
export function matches(actual: readonly string[], expected: readonly string[]): boolean {
  const line = (a: string, e: string) =>
    new RegExp(`^${e.split("…").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`)
      .test(a);
  const go = (i: number, j: number): boolean => {
    if (j === expected.length) return i === actual.length;
    if (expected[j] === "…") {
      for (let k = i; k <= actual.length; k++) if (go(k, j + 1)) return true;
      return false;
    }
    return i < actual.length && line(actual[i]!, expected[j]!) && go(i + 1, j + 1);
  };
  return go(0, 0);
}

Deno.test("matches() takes … as any text, and a lone … as any lines", () => {
  assert.ok(matches(["a 1.5 b"], ["a … b"]));
  assert.ok(!matches(["a 1.5 c"], ["a … b"]));
  assert.ok(matches(["x", "1", "2", "y"], ["x", "…", "y"]));
  assert.ok(matches(["x", "y"], ["x", "…", "y"]));
  assert.ok(!matches(["x", "y", "z"], ["x", "y"]));
});

for (const page of PAGES) {
  Deno.test(`docs/${page}.md: its config gives the output it shows`, async () => {
    const markdown = await Deno.readTextFile(join(ROOT, "docs", `${page}.md`));
    const steps = parsePage(markdown);
    assert.ok(steps.some((s) => s.kind === "run"), "the page has commands");
    const dir = await Deno.makeTempDir({ prefix: "driftless-docs-" });
    try {
      const bin = join(dir, ".bin");
      await Deno.mkdir(bin);
      await Deno.writeTextFile(
        join(bin, "driftless"),
        `#!/bin/sh\nexec "${Deno.execPath()}" run -A --quiet --config "${ROOT}/deno.json" "${ROOT}/mod.ts" "$@"\n`,
        { mode: 0o755 },
      );
      const subst = (s: string) => s.replaceAll(DEMO, dir).replaceAll(CHECKOUT, ROOT);
      for (const step of steps) {
        if (step.kind === "file") {
          const path = join(dir, step.path);
          await Deno.mkdir(dirname(path), { recursive: true });
          await Deno.writeTextFile(path, subst(step.text), {
            mode: step.path === "env" ? 0o600 : 0o644,
          });
          continue;
        }
        const out = await new Deno.Command("sh", {
          args: ["-c", `${subst(step.command)} 2>&1`],
          cwd: dir,
          clearEnv: true,
          env: {
            PATH: `${bin}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
            HOME: dir,
            NO_COLOR: "1",
            DRIFTLESS_STATE_DIR: join(dir, ".state"),
            DENO_DIR: Deno.env.get("DENO_DIR") ??
              `${Deno.env.get("HOME") ?? "/root"}/.cache/deno`,
          },
          stdout: "piped",
        }).output();
        const actual = new TextDecoder().decode(out.stdout).replaceAll(dir, DEMO)
          .replace(/\n$/, "").split("\n").map((l) => l.trimEnd());
        const expected = step.expected.map((l) => l.trimEnd());
        assert.ok(
          matches(actual, expected),
          `$ ${step.command}\n--- printed:\n${actual.join("\n")}\n--- the page shows:\n${
            expected.join("\n")
          }`,
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
