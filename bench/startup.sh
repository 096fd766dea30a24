#!/usr/bin/env bash
# Cold start of the CLI beside a bare `deno run` of an empty file, medians in one hyperfine run.
# The CPU column (user + system, mean) moves much less than wall time when other work loads the
# machine; the ratios are of the wall medians.
# Usage: bash bench/startup.sh   (needs hyperfine: apt-get install -y hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/empty.ts"
FLAGS="--no-prompt --allow-env=DRIFTLESS_* --ignore-env --allow-read=."
hyperfine -N --warmup 3 --runs "${RUNS:-20}" --export-json "$tmp/r.json" \
  -n "deno run empty.ts" "deno run $tmp/empty.ts" \
  -n "driftless --help" "deno run $FLAGS mod.ts --help" \
  -n "driftless validate examples/config" "deno run $FLAGS mod.ts --config examples/config validate" >/dev/null
deno eval --quiet '
const r = JSON.parse(Deno.readTextFileSync(Deno.args[0])).results;
const base = r[0].median;
const ms = (s) => (s * 1000).toFixed(1).padStart(6);
for (const x of r) console.log(`${x.command.padEnd(36)} median ${ms(x.median)} ms  (${(x.median / base).toFixed(2)}x bare deno)  cpu ${ms(x.user + x.system)} ms`);
' "$tmp/r.json"
