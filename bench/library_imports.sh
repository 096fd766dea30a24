#!/usr/bin/env bash
# What each entry point of the library costs: the modules `deno info` counts in its graph (static
# and dynamic imports), and the time to start Deno, import it and (for /template and .) render one
# template; medians of one hyperfine run, beside a bare `deno run` of an empty file.
# Usage: bash bench/library_imports.sh   (needs hyperfine: apt-get install -y hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$(pwd)
: >"$tmp/empty.ts"
declare -A entry=([.]=mod.ts [./apply]=api/apply.ts [./facts]=api/facts.ts [./logs]=api/logs.ts [./template]=api/template.ts [./sinks]=api/sinks.ts)
echo "entry        modules  npm packages it can load"
for name in . ./apply ./facts ./logs ./template ./sinks; do
  deno info --json "${entry[$name]}" | deno eval --quiet '
    const d = JSON.parse(await new Response(Deno.stdin.readable).text());
    const npm = new Set(d.modules.filter((m) => m.specifier.startsWith("npm:"))
      .map((m) => m.specifier.replace(/^npm:\/?/, "").replace(/@[^@/]+$/, "")));
    console.log(`${Deno.args[0].padEnd(12)} ${String(d.modules.length).padStart(7)}  ${npm.size}`);
  ' "$name"
done
for name in . ./apply ./facts ./logs ./template ./sinks; do
  f="$tmp/import_${name//[^a-z]/_}.ts"
  echo "import \"$root/${entry[$name]}\";" >"$f"
done
cat >"$tmp/render_template.ts" <<TS
import { renderTemplate } from "$root/api/template.ts";
await renderTemplate("{{ hosts | join(', ') }}", { hosts: ["a", "b"] });
TS
cat >"$tmp/render_root.ts" <<TS
import { renderTemplate } from "$root/mod.ts";
await renderTemplate("{{ hosts | join(', ') }}", { hosts: ["a", "b"] });
TS
args=(-n "deno run empty.ts" "deno run $tmp/empty.ts")
for name in . ./apply ./facts ./logs ./template ./sinks; do
  args+=(-n "import $name" "deno run -A --config $root/deno.json $tmp/import_${name//[^a-z]/_}.ts")
done
args+=(-n "import ./template + render" "deno run -A --config $root/deno.json $tmp/render_template.ts")
args+=(-n "import . + render" "deno run -A --config $root/deno.json $tmp/render_root.ts")
hyperfine -N --warmup 3 --runs "${RUNS:-15}" --export-json "$tmp/r.json" "${args[@]}" >/dev/null
deno eval --quiet '
const r = JSON.parse(Deno.readTextFileSync(Deno.args[0])).results;
const base = r[0].median;
for (const x of r) console.log(`${x.command.padEnd(28)} median ${(x.median * 1000).toFixed(1).padStart(6)} ms  (+${((x.median - base) * 1000).toFixed(1)} ms over bare deno)`);
' "$tmp/r.json"
