#!/usr/bin/env bash
# Prepares a fresh Debian 12 machine with Node 20 for Pitwall: system packages the demo and
# tests use (installed when run as root), npm 11 (its allowScripts keeps Electron's binary
# download from running), then a clean `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."

# socat: pseudo-terminals for serial links; iproute2: network namespaces for mDNS;
# chromium: browser tests; udev: serial port enumeration; logrotate, sqlite3, libxml2-utils:
# real peers in tests; systemd: systemd-analyze checks the unit's rotation timer and service;
# strace: the atomic-file test watches the fsync order from the kernel's side;
# openssh-server, openssh-client: support mode (the reverse tunnel, the relay and the read-only export);
# cryptsetup: the unit's LUKS2 data partition; mmdebstrap, fdisk (sfdisk), dosfstools, mtools:
# the unit image recipe and its disk layout; postgresql: the hub's tests start a private cluster
# (initdb, pg_ctl) and run the hub's suite on it as on SQLite.
packages=(socat iproute2 chromium udev logrotate sqlite3 libxml2-utils systemd strace openssh-server openssh-client cryptsetup mmdebstrap fdisk dosfstools mtools postgresql)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages: ${missing[*]} (run this script as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi

npm_major=$(npm --version | cut -d. -f1)
if [ "$npm_major" -lt 11 ]; then
  echo "setup: npm $(npm --version) found; installing npm 11 (needed for allowScripts)" >&2
  npm install -g npm@11 >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
