/**
 * Command tables for the package managers: a model of the package database (installed and
 * available versions) answering each manager's queries and updated by its install, upgrade and
 * remove commands, for `ScriptedHost`.
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
  manager: "apt" | "dnf" | "yum" | "zypper" | "pacman" | "apk",
  installed: Record<string, string>,
  available: Record<string, string>,
): PkgModel {
  const m = { installed: { ...installed }, available: { ...available } };
  const has = (n: string) => n in m.installed;
  const rules: Rule[] = [];
  const rpmQuery: Rule = {
    match: /^rpm -q /,
    reply: (c) => {
      const names = c.args.slice(3);
      return {
        stdout: names.map((n) =>
          has(n) ? `${n}\t${m.installed[n]}\n` : `package ${n} is not installed\n`
        ).join(""),
        code: names.some((n) => !has(n)) ? 1 : 0,
      };
    },
  };
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
    case "dnf":
    case "yum":
      rules.push(
        rpmQuery,
        {
          match: new RegExp(`^${manager} -q check-update`),
          reply: (c) => {
            const ups = c.args.slice(2).filter((n) =>
              has(n) && m.available[n] && m.available[n] !== m.installed[n]
            );
            return {
              stdout: ups.map((n) => `${n}.x86_64  ${m.available[n]}  updates\n`).join(""),
              code: ups.length > 0 ? 100 : 0,
            };
          },
        },
        { match: new RegExp(`^${manager} -q makecache`) },
        {
          match: new RegExp(`^${manager} -y .*install `),
          reply: (c) => {
            for (const spec of operands(c.args, "install")) {
              const name = Object.keys(m.available).find((n) =>
                spec === n || spec.startsWith(`${n}-`)
              ) ?? spec;
              m.installed[name] = spec === name
                ? m.available[name] ?? "1.0"
                : spec.slice(name.length + 1);
            }
          },
        },
        {
          match: new RegExp(`^${manager} -y .*upgrade `),
          reply: (c) => installAll(m, operands(c.args, "upgrade"), /=/),
        },
        {
          match: new RegExp(`^${manager} -y .*remove `),
          reply: (c) => operands(c.args, "remove").forEach((n) => delete m.installed[n]),
        },
      );
      break;
    case "zypper":
      rules.push(
        rpmQuery,
        {
          match: /^zypper --non-interactive --quiet list-updates/,
          reply: () => ({
            stdout: "S | Repository | Name | Current Version | Available Version | Arch\n" +
              Object.keys(m.installed).filter((n) =>
                m.available[n] && m.available[n] !== m.installed[n]
              )
                .map((n) =>
                  `v | repo-oss | ${n} | ${m.installed[n]} | ${m.available[n]} | x86_64\n`
                ).join(""),
          }),
        },
        { match: /^zypper --non-interactive refresh/ },
        {
          match: /^zypper --non-interactive install /,
          reply: (c) => installAll(m, operands(c.args, "install"), /=/),
        },
        {
          match: /^zypper --non-interactive update /,
          reply: (c) => installAll(m, operands(c.args, "update"), /=/),
        },
        {
          match: /^zypper --non-interactive remove /,
          reply: (c) => operands(c.args, "remove").forEach((n) => delete m.installed[n]),
        },
      );
      break;
    case "pacman":
      rules.push(
        {
          match: /^pacman -Q /,
          reply: (c) => ({
            stdout: c.args.slice(1).filter(has).map((n) => `${n} ${m.installed[n]}\n`).join(""),
            stderr: c.args.slice(1).filter((n) => !has(n)).map((n) =>
              `error: package '${n}' was not found\n`
            ).join(""),
            code: c.args.slice(1).every(has) ? 0 : 1,
          }),
        },
        {
          match: /^pacman -Qu /,
          reply: (c) => ({
            stdout: c.args.slice(1).filter((n) =>
              has(n) && m.available[n] && m.available[n] !== m.installed[n]
            )
              .map((n) => `${n} ${m.installed[n]} -> ${m.available[n]}\n`).join(""),
          }),
        },
        { match: /^pacman -Sy$/ },
        {
          match: /^pacman -S --noconfirm /,
          reply: (c) => installAll(m, c.args.slice(2).filter((a) => !a.startsWith("-")), /=/),
        },
        {
          match: /^pacman -R --noconfirm /,
          reply: (c) =>
            c.args.slice(2).filter((a) => !a.startsWith("-")).forEach((n) => delete m.installed[n]),
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
  dnf: "/usr/bin/dnf",
  yum: "/usr/bin/yum",
  zypper: "/usr/bin/zypper",
  pacman: "/usr/bin/pacman",
  apk: "/sbin/apk",
};
