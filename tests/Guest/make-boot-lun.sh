#!/usr/bin/env bash
# Writes a bootable disk image for the boot-from-LUN test, without mounting anything:
#
#   tests/Guest/make-boot-lun.sh IMAGE DISK_ID_HEX [GUEST_DIR]
#
# IMAGE        file to create or overwrite (64 MiB, sparse)
# DISK_ID_HEX  MBR disk identifier, 1-8 hex digits with or without 0x (e.g. 5653a001)
# GUEST_DIR    the test guest, built (or found up to date) by build-guest.sh;
#              default ${VIRTIOSCSI_GUEST_DIR:-/var/cache/virtioscsi-guest}
#
# Layout: MBR with SYSLINUX's boot code and the given disk identifier, one active FAT16 partition from
# sector 2048 holding SYSLINUX, the guest's vmlinuz and initramfs, and a syslinux.cfg whose kernel command
# line is "console=ttyS0 vsguest.expect_disk_id=<id>": the guest's /init then prints
# "VSGUEST booted-from disk=sdX id=<id> ..." once it finds the disk carrying that identifier.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "make-boot-lun: error: $*" >&2; exit 1; }

(($# >= 2 && $# <= 3)) || die "usage: $0 IMAGE DISK_ID_HEX [GUEST_DIR]"
image=$1
id=${2#0x}; id=${id#0X}
[[ $id =~ ^[0-9a-fA-F]{1,8}$ ]] || die "DISK_ID_HEX must be 1-8 hex digits, got '$2'"
id=$(printf '%08x' "0x$id")
guest=${3:-${VIRTIOSCSI_GUEST_DIR:-/var/cache/virtioscsi-guest}}

# Also installs the disk tools (fdisk, dosfstools, mtools, syslinux) when they are missing.
guest=$("$here/build-guest.sh" "$guest" | tail -n 1)

size_mib=64
part_start=2048                                  # sectors of 512 bytes: the usual 1 MiB alignment
offset=$((part_start * 512))
mbr_code=/usr/lib/syslinux/mbr/mbr.bin

rm -f "$image"
truncate -s "${size_mib}M" "$image"

# One active FAT16 (LBA) partition over the rest of the disk; label-id is the disk identifier that the
# MBR stores little endian at bytes 440-443.
sfdisk --quiet --no-reread --no-tell-kernel "$image" <<EOF
label: dos
label-id: 0x$id
unit: sectors

start=$part_start, type=e, bootable
EOF

# mkfs.fat writes into the image at the partition; -h records the partition start as hidden sectors,
# which SYSLINUX's boot sector uses to find the rest of itself.
part_sectors=$(( size_mib * 2048 - part_start ))
mkfs.fat -F 16 -n VSGUEST -h "$part_start" --offset "$part_start" "$image" $((part_sectors / 2)) >/dev/null

# syslinux (the mtools-based installer) takes the partition offset in bytes.
syslinux --install --offset "$offset" "$image"
dd if="$mbr_code" of="$image" bs=440 count=1 conv=notrunc status=none

cfg=$(mktemp "${TMPDIR:-/tmp}/vsguest-syslinux.XXXXXX")
trap 'rm -f "$cfg"' EXIT
cat >"$cfg" <<EOF
SERIAL 0 115200
PROMPT 0
TIMEOUT 0
DEFAULT vsguest
LABEL vsguest
  LINUX /vmlinuz
  INITRD /initrd.gz
  APPEND console=ttyS0 vsguest.expect_disk_id=$id
EOF
# SYSLINUX boots the bzImage (it cannot load the ELF vmlinux).
export MTOOLS_SKIP_CHECK=1
mcopy -o -i "$image@@$offset" "$guest/vmlinuz" ::/vmlinuz
mcopy -o -i "$image@@$offset" "$guest/initramfs.cpio.gz" ::/initrd.gz
mcopy -o -i "$image@@$offset" "$cfg" ::/syslinux.cfg

echo "make-boot-lun: $image disk id $id (kernel and initramfs from $guest)" >&2
