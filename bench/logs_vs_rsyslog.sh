#!/usr/bin/env bash
# logs_vs_rsyslog.sh - driftless logs (file -> file sink) beside rsyslog imfile -> omfile, in one
# run, on the same 1,000,000-line file (the synthetic log of ../shared/bench/logs_baseline.sh):
# lines/s, CPU seconds, peak RSS, and the ratio.
#
# Both start with the file complete ("catch-up"), both write the raw lines to a file, and the
# output is checked byte for byte. driftless runs `logs --once`: its time runs from process start
# to exit, so it includes start-up, the final fdatasync and the checkpoint save (it fsyncs every
# batch before acknowledging it; rsyslog's omfile does not fsync by default).
#
# Needs: deno, rsyslog (apt-get install rsyslog), mawk. Usage: bash bench/logs_vs_rsyslog.sh [OUTDIR]
# Env: N (1000000 lines), RUNS (3; the median is reported), SEED (42), TIMEOUT (300 s).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-$(mktemp -d)}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
N="${N:-1000000}"
RUNS="${RUNS:-3}"
SEED="${SEED:-42}"
TIMEOUT="${TIMEOUT:-300}"
CLK_TCK="$(getconf CLK_TCK)"
SRC="$OUT/src.log"
SUMMARY="$OUT/summary.txt"
: >"$SUMMARY"

now() { date +%s.%N; }
say() { echo "$*" | tee -a "$SUMMARY"; }
median() { sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }

# ---------------------------------------------------------------- the synthetic log (same as the baseline)
mawk -v n="$N" -v seed="$SEED" 'BEGIN {
  srand(seed);
  split("GET POST PUT DELETE GET GET", M, " ");
  split("INFO INFO INFO WARN ERROR DEBUG", L, " ");
  split("200 200 200 201 204 301 404 500", S, " ");
  split("Mozilla/5.0 (X11; Linux x86_64)|curl/7.88.1|Go-http-client/1.1|python-requests/2.31.0", U, "|");
  for (i = 1; i <= n; i++) {
    s = int(i / 100);
    printf "2024-05-01T%02d:%02d:%02d.%06dZ web-%02d api[%d]: seq=%07d level=%s method=%s path=/api/v1/items/%d status=%s bytes=%d latency_ms=%d ua=\"%s\" trace=%08x%08x\n",
      int(s / 3600) % 24, int(s / 60) % 60, s % 60, (i * 7919) % 1000000, int(rand() * 16), 1000 + int(rand() * 30000),
      i, L[1 + int(rand() * 6)], M[1 + int(rand() * 6)], int(rand() * 1000000), S[1 + int(rand() * 8)],
      int(rand() * 65536), int(rand() * 2000), U[1 + int(rand() * 4)], int(rand() * 2147483647), int(rand() * 2147483647);
  } }' >"$SRC"
SRC_BYTES=$(stat -c %s "$SRC")
say "host: $(nproc) cores, kernel $(uname -r), $(deno --version | head -1), rsyslogd $(rsyslogd -v | head -1 | awk '{print $2}')"
say "input: $N lines, $SRC_BYTES bytes (avg $((SRC_BYTES / N)) B/line); median of $RUNS runs each, alternating"
cat "$SRC" >/dev/null

wait_size() { # $1=file $2=bytes $3=t0 -> seconds
  local f="$1" want="$2" t0="$3" sz
  while :; do
    sz=$(stat -c %s "$f" 2>/dev/null || echo 0)
    [ "$sz" -ge "$want" ] && break
    if awk -v a="$t0" -v b="$(now)" -v t="$TIMEOUT" 'BEGIN{exit !(b-a>t)}'; then
      echo "TIMEOUT waiting for $f ($sz of $want bytes)" >&2; break; fi
    sleep 0.01
  done
  awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}'
}

