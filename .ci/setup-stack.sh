#!/usr/bin/env bash
# Prepares this machine for the live test suites: a libvirtd with the QEMU driver and an iSCSI target
# (tgtd) of the project's own on 127.0.0.1. Idempotent: it also works where the stack already runs.
# Needs root and Debian 12 (bookworm). No systemd is assumed: daemons are started directly.
set -euo pipefail

# The iSCSI portal and tgtd control port are this project's own, so a tgtd the host runs elsewhere
# (default port 3260, control port 0) is never touched. Tests read the same values from the environment.
: "${VIRTIOSCSI_ISCSI_PORT:=13260}"
: "${VIRTIOSCSI_TGT_CONTROL_PORT:=13}"

packages=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-block-extra
          qemu-utils tgt sg3-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup-stack: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# libvirt's QEMU driver expects this account even when QEMU runs as root.
getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
getent passwd libvirt-qemu >/dev/null || useradd --system --gid libvirt-qemu --no-create-home \
  --home-dir /var/lib/libvirt --shell /usr/sbin/nologin libvirt-qemu

# Containers have no cgroup delegation and no security modules: QEMU runs as root, unconfined.
mkdir -p /etc/libvirt /var/log/libvirt/qemu /var/run/libvirt /var/lib/libvirt/qemu /var/lib/libvirt/images
cat > /etc/libvirt/qemu.conf <<'CONF'
# Written by VirtioScsi's .ci/setup-stack.sh for test machines without systemd.
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
CONF

if ! pgrep -x virtlogd >/dev/null; then virtlogd -d; fi
if ! pgrep -x libvirtd >/dev/null; then libvirtd -d; fi
for _ in $(seq 1 50); do
  virsh -c qemu:///system version >/dev/null 2>&1 && break
  sleep 0.2
done
if ! virsh -c qemu:///system version >/dev/null 2>&1; then
  echo "setup-stack: libvirtd did not answer on qemu:///system" >&2
  tail -n 30 /var/log/libvirt/libvirtd.log 2>/dev/null >&2 || true
  exit 1
fi

if ! tgtadm -C "$VIRTIOSCSI_TGT_CONTROL_PORT" --lld iscsi --mode system --op show >/dev/null 2>&1; then
  mkdir -p /var/run/tgtd
  tgtd -C "$VIRTIOSCSI_TGT_CONTROL_PORT" --iscsi "portal=127.0.0.1:$VIRTIOSCSI_ISCSI_PORT"
  for _ in $(seq 1 50); do
    tgtadm -C "$VIRTIOSCSI_TGT_CONTROL_PORT" --lld iscsi --mode system --op show >/dev/null 2>&1 && break
    sleep 0.1
  done
fi
tgtadm -C "$VIRTIOSCSI_TGT_CONTROL_PORT" --lld iscsi --mode system --op show >/dev/null

echo "setup-stack: libvirt $(virsh -c qemu:///system version --daemon 2>/dev/null | awk '/daemon/{print $NF}'), tgtd on 127.0.0.1:$VIRTIOSCSI_ISCSI_PORT (control port $VIRTIOSCSI_TGT_CONTROL_PORT)"
