#!/usr/bin/env bash
# metrics_vs_node_exporter.sh - `driftless facts --serve` beside Debian's prometheus-node-exporter
# in one run: scrape latency (median of LAT_N sequential curl scrapes), CPU seconds per scrape
# (utime+stime of each server over CPU_N scrapes), both for full scrapes and for filtered ones
# (collect[]=cpu&collect[]=meminfo), RSS after warm-up, payload size, promtool; open fds of each
# server before and after CHURN_N network devices came and went (as root, in a network
# namespace of its own); then the in-process cost of one facts poll (bench/facts_poll.ts) and
# its child processes.
#
# Needs: deno, curl, prometheus-node-exporter, promtool (Debian "prometheus"), optionally strace,
# and for the fd churn root and iproute2 (skipped otherwise).
# Usage:  bash bench/metrics_vs_node_exporter.sh [OUTDIR]
# Env knobs: LAT_N (50), CPU_N (100 scrapes, 0.2 s apart), POLL_N (200), IDLE_S (20), CHURN_N (100),
#   DL_V8_FLAGS (V8 flags for driftless, e.g. --max-semi-space-size=2 to cap the young generation).
# RSS is reported whole and as its anonymous part: most of the rest of Deno's RSS is its
# executable's code pages (file-backed, shared, reclaimable).
# Only the two servers this script starts are stopped (by pid).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-$(mktemp -d)}"
mkdir -p "$OUT"
LAT_N="${LAT_N:-50}"
CPU_N="${CPU_N:-100}"
POLL_N="${POLL_N:-200}"
CLK_TCK="$(getconf CLK_TCK)"

