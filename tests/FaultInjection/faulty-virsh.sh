#!/bin/bash
# Test only: the real virsh with one armed fault, for the live fault tests (xunit FaultyVirsh.cs, Pester
# Concurrency.Tests.ps1). Install it as <fault folder>/bin/virsh; arm a fault by creating
# <fault folder>/armed-<fault>; it fires once (renamed to fired-<fault>). It sits in the stdin of a virsh
# session (the commands the module sends) and passes everything on to the real virsh, so libvirt does all
# the work. Faults:
#   hang-before-lun            the LUN step hangs before libvirt sees it
#   hang-after-controller      libvirt adds the controller, then virsh hangs before it says so
#   hang-on-read               the LUN is attached; the read-back after it hangs
#   hang-on-detach             the next detach hangs (the rollback)
#   drop-connection-at-lun     virsh loses libvirtd before the LUN step; while <fault folder>/down exists,
#                              every virsh fails to connect, as with a stopped libvirtd
#   kill-caller-at-lun         SIGKILL to the module's process before the LUN step
#   outside-attach-before-lun  another tool attaches outside.xml (--config) just before the LUN step
#   outside-detach-before-lun  another tool detaches outside.xml (--config) just before the LUN step
REAL="${VIRTIOSCSI_REAL_VIRSH:-/usr/bin/virsh}"
# The fault folder: armed-<fault> files, "down", outside.domain and outside.xml (see the header).
DIR="$(cd "$(dirname "$0")/.." && pwd)"
if [ -e "$DIR/down" ]; then
  echo "error: failed to connect to the hypervisor" >&2
  echo "error: Failed to connect socket to '/var/run/libvirt/virtqemud-sock': Connection refused" >&2
  exit 1
fi
# A process per batch (the command in the arguments) passes straight through.
case " $* " in *" --quiet "*) ;; *) exec "$REAL" "$@" ;; esac
fire() { mv "$DIR/armed-$1" "$DIR/fired-$1" 2>/dev/null; }
connect=()
[ "$1" = --connect ] && connect=(--connect "$2")
outside() {
  "$REAL" "${connect[@]}" "$1" --domain "$(cat "$DIR/outside.domain")" --file "$DIR/outside.xml" --config >>"$DIR/outside.log" 2>&1
}
# What the step's XML file holds: a LUN or a controller.
kind() {
  local f
  f=$(grep -o "/[^ ']*virtioscsi-[0-9a-f]*\.xml" <<<"$1" | head -n 1)
  [ -n "$f" ] && [ -f "$f" ] || return 0
  if grep -q '<disk' "$f"; then echo lun; elif grep -q '<controller' "$f"; then echo controller; fi
}
hang_on_read=
while IFS= read -r line; do
  case "$line" in
    attach-device*)
      k=$(kind "$line")
      if [ "$k" = lun ]; then
        if fire hang-before-lun; then sleep 30; exit 1; fi
        if fire drop-connection-at-lun; then touch "$DIR/down"; echo "error: End of file while reading data: Input/output error" >&2; exit 1; fi
        if fire kill-caller-at-lun; then kill -9 "$PPID"; sleep 30; exit 1; fi
        if fire outside-attach-before-lun; then outside attach-device; fi
        if fire outside-detach-before-lun; then outside detach-device; fi
        if fire hang-on-read; then hang_on_read=1; fi
      fi
      printf '%s\n' "$line"
      if [ "$k" = controller ] && fire hang-after-controller; then sleep 30; exit 1; fi
      continue ;;
    detach-device*)
      if fire hang-on-detach; then sleep 30; exit 1; fi ;;
    dumpxml*)
      if [ -n "$hang_on_read" ]; then sleep 30; exit 1; fi ;;
  esac
  printf '%s\n' "$line"
done | "$REAL" "$@"
