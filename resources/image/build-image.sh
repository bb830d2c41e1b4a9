#!/usr/bin/env bash
# Builds a Pitwall unit image: a Debian root made by mmdebstrap with the unit installed
# (scripts/install-unit.sh as a customize hook), then a GPT disk laid out as partitions.sfdisk
# (boot, rootA, rootB, recovery, data). Layout and key choices: docs/unit-image.md.
#
#   resources/image/build-image.sh --arch arm64 --out DIR --node FILE [--suite bookworm]
#       [--variant minbase] [--mirror URL] [--include PKGS] [--root-size 1536MiB] [--data-size 512MiB]
#
# --node: a Node >= 20.11 binary for ARCH (Debian bookworm's nodejs is 18, too old): for arm64
# the nodejs.org linux-arm64 build, checked against its SHASUMS256.txt.
# --arch arm64 is the unit (Raspberry Pi 4/5; on an amd64 builder it needs qemu-user-static and
# binfmt_misc); --rootfs TAR skips mmdebstrap and lays the disk out from a root built before.
# The test builds --arch amd64 --variant essential --include '' to prove the recipe
# on the build machine. Writes DIR/disk.img and DIR/partitions.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
arch='' out='' rootfs='' suite=bookworm variant=minbase mirror='' root_size=1536MiB data_size=512MiB node_bin=''
# What a unit runs beyond the variant: systemd as init, the data partition's LUKS tools, Wi-Fi,
# the support tunnel's ssh client, log rotation. arm64 adds the Pi's kernel and firmware.
# openssh-server: support mode's export sshd (pitwall-support-export.service; its own ssh.service
# is masked below: the unit serves no port 22); polkitd: the runtime's rights (50-pitwall.rules).
include='systemd-sysv,cryptsetup-bin,network-manager,openssh-client,openssh-server,polkitd,logrotate,ca-certificates'
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=${2:?}; shift 2 ;;
    --out) out=${2:?}; shift 2 ;;
    --suite) suite=${2:?}; shift 2 ;;
    --variant) variant=${2:?}; shift 2 ;;
    --mirror) mirror=${2:?}; shift 2 ;;
    --include) include=$2; shift 2 ;;
    --root-size) root_size=${2:?}; shift 2 ;;
    --data-size) data_size=${2:?}; shift 2 ;;
    --node) node_bin=${2:?}; shift 2 ;;
    --rootfs) rootfs=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-image: unknown argument \"$1\"" >&2; exit 2 ;;
  esac
done
[ -n "$arch" ] && [ -n "$out" ] && [ -n "$node_bin" ] || { echo 'build-image: --arch, --out and --node are required' >&2; exit 2; }
[ -x "$node_bin" ] || { echo "build-image: --node $node_bin is not an executable" >&2; exit 2; }
case "$arch" in
  arm64) include="${include:+$include,}raspi-firmware,linux-image-arm64" ;;
  amd64) ;;
  *) echo "build-image: --arch $arch: the unit is arm64; amd64 builds the same recipe for a test" >&2; exit 2 ;;
esac
if [ "$arch" != "$(dpkg --print-architecture)" ] && [ ! -e "/proc/sys/fs/binfmt_misc/qemu-$( [ "$arch" = arm64 ] && echo aarch64 || echo "$arch")" ]; then
  echo "build-image: building $arch on $(dpkg --print-architecture) needs qemu-user-static and binfmt_misc" >&2; exit 1
fi
for tool in mmdebstrap sfdisk mke2fs mkfs.vfat mcopy; do
  command -v "$tool" >/dev/null || { echo "build-image: $tool is missing (scripts/setup.sh installs it)" >&2; exit 1; }
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The kernel command line of each slot: read-only root under the overlay init.
cmdline() { echo "console=serial0,115200 root=PARTLABEL=$1 rootfstype=ext4 ro rootwait init=/usr/lib/pitwall/sbin/pitwall-overlay-root$2"; }

