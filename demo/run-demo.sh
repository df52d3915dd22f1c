#!/usr/bin/env bash
# One-command demo: on a Debian or Ubuntu host, as root, with the .NET SDK, it prepares the stack
# (libvirtd, QEMU, an iSCSI target on 127.0.0.1), gets pwsh (the one on PATH, else PowerShell 7.6.9 as a
# .NET tool under out/toolchain), builds the module and a tiny test guest, boots the guest
# in a throwaway domain that has only an lsi controller, and attaches an iSCSI LUN to it with the
# cmdlets. The guest prints what it sees (sg_inq). Then the LUN is detached and everything the demo
# created is removed: the domain, the iSCSI target and the files, also when interrupted (Ctrl+C).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $EUID -ne 0 ]]; then
  echo "The demo installs packages and starts libvirtd and tgtd: run it as root (sudo $0)." >&2
  exit 1
fi
# The demo drives the cmdlets in PowerShell 7.
pwsh_bin=$(bash tools/toolchain/install.sh pwsh)

: "${VIRTIOSCSI_TGT_CONTROL_PORT:=13}"
: "${VIRTIOSCSI_ISCSI_PORT:=13260}"
export VIRTIOSCSI_TGT_CONTROL_PORT VIRTIOSCSI_ISCSI_PORT
guest_dir="${VIRTIOSCSI_GUEST_DIR:-/var/cache/virtioscsi-guest}"
work=$(mktemp -d /tmp/virtioscsi-demo.XXXXXX)
domain="vsdemo-$$"
tid=""

cleanup() {
  trap - EXIT INT TERM
  echo "== Cleaning up: domain $domain, iSCSI target ${tid:-none}, $work"
  virsh --connect qemu:///system destroy "$domain" >/dev/null 2>&1 || true
  virsh --connect qemu:///system undefine "$domain" >/dev/null 2>&1 || true
  if [[ -n "$tid" ]]; then
    tgtadm -C "$VIRTIOSCSI_TGT_CONTROL_PORT" --lld iscsi --mode target --op delete --force --tid "$tid" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "== Interrupted"; exit 130' INT TERM

echo "== Preparing the stack (packages, libvirtd, tgtd on 127.0.0.1:$VIRTIOSCSI_ISCSI_PORT)"
bash .ci/setup-stack.sh
echo "== Building the test guest and the module"
bash tests/Guest/build-guest.sh "$guest_dir" >/dev/null
"$pwsh_bin" -NoProfile -NonInteractive -File ./build.ps1 -Task Build

echo "== Serving a 64 MiB iSCSI LUN from tgtd"
# A target id of the demo's own (3000-3999), free on this tgtd.
used=$(tgtadm -C "$VIRTIOSCSI_TGT_CONTROL_PORT" --lld iscsi --mode target --op show | sed -n 's/^Target \([0-9]*\):.*/\1/p')
for t in $(seq 3000 3999); do grep -qx "$t" <<<"$used" || { tid=$t; break; }; done
iqn="iqn.2026-11.demo.virtioscsi:lun-$$"
truncate -s 64M "$work/lun.img"
tgtadm -C "$VIRTIOSCSI_TGT_CONTROL_PORT" --lld iscsi --mode target --op new --tid "$tid" --targetname "$iqn"
tgtadm -C "$VIRTIOSCSI_TGT_CONTROL_PORT" --lld iscsi --mode logicalunit --op new --tid "$tid" --lun 1 --backing-store "$work/lun.img"
tgtadm -C "$VIRTIOSCSI_TGT_CONTROL_PORT" --lld iscsi --mode target --op bind --tid "$tid" --initiator-address 127.0.0.1

echo "== Booting a throwaway guest ($domain) with only an lsi SCSI controller"
cat > "$work/domain.xml" <<XML
<domain type='qemu'>
  <name>$domain</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$guest_dir/vmlinux</kernel>
    <initrd>$guest_dir/initramfs.cpio.gz</initrd>
    <cmdline>console=ttyS0 panic=-1</cmdline>
  </os>
  <features><acpi/></features>
  <on_reboot>destroy</on_reboot>
  <devices>
    <controller type='scsi' index='0' model='lsilogic'/>
    <serial type='file'><source path='$work/serial.log'/><target port='0'/></serial>
  </devices>
</domain>
XML
virsh --connect qemu:///system define "$work/domain.xml" >/dev/null
virsh --connect qemu:///system start "$domain" >/dev/null

"$pwsh_bin" -NoProfile -NonInteractive -File demo/Demo.ps1 -Domain "$domain" -Portal "127.0.0.1:$VIRTIOSCSI_ISCSI_PORT" \
  -Iqn "$iqn" -SerialLog "$work/serial.log" -Module "out/VirtioScsi/$(sed -n "s/.*ModuleVersion *= *'\([0-9.]*\)'.*/\1/p" VirtioScsi.psd1)/VirtioScsi.psd1"
echo "== Done"
