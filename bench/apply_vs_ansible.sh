#!/usr/bin/env bash
# The same N `directory` + N `copy` tasks as a driftless config and as an Ansible playbook
# (-c local, gather_facts: false): converge, no-change and dry-run times for both, in one run,
# and the ratio. Usage: N=100 bash bench/apply_vs_ansible.sh   (needs ansible-core)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100}
WORK=$(mktemp -d -t driftless-apply-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
command -v ansible-playbook >/dev/null || { echo "ansible-playbook not found (apt-get install ansible-core)" >&2; exit 1; }
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_LOCALHOST_WARNING=False \
  ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_DEPRECATION_WARNINGS=False

mkdir -p "$WORK/ans" "$WORK/dl" "$WORK/cfg" "$WORK/home"
{
  echo "- hosts: localhost"
  echo "  gather_facts: false"
  echo "  tasks:"
  for i in $(seq 1 "$N"); do
    echo "    - ansible.builtin.file: {path: \"$WORK/ans/d$i\", state: directory, mode: \"0755\"}"
  done
  for i in $(seq 1 "$N"); do
    echo "    - ansible.builtin.copy: {dest: \"$WORK/ans/d$i/f.txt\", content: \"line $i\\n\", mode: \"0644\"}"
  done
} >"$WORK/site.yml"
{
  echo "tasks:"
  for i in $(seq 1 "$N"); do
    echo "  - {type: directory, path: \"$WORK/dl/d$i\", mode: \"0755\"}"
  done
  for i in $(seq 1 "$N"); do
    echo "  - {type: copy, dest: \"$WORK/dl/d$i/f.txt\", content: \"line $i\\n\", mode: \"0644\"}"
  done
} >"$WORK/cfg/apply.yml"

secs() { # command... -> wall seconds
  local s e
  s=$(date +%s.%N)
  "$@" >"$WORK/last.log" 2>&1 || { cat "$WORK/last.log" >&2; return 1; }
  e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }'
}
# HOME moves (lock, audit log); the npm cache must not.
export DENO_DIR="${DENO_DIR:-$HOME/.cache/deno}"
dl() { HOME="$WORK/home" deno run -A mod.ts --config "$WORK/cfg" "$@"; }
ans() { ansible-playbook -i localhost, -c local "$WORK/site.yml" "$@"; }

echo "# $((2 * N)) tasks; $(ansible-playbook --version | head -1); $(deno --version | head -1); $(nproc) cores"
printf '%-10s %12s %12s %9s\n' run driftless_s ansible_s ratio
for run in converge no-change dry-run; do
  case $run in
    dry-run) d=$(secs dl apply --dry-run); a=$(secs ans --check --diff) ;;
    *) d=$(secs dl apply); a=$(secs ans) ;;
  esac
  printf '%-10s %12s %12s %8.1fx\n' "$run" "$d" "$a" "$(awk -v a="$a" -v d="$d" 'BEGIN { print a / d }')"
done
