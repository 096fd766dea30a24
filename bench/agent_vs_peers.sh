#!/usr/bin/env bash
# agent_vs_peers.sh - `driftless agent` beside the peers doing the same jobs, side by side in
# one window:
#   driftless agent : facts every 15 s and served on /metrics, one log pipeline (file -> file),
#                     apply of 50 tasks every 60 s
#   peers           : prometheus-node-exporter, rsyslog imfile -> omfile (its own rsyslogd), and
#                     `ansible-playbook -c local` of the same 50 tasks from a shell loop, every 60 s
# A writer appends RATE lines/s to the log file both shippers follow; a scraper fetches both
# /metrics every 15 s, as Prometheus would, and once a second while an agent apply runs.
#
# Reports: RSS every 10 s for each (the agent's own process; its apply children separately),
# CPU seconds used over the window (children included: apply runs, ansible-playbook runs),
# scrape latency idle and during an apply run, and the ratios.
#
# Needs: deno, curl, prometheus-node-exporter, rsyslog, ansible-core.
# Usage:  bash bench/agent_vs_peers.sh [OUTDIR]      Env: DURATION (600 s), RATE (200 lines/s)
# Only the processes this script starts are stopped (by pid).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-$(mktemp -d -t driftless-agent-bench.XXXXXX)}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
DURATION="${DURATION:-600}"
RATE="${RATE:-200}"
TASKS=50
CLK_TCK="$(getconf CLK_TCK)"
for tool in deno curl prometheus-node-exporter rsyslogd ansible-playbook; do
  command -v "$tool" >/dev/null || { echo "$tool not found" >&2; exit 1; }
done
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_LOCALHOST_WARNING=False \
  ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_DEPRECATION_WARNINGS=False
export DENO_DIR="${DENO_DIR:-$HOME/.cache/deno}"

