#!/usr/bin/env bash
# Lays a Pitwall unit onto a root file system (an image being built, or a test's temp dir):
#   /usr/lib/pitwall/runtime/   the built runtime (device-firmware-ts/dist, its package.json and
#                               its production dependencies, @pitwall/protocol as a real copy)
#   /usr/bin/pitwall-*          one launcher per "bin" of device-firmware-ts/package.json
#   /etc/systemd/system/        the unit files of device-firmware-ts/system/systemd, enabled
#   /etc/pitwall/unit.json      the UnitConfig defaults (kept if one is already there)
#   /etc/pitwall/logrotate.d/   the unit log's logrotate config
#   /usr/lib/sysusers.d, /usr/lib/tmpfiles.d   the runtime's user and its directories
#   /usr/lib/pitwall/sbin/      the overlay root and data partition scripts
#   /usr/lib/pitwall/support-export/sshd_config   the support export's sshd config (root's)
#   /etc/NetworkManager/conf.d/, /etc/polkit-1/rules.d/   Wi-Fi profiles on the data partition;
#                               what the runtime's user may ask of NetworkManager and systemd
# Needs `npm run build` first. Usage: scripts/install-unit.sh --root DIR [--node NODE_BINARY]
# --node copies a Node binary for the root's architecture to /usr/lib/pitwall/bin/node; without
# it the launchers run the root's /usr/bin/node.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
root='' node_bin=''
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=${2:?--root needs a directory}; shift 2 ;;
    --node) node_bin=${2:?--node needs a file}; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-unit: unknown argument \"$1\" (usage: --root DIR [--node NODE_BINARY])" >&2; exit 2 ;;
  esac
done
[ -n "$root" ] || { echo 'install-unit: --root DIR is required' >&2; exit 2; }
[ -d "$root" ] || { echo "install-unit: $root is not a directory" >&2; exit 2; }
root=$(cd "$root" && pwd)
[ "$root" != / ] || { echo 'install-unit: refusing to install into / (give the root of an image)' >&2; exit 2; }
device="$repo/device-firmware-ts" system="$repo/device-firmware-ts/system"
for built in "$device/dist/cli.js" "$repo/protocol/dist/index.js"; do
  [ -f "$built" ] || { echo "install-unit: $built is missing: run npm run build first" >&2; exit 1; }
done
[ -z "$node_bin" ] || [ -x "$node_bin" ] || { echo "install-unit: $node_bin is not an executable" >&2; exit 2; }

# Everything is staged next to the root and moved in at the end: a failure leaves no half install.
stage=$(mktemp -d "$root/.pitwall-install.XXXXXX")
trap 'rm -rf "$stage"' EXIT
runtime="$stage/usr/lib/pitwall/runtime"
mkdir -p "$runtime/node_modules/@pitwall/protocol"
cp -a "$device/package.json" "$device/dist" "$runtime/"
cp -a "$repo/protocol/package.json" "$repo/protocol/dist" "$runtime/node_modules/@pitwall/protocol/"
# The runtime's production dependencies as npm resolved them (hoisted paths kept), nothing else.
(cd "$repo" && npm ls --omit=dev --all --parseable -w @pitwall/device 2>/dev/null) | sed "s#^$repo/##" | sort -u |
  grep '^node_modules/' | grep -v '^node_modules/@pitwall/' | while read -r dep; do
    mkdir -p "$runtime/$(dirname "$dep")"
    cp -a "$repo/$dep" "$runtime/$dep"
  done
[ -d "$runtime/node_modules/fastify" ] || { echo 'install-unit: npm ls listed no dependencies (run npm ci first)' >&2; exit 1; }

node_path=/usr/bin/node
if [ -n "$node_bin" ]; then
  install -D -m 0755 "$node_bin" "$stage/usr/lib/pitwall/bin/node"
  node_path=/usr/lib/pitwall/bin/node
fi
mkdir -p "$stage/usr/bin"
node -e 'for (const [n, f] of Object.entries(require(process.argv[1]).bin)) console.log(n, f)' "$device/package.json" |
  while read -r name file; do
    printf '#!/bin/sh\nexec %s /usr/lib/pitwall/runtime/%s "$@"\n' "$node_path" "${file#./}" > "$stage/usr/bin/$name"
    chmod 0755 "$stage/usr/bin/$name"
  done

install -D -m 0644 -t "$stage/etc/systemd/system" "$system"/systemd/*.service "$system"/systemd/*.timer
install -D -m 0644 "$system/logrotate.d/pitwall" "$stage/etc/pitwall/logrotate.d/pitwall"
install -D -m 0644 "$system/sysusers.d/pitwall.conf" "$stage/usr/lib/sysusers.d/pitwall.conf"
install -D -m 0644 "$system/tmpfiles.d/pitwall.conf" "$stage/usr/lib/tmpfiles.d/pitwall.conf"
install -D -m 0755 -t "$stage/usr/lib/pitwall/sbin" "$system"/sbin/*
install -D -m 0644 "$repo/docs/unit-image.md" "$stage/usr/share/doc/pitwall/unit-image.md"
install -D -m 0644 "$system/NetworkManager/conf.d/50-pitwall.conf" "$stage/etc/NetworkManager/conf.d/50-pitwall.conf"
install -D -m 0644 "$system/polkit-1/rules.d/50-pitwall.rules" "$stage/etc/polkit-1/rules.d/50-pitwall.rules"
if [ ! -e "$root/etc/pitwall/unit.json" ]; then
  (cd "$repo" && node --input-type=module -e \
    "import { UNIT_CONFIG_DEFAULTS } from '@pitwall/protocol'; console.log(JSON.stringify(UNIT_CONFIG_DEFAULTS, null, 2));") > "$stage/etc/pitwall/unit.json"
  chmod 0644 "$stage/etc/pitwall/unit.json"
fi

# The export sshd's config, from the runtime's own function, at the port the unit's config names.
config="$root/etc/pitwall/unit.json"
[ -e "$config" ] || config="$stage/etc/pitwall/unit.json"
mkdir -p "$stage/usr/lib/pitwall/support-export"
(cd "$repo" && node --input-type=module -e '
  import { readFileSync } from "node:fs";
  import { parseUnitConfig } from "@pitwall/protocol";
  const { unitExportSshdConfig } = await import(process.argv[1]);
  process.stdout.write(unitExportSshdConfig(parseUnitConfig(JSON.parse(readFileSync(process.argv[2], "utf8"))).support.exportPort));
' "$device/dist/ops/support/export-server.js" "$config") > "$stage/usr/lib/pitwall/support-export/sshd_config"
chmod 0644 "$stage/usr/lib/pitwall/support-export/sshd_config"

rm -rf "$root/usr/lib/pitwall/runtime"
cp -a "$stage/." "$root/"

# Enable the units (systemctl works on a root without a running systemd), create the user and
# the directories the way the unit will at boot.
for unit in "$system"/systemd/*.service "$system"/systemd/*.timer; do
  grep -q '^\[Install\]' "$unit" && systemctl --root="$root" --quiet enable "$(basename "$unit")"
done
systemd-sysusers --root="$root" >/dev/null
systemd-tmpfiles --root="$root" --create pitwall.conf
echo "install-unit: unit installed into $root" >&2
