#!/usr/bin/env bash
# Builds (once) the Debian root the system task tests run against: debootstrap --variant=minbase
# bookworm from the Debian mirror this machine's apt uses, plus the tools the tasks drive (sudo for
# visudo, cron for crontab, procps for sysctl, tzdata, systemd for systemctl's offline enable and
# mask, openssh-client for ssh-keygen) and a cached .deb of `hello` so the package
# tests install a real package without needing the network at test time.
#
# Idempotent: when the root exists and carries the current stamp it exits at once.
# Usage: scripts/debian_root.sh [DIR]     (default: .cache/debian-root; env DEBIAN_ROOT too)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=${1:-${DEBIAN_ROOT:-$PWD/.cache/debian-root}}
SUITE=bookworm
INCLUDE=sudo,cron,procps,tzdata,passwd,login,systemd,openssh-client
# Bump when the recipe changes, so cached roots are rebuilt.
STAMP="driftless-debian-root v4 $SUITE $INCLUDE hello"

if [ -f "$ROOT/.driftless-root" ] && [ "$(cat "$ROOT/.driftless-root")" = "$STAMP" ]; then
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "debian_root.sh: needs root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "debian_root.sh: debootstrap not installed (apt-get install debootstrap)" >&2; exit 1; }

# The mirror apt uses here: deb822 sources first, then one-line sources; Debian's default last.
mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")
    case "$uri" in */debian | */debian/) echo "${uri%/}"; return ;; esac
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/ && $i !~ /security/) { print $i; exit } }' "$f")
    case "$uri" in */debian | */debian/) echo "${uri%/}"; return ;; esac
  done
  echo "http://deb.debian.org/debian"
}
MIRROR=${DEBIAN_MIRROR:-$(mirror)}

TMP="$ROOT.build.$$"
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT
mkdir -p "$(dirname "$ROOT")"
echo "debian_root.sh: debootstrap $SUITE from $MIRROR into $ROOT" >&2
debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$TMP" "$MIRROR" >"$TMP.log" 2>&1 || {
  tail -n 30 "$TMP.log" >&2
  rm -f "$TMP.log"
  exit 1
}
rm -f "$TMP.log"

# No daemon may start inside the root when a package is installed.
printf '#!/bin/sh\nexit 101\n' >"$TMP/usr/sbin/policy-rc.d"
chmod 0755 "$TMP/usr/sbin/policy-rc.d"
printf 'deb %s %s main\n' "$MIRROR" "$SUITE" >"$TMP/etc/apt/sources.list"
cp /etc/resolv.conf "$TMP/etc/resolv.conf" 2>/dev/null || true
echo "debian-root" >"$TMP/etc/hostname"
# Package lists and a cached hello .deb: the package tests then work offline.
chroot "$TMP" apt-get clean
chroot "$TMP" apt-get update -qq
chroot "$TMP" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --download-only hello >/dev/null

echo "$STAMP" >"$TMP/.driftless-root"
# Swap by rename, so tests reading the old root never see it half-removed.
OLD="$ROOT.old.$$"
[ -e "$ROOT" ] && mv "$ROOT" "$OLD"
mv "$TMP" "$ROOT"
trap - EXIT
rm -rf "$OLD"
echo "debian_root.sh: ready: $ROOT ($(du -sh "$ROOT" | cut -f1))" >&2