free_port() { deno eval 'const l = Deno.listen({ hostname: "127.0.0.1", port: 0 }); console.log(l.addr.port); l.close();'; }
rss_kb() { awk '/^VmRSS:/{r=$2} END{print r+0}' "/proc/$1/status" 2>/dev/null || echo 0; }
# utime+stime of a process and of its waited-for children (apply runs, playbook runs).
cpu_ticks() { awk '{print $14+$15+$16+$17}' "/proc/$1/stat" 2>/dev/null || echo 0; }
tree_rss_kb() { # a process and all its descendants
  local total=0 todo=("$1") p
  while [ ${#todo[@]} -gt 0 ]; do
    p=${todo[0]}
    todo=("${todo[@]:1}")
    total=$((total + $(rss_kb "$p")))
    # shellcheck disable=SC2207
    todo+=($(pgrep -P "$p" 2>/dev/null || true))
  done
  echo "$total"
}
median() { sort -g | awk '{a[NR]=$1} END{ if (NR==0) print "n/a"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }

mkdir -p "$OUT"/{cfg,dl,ans,logs,shipped,state,rsyslog,home}
chmod 700 "$OUT/state"
LOG="$OUT/logs/app.log"
: >"$LOG"
DL_PORT=$(free_port)
NE_PORT=$(free_port)

# --- the same 50 tasks for both: 20 directories, 20 files, 10 lineinfile edits
{
  echo "tasks:"
  for i in $(seq 1 20); do echo "  - {type: directory, path: \"$OUT/dl/d$i\", mode: \"0755\"}"; done
  for i in $(seq 1 20); do echo "  - {type: copy, dest: \"$OUT/dl/d$i/f.txt\", content: \"line $i\\n\", mode: \"0644\"}"; done
  for i in $(seq 1 10); do echo "  - {type: lineinfile, path: \"$OUT/dl/d$i/g.txt\", line: \"extra $i\", create: true}"; done
} >"$OUT/cfg/apply.yml"
{
  echo "- hosts: localhost"
  echo "  gather_facts: false"
  echo "  tasks:"
  for i in $(seq 1 20); do echo "    - ansible.builtin.file: {path: \"$OUT/ans/d$i\", state: directory, mode: \"0755\"}"; done
  for i in $(seq 1 20); do echo "    - ansible.builtin.copy: {dest: \"$OUT/ans/d$i/f.txt\", content: \"line $i\\n\", mode: \"0644\"}"; done
  for i in $(seq 1 10); do echo "    - ansible.builtin.lineinfile: {path: \"$OUT/ans/d$i/g.txt\", line: \"extra $i\", create: true}"; done
} >"$OUT/site.yml"
cat >"$OUT/cfg/agent.yml" <<EOF
apply: { interval: 60s, splay: 0s, run_on_start: true }
audit: { dir: $OUT/state/audit }
EOF
cat >"$OUT/cfg/facts.yml" <<EOF
serve: { listen: "127.0.0.1:$DL_PORT" }
interval: 15s
thresholds:
  - { name: load, metric: node_load1, warn: 100 }
EOF
cat >"$OUT/cfg/logs.yml" <<EOF
state_dir: $OUT/state/logs
sources:
  - { name: app, paths: ["$LOG"], outputs: [out] }
outputs:
  - { name: out, type: file, path: "$OUT/shipped/{source}.ndjson" }
EOF
cat >"$OUT/rsyslog/rsyslog.conf" <<EOF
global(workDirectory="$OUT/rsyslog")
module(load="imfile" mode="inotify")
template(name="rawline" type="string" string="%msg%\n")
ruleset(name="bench") {
  action(type="omfile" file="$OUT/rsyslog/out.log" template="rawline")
}
input(type="imfile" File="$LOG" Tag="bench:" ruleset="bench" addMetadata="off")
EOF

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap "exit 1" INT TERM

# As the systemd unit and the compiled binary run it (a 1 MB young generation).
HOME="$OUT/home" deno run --quiet -A --v8-flags=--max-semi-space-size=1 mod.ts --config "$OUT/cfg" \
  agent --state-dir "$OUT/state" \
  >"$OUT/agent.log" 2>&1 &
DL_PID=$!; PIDS+=("$DL_PID")
prometheus-node-exporter --web.listen-address="127.0.0.1:$NE_PORT" >"$OUT/node_exporter.log" 2>&1 &
NE_PID=$!; PIDS+=("$NE_PID")
rsyslogd -n -f "$OUT/rsyslog/rsyslog.conf" -i "$OUT/rsyslog/rsyslogd.pid" >"$OUT/rsyslog.log" 2>&1 &
RS_PID=$!; PIDS+=("$RS_PID")
bash -c "while :; do ansible-playbook -i localhost, -c local '$OUT/site.yml' >>'$OUT/ansible.log' 2>&1; sleep 60; done" &
AN_PID=$!; PIDS+=("$AN_PID")
# The writer: RATE numbered lines a second.
bash -c "i=0; while :; do for _ in \$(seq 1 $RATE); do echo \"\$(date -u +%FT%TZ) app seq=\$i msg=hello\"; i=\$((i+1)); done >>'$LOG'; sleep 1; done" &
WR_PID=$!; PIDS+=("$WR_PID")

DL_URL="http://127.0.0.1:$DL_PORT"
for _ in $(seq 1 300); do curl -sf -o /dev/null "$DL_URL/metrics" && break; sleep 0.2; done
curl -sf -o /dev/null "$DL_URL/metrics" || { echo "the agent did not start; see $OUT/agent.log" >&2; exit 1; }
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$NE_PORT/metrics" && break; sleep 0.1; done

declare -A CPU0
for n in agent:$DL_PID node_exporter:$NE_PID rsyslog:$RS_PID ansible:$AN_PID; do CPU0[${n%%:*}]=$(cpu_ticks "${n#*:}"); done
scrape() { curl -s -o /dev/null -w '%{time_total}\n' "$1"; }
# /status is indented JSON: jobs.apply sits at four spaces, the top-level "apply" at two.
applying() { curl -sf "$DL_URL/status" | grep -A1 '^    "apply": {' | grep -q '"running": true'; }
echo "t_s agent_rss_kb agent_apply_child_kb node_exporter_rss_kb rsyslog_rss_kb ansible_tree_rss_kb" >"$OUT/rss.txt"
: >"$OUT/lat_idle.txt"; : >"$OUT/lat_apply.txt"; : >"$OUT/lat_ne.txt"
start=$(date +%s)
next_rss=0; next_scrape=0
while :; do
  t=$(( $(date +%s) - start ))
  [ "$t" -ge "$DURATION" ] && break
  if [ "$t" -ge "$next_rss" ]; then
    child=$(( $(tree_rss_kb "$DL_PID") - $(rss_kb "$DL_PID") ))
    echo "$t $(rss_kb "$DL_PID") $child $(rss_kb "$NE_PID") $(rss_kb "$RS_PID") $(tree_rss_kb "$AN_PID")" >>"$OUT/rss.txt"
    next_rss=$((next_rss + 10))
  fi
  if applying; then
    scrape "$DL_URL/metrics" >>"$OUT/lat_apply.txt"
  elif [ "$t" -ge "$next_scrape" ]; then
    scrape "$DL_URL/metrics" >>"$OUT/lat_idle.txt"
    scrape "http://127.0.0.1:$NE_PORT/metrics" >>"$OUT/lat_ne.txt"
    next_scrape=$((next_scrape + 15))
  fi
  sleep 1
done

declare -A CPU
for n in agent:$DL_PID node_exporter:$NE_PID rsyslog:$RS_PID ansible:$AN_PID; do
  CPU[${n%%:*}]=$(awk -v a="${CPU0[${n%%:*}]}" -v b="$(cpu_ticks "${n#*:}")" -v t="$CLK_TCK" 'BEGIN{printf "%.2f", (b-a)/t}')
done
col() { awk -v c="$1" 'NR>1{print $c}' "$OUT/rss.txt"; }
stats() { sort -g | awk '{a[NR]=$1} END{printf "%.1f / %.1f / %.1f MB", a[1]/1024, a[int((NR+1)/2)]/1024, a[NR]/1024}'; }
shipped=$(wc -l <"$OUT/shipped/app.ndjson" 2>/dev/null || echo 0)
rsyslog_lines=$(wc -l <"$OUT/rsyslog/out.log" 2>/dev/null || echo 0)
written=$(wc -l <"$LOG")
{
  echo "# agent_vs_peers: ${DURATION}s, $TASKS apply tasks every 60 s, facts every 15 s, $RATE log lines/s; $(nproc) cores"
  echo "# $(deno --version | head -1); $(ansible-playbook --version | head -1); $(rsyslogd -v | head -1 | cut -c1-40)"
  echo
  echo "RSS over the window (min / median / max), sampled every 10 s:"
  printf '  %-34s %s\n' "driftless agent (its own process)" "$(col 2 | stats)"
  printf '  %-34s %s\n' "driftless apply child (when running)" "$(col 3 | awk '$1>0' | stats 2>/dev/null || echo none)"
  printf '  %-34s %s\n' "node_exporter" "$(col 4 | stats)"
  printf '  %-34s %s\n' "rsyslogd" "$(col 5 | stats)"
  printf '  %-34s %s\n' "ansible loop (bash + playbook tree)" "$(col 6 | stats)"
  echo "  agent RSS first -> last sample: $(col 2 | head -1 | awk '{printf "%.1f", $1/1024}') -> $(col 2 | tail -1 | awk '{printf "%.1f", $1/1024}') MB"
  echo
  peers=$(awk -v a="${CPU[node_exporter]}" -v b="${CPU[rsyslog]}" -v c="${CPU[ansible]}" 'BEGIN{printf "%.2f", a+b+c}')
  echo "CPU seconds over the window (children included):"
  printf '  %-20s %8s s\n' "driftless agent" "${CPU[agent]}" node_exporter "${CPU[node_exporter]}" rsyslogd "${CPU[rsyslog]}" "ansible loop" "${CPU[ansible]}" "peers' sum" "$peers"
  awk -v a="${CPU[agent]}" -v p="$peers" 'BEGIN{printf "  ratio agent / peers'"'"' sum: %.3f\n", a/p}'
  echo
  echo "Scrape latency (median, seconds):"
  printf '  %-36s %s (n=%s)\n' "driftless /metrics, idle" "$(median <"$OUT/lat_idle.txt")" "$(wc -l <"$OUT/lat_idle.txt")"
  printf '  %-36s %s (n=%s)\n' "driftless /metrics, during apply" "$(median <"$OUT/lat_apply.txt")" "$(wc -l <"$OUT/lat_apply.txt")"
  printf '  %-36s %s (n=%s)\n' "node_exporter /metrics" "$(median <"$OUT/lat_ne.txt")" "$(wc -l <"$OUT/lat_ne.txt")"
  echo
  echo "Log lines: written $written, shipped by driftless $shipped, by rsyslog $rsyslog_lines"
  echo "Apply runs: driftless $(curl -sf "$DL_URL/metrics" | awk '/^driftless_apply_runs_total\{result="success"\}/{print $2}') successful; ansible-playbook $(grep -c '^PLAY RECAP' "$OUT/ansible.log" || true)"
} | tee "$OUT/summary.txt"
echo "(details in $OUT)"