free_port() { deno eval 'const l = Deno.listen({ hostname: "127.0.0.1", port: 0 }); console.log(l.addr.port); l.close();'; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/{print $2}' "/proc/$1/status"; }
anon_kb() { awk '/^RssAnon:/{print $2}' "/proc/$1/status"; }
median() { sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }

NE_PORT=$(free_port)
DL_PORT=$(free_port)
prometheus-node-exporter --web.listen-address="127.0.0.1:${NE_PORT}" >"$OUT/node_exporter.log" 2>&1 &
NE_PID=$!
CONF_DIR=$(mktemp -d)   # an empty config dir: driftless runs with its defaults, like node_exporter
# shellcheck disable=SC2086
deno run --quiet -A ${DL_V8_FLAGS:+--v8-flags=$DL_V8_FLAGS} mod.ts --config "$CONF_DIR" facts --serve --listen "127.0.0.1:${DL_PORT}" >"$OUT/driftless.log" 2>&1 &
DL_PID=$!
cleanup() {
  kill "$NE_PID" "$DL_PID" 2>/dev/null || true
  wait "$NE_PID" "$DL_PID" 2>/dev/null || true
  rm -rf "$CONF_DIR"
}
trap cleanup EXIT

declare -A URL=([node_exporter]="http://127.0.0.1:${NE_PORT}/metrics" [driftless]="http://127.0.0.1:${DL_PORT}/metrics")
declare -A PID=([node_exporter]="$NE_PID" [driftless]="$DL_PID")
for name in node_exporter driftless; do
  for _ in $(seq 1 200); do curl -sf -o /dev/null "${URL[$name]}" && break; sleep 0.1; done
  curl -sf -o /dev/null "${URL[$name]}" || { echo "$name did not start; see $OUT/$name.log" >&2; exit 1; }
done

declare -A LAT CPU RSS ANON HWM BYTES GZ SERIES PROMTOOL T0 IDLE IDLE_ANON FLAT FCPU FDS0 FDS1
for name in node_exporter driftless; do
  url="${URL[$name]}"
  for _ in 1 2 3 4 5; do curl -sf -o /dev/null "$url"; done  # warm-up
  curl -sf "$url" >"$OUT/$name.prom"
  BYTES[$name]=$(wc -c <"$OUT/$name.prom")
  GZ[$name]=$(curl -sf -H 'Accept-Encoding: gzip' "$url" | wc -c)
  SERIES[$name]=$(grep -v '^#' "$OUT/$name.prom" | grep -vc '^$' || true)
  if promtool check metrics <"$OUT/$name.prom" >"$OUT/$name.promtool.txt" 2>&1; then PROMTOOL[$name]="clean"; else PROMTOOL[$name]="exit $? ($(wc -l <"$OUT/$name.promtool.txt") lint lines)"; fi
  RSS[$name]=$(rss_kb "${PID[$name]}")
  ANON[$name]=$(anon_kb "${PID[$name]}")
done

# Median latency (LAT_N scrapes) and CPU per scrape (CPU_N scrapes, 0.2 s apart) of both servers
# for one query string, into MLAT and MCPU. The two are scraped in turn, so load from other
# processes on the machine hits both alike.
declare -A MLAT MCPU
measure() {
  local query="$1" tag="$2" name
  for name in node_exporter driftless; do : >"$OUT/$name.$tag.latency_ms.txt"; done
  for _ in $(seq 1 "$LAT_N"); do
    for name in node_exporter driftless; do
      { curl -sSf -o /dev/null -w '%{time_total}\n' "${URL[$name]}$query" || echo "scrape of $name failed" >&2; } |
        awk '{printf "%.3f\n", $1*1000}' >>"$OUT/$name.$tag.latency_ms.txt"
    done
  done
  for name in node_exporter driftless; do MLAT[$name]=$(median <"$OUT/$name.$tag.latency_ms.txt"); T0[$name]=$(cpu_ticks "${PID[$name]}"); done
  for _ in $(seq 1 "$CPU_N"); do
    for name in node_exporter driftless; do
      curl -sSf -o /dev/null "${URL[$name]}$query" || echo "scrape of $name failed" >&2
    done
    sleep 0.2
  done
  for name in node_exporter driftless; do
    MCPU[$name]=$(awk -v a="${T0[$name]}" -v b="$(cpu_ticks "${PID[$name]}")" -v hz="$CLK_TCK" -v n="$CPU_N" 'BEGIN{printf "%.2f", 1000*(b-a)/hz/n}')
  done
}
measure "" full
for name in node_exporter driftless; do LAT[$name]=${MLAT[$name]}; CPU[$name]=${MCPU[$name]}; HWM[$name]=$(hwm_kb "${PID[$name]}"); done
# Filtered scrapes, as dashboards that ask for a few collectors send them.
measure '?collect[]=cpu&collect[]=meminfo' filtered
for name in node_exporter driftless; do FLAT[$name]=${MLAT[$name]}; FCPU[$name]=${MCPU[$name]}; done

# Memory once the burst is over (V8 gives heap back when idle; Go keeps a steady heap).
sleep "${IDLE_S:-20}"
for name in node_exporter driftless; do IDLE[$name]=$(rss_kb "${PID[$name]}"); IDLE_ANON[$name]=$(anon_kb "${PID[$name]}"); done

# Same families both ways?
awk '/^# TYPE /{print $3, $4}' "$OUT/node_exporter.prom" | grep '^node_' | sort >"$OUT/ne.types"
awk '/^# TYPE /{print $3, $4}' "$OUT/driftless.prom" | grep '^node_' | sort >"$OUT/dl.types"
MISSING=$(comm -23 "$OUT/ne.types" "$OUT/dl.types" | wc -l)

# Open fds while network devices come and go: both servers in a namespace of their own, each
# scraped after every device added and every device removed.
CHURN_N="${CHURN_N:-100}"
CHURN="skipped (needs root and iproute2)"
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null; then
  NS="dlx-bench-$$"
  ip netns add "$NS"
  ip -n "$NS" link set lo up
  ip netns exec "$NS" prometheus-node-exporter --web.listen-address=127.0.0.1:9100 >"$OUT/ns_node_exporter.log" 2>&1 &
  NNE=$!
  # shellcheck disable=SC2086
  ip netns exec "$NS" deno run --quiet -A mod.ts --config "$CONF_DIR" facts --serve --listen 127.0.0.1:9101 >"$OUT/ns_driftless.log" 2>&1 &
  NDL=$!
  churn_cleanup() { kill "$NNE" "$NDL" 2>/dev/null || true; wait "$NNE" "$NDL" 2>/dev/null || true; ip netns del "$NS" 2>/dev/null || true; }
  nscurl() { ip netns exec "$NS" curl -sf -o /dev/null "$1"; }
  for _ in $(seq 1 200); do nscurl http://127.0.0.1:9100/metrics && nscurl http://127.0.0.1:9101/metrics && break; sleep 0.1; done
  for _ in 1 2 3; do nscurl http://127.0.0.1:9100/metrics; nscurl http://127.0.0.1:9101/metrics; done
  FDS0[node_exporter]=$(ls "/proc/$NNE/fd" | wc -l); FDS0[driftless]=$(ls "/proc/$NDL/fd" | wc -l)
  for i in $(seq 1 "$CHURN_N"); do
    ip -n "$NS" link add "dlx$i" type veth peer name "dlxp$i"
    nscurl http://127.0.0.1:9100/metrics; nscurl http://127.0.0.1:9101/metrics
    ip -n "$NS" link del "dlx$i"
    nscurl http://127.0.0.1:9100/metrics; nscurl http://127.0.0.1:9101/metrics
  done
  FDS1[node_exporter]=$(ls "/proc/$NNE/fd" | wc -l); FDS1[driftless]=$(ls "/proc/$NDL/fd" | wc -l)
  churn_cleanup
  CHURN="done"
fi

# One facts poll in-process, and the child processes it starts.
deno run --quiet -A bench/facts_poll.ts "$POLL_N" >"$OUT/poll.json"
EXECS="n/a (strace not installed)"
if command -v strace >/dev/null; then
  strace -f -qq -e trace=execve,fork,vfork -o "$OUT/poll.strace" deno run --quiet -A bench/facts_poll.ts 20 >/dev/null 2>&1 || true
  # The first execve is deno itself.
  EXECS=$(( $(grep -c 'execve(' "$OUT/poll.strace" || true) - 1 ))
fi

{
  echo "host: $(nproc) cores, kernel $(uname -r); $(prometheus-node-exporter --version 2>&1 | head -1); deno $(deno --version | head -1 | cut -d' ' -f2)${DL_V8_FLAGS:+; driftless --v8-flags=$DL_V8_FLAGS}"
  printf '%-28s %16s %16s %8s\n' "" "node_exporter" "driftless" "ratio"
  row() { printf '%-28s %16s %16s %8s\n' "$1" "$2" "$3" "$(awk -v a="$2" -v b="$3" 'BEGIN{ if (a+0 > 0) printf "%.2fx", b/a; else print "-" }')"; }
  row "scrape latency median (ms)" "${LAT[node_exporter]}" "${LAT[driftless]}"
  row "CPU per scrape (ms)" "${CPU[node_exporter]}" "${CPU[driftless]}"
  row "collect[] latency median (ms)" "${FLAT[node_exporter]}" "${FLAT[driftless]}"
  row "collect[] CPU per scrape (ms)" "${FCPU[node_exporter]}" "${FCPU[driftless]}"
  row "RSS after warm-up (kB)" "${RSS[node_exporter]}" "${RSS[driftless]}"
  row "  of which anonymous (kB)" "${ANON[node_exporter]}" "${ANON[driftless]}"
  row "peak RSS VmHWM (kB)" "${HWM[node_exporter]}" "${HWM[driftless]}"
  row "RSS after ${IDLE_S:-20} s idle (kB)" "${IDLE[node_exporter]}" "${IDLE[driftless]}"
  row "  of which anonymous (kB)" "${IDLE_ANON[node_exporter]}" "${IDLE_ANON[driftless]}"
  row "scrape bytes" "${BYTES[node_exporter]}" "${BYTES[driftless]}"
  row "scrape bytes gzip" "${GZ[node_exporter]}" "${GZ[driftless]}"
  row "series" "${SERIES[node_exporter]}" "${SERIES[driftless]}"
  if [ "$CHURN" = done ]; then
    row "open fds before churn" "${FDS0[node_exporter]}" "${FDS0[driftless]}"
    row "open fds after $CHURN_N devices" "${FDS1[node_exporter]}" "${FDS1[driftless]}"
  else
    echo "fd churn: $CHURN"
  fi
  echo "promtool: node_exporter ${PROMTOOL[node_exporter]}; driftless ${PROMTOOL[driftless]}"
  echo "node_* families (name+type) node_exporter has and driftless lacks: $MISSING (see $OUT/ne.types, dl.types)"
  echo "facts poll (in-process, n=$POLL_N): $(cat "$OUT/poll.json")"
  echo "child processes started by the poll bench (after deno itself): $EXECS"
  echo "latency: $LAT_N sequential curl scrapes each, alternating; CPU: $CPU_N scrapes each, 0.2 s apart; output in $OUT"
} | tee "$OUT/summary.txt"