hooks=(--customize-hook="'$repo/scripts/install-unit.sh' --root \"\$1\" --node '$node_bin'")
hooks+=(--customize-hook='systemctl --root="$1" --quiet mask ssh.service ssh.socket')
hooks+=(--customize-hook='mkdir -p "$1/boot/firmware" && echo "PARTLABEL=boot /boot/firmware vfat ro,nodev,nosuid,noexec 0 2" > "$1/etc/fstab"')
# The root is built as a directory (mke2fs -d reads it), removed at the end.
tree="$out/rootfs.tree"
rm -rf "$tree"
trap 'rm -rf "$tree"' EXIT
if [ -n "$rootfs" ]; then
  mkdir "$tree"
  tar -xpf "$rootfs" -C "$tree" --numeric-owner   # a root built before: only the disk is laid out again
else
  mmdebstrap --variant="$variant" --arch="$arch" ${include:+--include="$include"} "${hooks[@]}" \
    "$suite" "$tree" ${mirror:+"$mirror"}
fi

# The disk: partition table first, then each file system built in a file and written at its
# partition's offset (no loop devices needed).
sed -e "s/@ROOT@/$root_size/" -e "s/@DATA@/$data_size/" "$here/partitions.sfdisk" | grep -v '^#' > "$out/partitions.sfdisk"
bytes() { numfmt --from=iec-i "${1%B}"; }
total=$(( (2048 * 512) + $(bytes 256MiB) + 3 * $(bytes "$root_size") + $(bytes "$data_size") + 1024 * 1024 ))
rm -f "$out/disk.img"
truncate -s "$total" "$out/disk.img"
sfdisk --quiet "$out/disk.img" < "$out/partitions.sfdisk"
sfdisk --dump "$out/disk.img" > "$out/partitions.txt"

part() { # NAME -> "START_SECTOR SIZE_SECTORS"
  sed -n "s/.*start= *\([0-9]*\), size= *\([0-9]*\),.*name=\"$1\".*/\1 \2/p" "$out/partitions.txt"
}
write_fs() { # NAME FILE
  read -r start size < <(part "$1")
  dd if="$2" of="$out/disk.img" bs=512 seek="$start" conv=notrunc,sparse status=none
  rm -f "$2"
}
# Slot A from the root tree; slot B and recovery are copies with their own label and UUID.
read -r _ size < <(part rootA)
rm -f "$out/rootA.ext4"
truncate -s "$((size * 512))" "$out/rootA.ext4"
mke2fs -q -t ext4 -L rootA -d "$tree" "$out/rootA.ext4"
for slot in rootB recovery; do
  cp --sparse=always "$out/rootA.ext4" "$out/$slot.ext4"
  e2label "$out/$slot.ext4" "$slot"
  tune2fs -U random "$out/$slot.ext4" >/dev/null
  write_fs "$slot" "$out/$slot.ext4"
done
write_fs rootA "$out/rootA.ext4"

read -r _ size < <(part boot)
rm -f "$out/boot.vfat"
mkfs.vfat -F 32 -n BOOT -C "$out/boot.vfat" "$((size / 2))" >/dev/null
boot_tree=$(mktemp -d)
trap 'rm -rf "$boot_tree" "$tree"' EXIT
[ ! -d "$tree/boot/firmware" ] || cp -r "$tree/boot/firmware/." "$boot_tree/"
cmdline rootA '' > "$boot_tree/cmdline.txt"
cmdline recovery ' pitwall.recovery=1' > "$boot_tree/cmdline-recovery.txt"
printf '[all]\narm_64bit=1\nenable_uart=1\ndtparam=i2c_arm=on\ncmdline=cmdline.txt\n' > "$boot_tree/config.txt"
MTOOLS_SKIP_CHECK=1 mcopy -s -i "$out/boot.vfat" "$boot_tree"/* ::/
write_fs boot "$out/boot.vfat"
echo "build-image: $out/disk.img ($arch)" >&2