run_rsyslog() { # prints "seconds cpu_seconds hwm_kB"
  local d="$OUT/rsyslog"
  rm -rf "$d"; mkdir -p "$d/work"; cp "$SRC" "$d/in.log"
  cat >"$d/rsyslog.conf" <<EOF
global(workDirectory="$d/work" maxMessageSize="64k")
module(load="imfile" mode="inotify")
template(name="rawline" type="string" string="%rawmsg%\n")
ruleset(name="bench") { action(type="omfile" file="$d/out.log" template="rawline") }
input(type="imfile" File="$d/in.log" Tag="bench:" ruleset="bench" addMetadata="off")
EOF
  sync
  local t0; t0=$(now)
  rsyslogd -n -f "$d/rsyslog.conf" -i "$d/rsyslogd.pid" >"$d/stderr" 2>&1 &
  local pid=$!
  local el; el=$(wait_size "$d/out.log" "$SRC_BYTES" "$t0")
  local cpu hwm
  cpu=$(awk -v hz="$CLK_TCK" '{printf "%.2f", ($14+$15)/hz}' "/proc/$pid/stat")
  hwm=$(awk '/^VmHWM:/{print $2}' "/proc/$pid/status")
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  cmp -s "$SRC" "$d/out.log" || echo "rsyslog output differs from the input" >&2
  rm -rf "$d"
  echo "$el $cpu $hwm"
}

run_driftless() { # prints "seconds cpu_seconds hwm_kB"
  local d="$OUT/driftless"
  rm -rf "$d"; mkdir -p "$d/config" "$d/logs"; cp "$SRC" "$d/logs/in.log"
  cat >"$d/config/logs.yml" <<EOF
state_dir: $d/state
sources:
  - name: bench
    paths: ["$d/logs/in.log"]
    outputs: [out]
outputs:
  - name: out
    type: file
    path: $d/out.log
    format: raw
EOF
  sync
  local line
  line=$( { /usr/bin/time -f "TIME %e %U %S %M" deno run --quiet -A "$ROOT/mod.ts" --config "$d/config" \
    logs --once >/dev/null 2>"$d/stderr"; } 2>&1 | grep '^TIME' || true)
  [ -n "$line" ] || line=$(grep '^TIME' "$d/stderr" | tail -1)
  cmp -s "$SRC" "$d/out.log" || { echo "driftless output differs from the input" >&2; cat "$d/stderr" >&2; }
  rm -rf "$d"
  echo "$line" | awk '{printf "%s %.2f %s\n", $2, $3 + $4, $5}'
}

# Warm-up (Deno's code cache, page cache), not counted.
run_driftless >/dev/null

: >"$OUT/rsyslog.runs"; : >"$OUT/driftless.runs"
for i in $(seq 1 "$RUNS"); do
  run_rsyslog >>"$OUT/rsyslog.runs"
  run_driftless >>"$OUT/driftless.runs"
done

report() { # $1=label $2=runs file -> prints a line, sets globals
  local label="$1" f="$2"
  local s cpu hwm
  s=$(awk '{print $1}' "$f" | median); cpu=$(awk '{print $2}' "$f" | median); hwm=$(awk '{print $3}' "$f" | median)
  awk -v l="$label" -v s="$s" -v c="$cpu" -v h="$hwm" -v n="$N" -v b="$SRC_BYTES" \
    'BEGIN{printf "%-34s %7.3f s  %9.0f lines/s  %6.1f MB/s  CPU %5.2f s  peak RSS %6.1f MB\n", l, s, n/s, b/s/1e6, c, h/1024}' | tee -a "$SUMMARY" >&2
  echo "$s $cpu $hwm"
}
say ""
say "== catch-up: 1 file -> 1 file, raw lines (runs: $(tr '\n' ';' <"$OUT/rsyslog.runs") / $(tr '\n' ';' <"$OUT/driftless.runs"))"
R=$(report "rsyslogd imfile -> omfile" "$OUT/rsyslog.runs")
D=$(report "driftless logs --once (file sink)" "$OUT/driftless.runs")
read -r rs rc rh <<<"$R"
read -r ds dc dh <<<"$D"
say ""
awk -v rs="$rs" -v ds="$ds" -v rc="$rc" -v dc="$dc" -v rh="$rh" -v dh="$dh" \
  'BEGIN{printf "ratio driftless/rsyslog: %.2fx lines/s, %.2fx CPU seconds, %.2fx peak RSS\n", rs/ds, dc/rc, dh/rh}' | tee -a "$SUMMARY"
rm -f "$SRC"
say "results in $OUT"
