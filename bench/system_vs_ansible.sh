#!/usr/bin/env bash
# A 200-task mixed playbook (users, directories, files, cron jobs, a sysctl.d file, packages
# already present) applied to two copy-on-write copies of the cached Debian root: by Driftless
# (the runner + task registry with a chrooted host: bench/system_apply.ts) and by
# ansible-playbook -c chroot. Converge, then no-change; wall times and the ratio, in one run.
# Needs root, scripts/debian_root.sh's cache, ansible-core (+ ansible.posix for sysctl).
# Usage: N=40 bash bench/system_vs_ansible.sh     (5*N + N/2*2 tasks; N=40 gives 200)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-40}
BASE=.cache/debian-root
[ -f "$BASE/.driftless-root" ] || scripts/debian_root.sh
WORK=$(mktemp -d -t driftless-system-bench.XXXXXX)
mounts=()
cleanup() {
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_LOCALHOST_WARNING=False \
  ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_DEPRECATION_WARNINGS=False ANSIBLE_HOST_KEY_CHECKING=False

overlay() { # name: mounts $WORK/<name>/root as a copy-on-write view of the cached root
  mkdir -p "$WORK/$1/upper" "$WORK/$1/work" "$WORK/$1/root"
  mount -t overlay overlay -o "lowerdir=$PWD/$BASE,upperdir=$WORK/$1/upper,workdir=$WORK/$1/work" "$WORK/$1/root"
  mounts+=("$WORK/$1/root")
}
overlay dl
overlay an
DL=$WORK/dl/root
AN=$WORK/an/root
# Ansible runs its modules with the root's Python (and apt's Python bindings).
chroot "$AN" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-apt >/dev/null 2>&1

PKGS=(bash coreutils dash diffutils findutils grep gzip hostname login mawk passwd perl-base procps sed sudo tar tzdata cron debconf apt)
half=$((N / 2))
mkdir -p "$WORK/cfg"
{
  echo "tasks:"
  for i in $(seq 1 "$N"); do echo "  - {type: user, name: bench$i, uid: $((3000 + i)), shell: /bin/bash, comment: \"Bench $i\"}"; done
  for i in $(seq 1 "$N"); do echo "  - {type: directory, path: /srv/bench/d$i, mode: \"0755\"}"; done
  for i in $(seq 1 "$N"); do echo "  - {type: copy, dest: /srv/bench/d$i/f.txt, content: \"line $i\\n\", mode: \"0644\"}"; done
  for i in $(seq 1 "$N"); do echo "  - {type: cron, name: job$i, user: root, minute: \"$((i % 60))\", job: \"/bin/true $i\"}"; done
  for i in $(seq 1 "$half"); do echo "  - {type: sysctl, name: bench.key$i, value: \"$i\", sysctl_file: /etc/sysctl.d/90-bench.conf, reload: false}"; done
  for i in $(seq 1 "$half"); do echo "  - {type: apt, name: ${PKGS[$(((i - 1) % ${#PKGS[@]}))]}, state: present}"; done
} >"$WORK/cfg/apply.yml"
{
  echo "- hosts: all"
  echo "  gather_facts: false"
  echo "  tasks:"
  for i in $(seq 1 "$N"); do echo "    - ansible.builtin.user: {name: bench$i, uid: $((3000 + i)), shell: /bin/bash, comment: \"Bench $i\"}"; done
  for i in $(seq 1 "$N"); do echo "    - ansible.builtin.file: {path: /srv/bench/d$i, state: directory, mode: \"0755\"}"; done
  for i in $(seq 1 "$N"); do echo "    - ansible.builtin.copy: {dest: /srv/bench/d$i/f.txt, content: \"line $i\\n\", mode: \"0644\"}"; done
  for i in $(seq 1 "$N"); do echo "    - ansible.builtin.cron: {name: job$i, user: root, minute: \"$((i % 60))\", job: \"/bin/true $i\"}"; done
  for i in $(seq 1 "$half"); do echo "    - ansible.posix.sysctl: {name: bench.key$i, value: \"$i\", sysctl_file: /etc/sysctl.d/90-bench.conf, reload: false}"; done
  for i in $(seq 1 "$half"); do echo "    - ansible.builtin.apt: {name: ${PKGS[$(((i - 1) % ${#PKGS[@]}))]}, state: present}"; done
} >"$WORK/site.yml"
tasks=$(grep -c '^  - ' "$WORK/cfg/apply.yml")

secs() { # log command... -> wall seconds
  local log=$1 s e
  shift
  s=$(date +%s.%N)
  "$@" >"$log" 2>&1 || { tail -n 20 "$log" >&2; return 1; }
  e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }'
}
dl() { deno run -A --no-check bench/system_apply.ts "$WORK/cfg" "$DL"; }
ans() { ansible-playbook -i "$AN," -c chroot -e ansible_python_interpreter=/usr/bin/python3 "$WORK/site.yml"; }

echo "# $tasks tasks in a Debian bookworm root; $(ansible-playbook --version | head -1); $(deno --version | head -1); $(nproc) cores"
printf '%-10s %12s %12s %9s   %s\n' run driftless_s ansible_s ratio recap
for run in converge no-change; do
  d=$(secs "$WORK/dl-$run.log" dl)
  a=$(secs "$WORK/an-$run.log" ans)
  recap="driftless $(tail -1 "$WORK/dl-$run.log" | sed -E 's/.*"ok":([0-9]+),"changed":([0-9]+),"failed":([0-9]+).*/ok=\1 changed=\2 failed=\3/'); ansible $(grep -E '^[^ ]+ +: ok=' "$WORK/an-$run.log" | sed -E 's/.*(ok=[0-9]+) +(changed=[0-9]+).*(failed=[0-9]+).*/\1 \2 \3/')"
  printf '%-10s %12s %12s %8.1fx   %s\n' "$run" "$d" "$a" "$(awk -v a="$a" -v d="$d" 'BEGIN { print a / d }')" "$recap"
done
