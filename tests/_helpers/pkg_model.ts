/**
 * Command tables for apt and apk: a model of the package database (installed and available
 * versions) answering the manager's queries and updated by its install, upgrade and remove
 * commands, for `ScriptedHost`. apt also runs for real in the Debian root (apt_test.ts); apk
 * has no real binary on Debian, so this model is all its tests have. dnf, yum, zypper and
 * pacman are tested against the real tools (tests/_helpers/pkg_root.ts).
 *
 * @module
 */
import type { Rule } from "./scripted_host.ts";

/** A package database the rules read and change. */
export interface PkgModel {
  readonly installed: Record<string, string>;
  readonly available: Record<string, string>;
  readonly rules: Rule[];
}

function operands(args: readonly string[], verb: string): string[] {
  const i = args.indexOf(verb);
  return args.slice(i + 1).filter((a) => !a.startsWith("-"));
}

function installAll(
  m: { installed: Record<string, string>; available: Record<string, string> },
  specs: string[],
  sep: RegExp,
) {
  for (const spec of specs) {
    const [name, version] = spec.split(sep) as [string, string | undefined];
    m.installed[name] = version ?? m.available[name] ?? "1.0";
  }
}

/** The model for one manager. */
export function pkgModel(
  manager: "apt" | "apk",
  installed: Record<string, string>,
  available: Record<string, string>,
): PkgModel {
  const m = { installed: { ...installed }, available: { ...available } };
  const has = (n: string) => n in m.installed;
  const rules: Rule[] = [];
  switch (manager) {
    case "apt":
      rules.push(
        {
          match: /^dpkg-query -W /,
          reply: (c) => {
            const names = c.args.slice(3);
            return {
              stdout: names.filter(has).map((n) => `${n}\tamd64\t${m.installed[n]}\tii \n`).join(
                "",
              ),
              code: names.every(has) ? 0 : 1,
            };
          },
        },
        {
          match: /^apt-cache policy /,
          reply: (c) => ({
            stdout: c.args.slice(2).filter((n) => n in m.available || has(n)).map((n) =>
              `${n}:\n  Installed: ${m.installed[n] ?? "(none)"}\n  Candidate: ${
                m.available[n] ?? "(none)"
              }\n  Version table:\n`
            ).join(""),
          }),
        },
        { match: /^apt-get update/ },
        {
          match: /^apt-get .* install /,
          reply: (c) => installAll(m, operands(c.args, "install"), /=/),
        },
        {
          match: /^apt-get .* (remove|purge) /,
          reply: (c) => {
            for (const n of operands(c.args, c.args.includes("purge") ? "purge" : "remove")) {
              delete m.installed[n];
            }
          },
        },
      );
      break;
    case "apk":
      rules.push(
        {
          match: "apk info -v",
          reply: () => ({
            stdout: Object.entries(m.installed).map(([n, v]) => `${n}-${v}\n`).join(""),
          }),
        },
        {
          match: "apk version -l '<'",
          reply: () => ({
            stdout: "Installed:                                Available:\n" +
              Object.keys(m.installed).filter((n) =>
                m.available[n] && m.available[n] !== m.installed[n]
              )
                .map((n) => `${n}-${m.installed[n]}  < ${m.available[n]}\n`).join(""),
          }),
        },
        { match: "apk update" },
        {
          match: /^apk add /,
          reply: (c) => installAll(m, c.args.slice(1).filter((a) => !a.startsWith("-")), /=/),
        },
        { match: /^apk del /, reply: (c) => c.args.slice(1).forEach((n) => delete m.installed[n]) },
      );
      break;
  }
  return { ...m, rules };
}

/** The program each manager is detected by. */
export const PROGRAM: Record<string, string> = {
  apt: "/usr/bin/apt-get",
  apk: "/sbin/apk",
};
