#!/usr/bin/env bash
# Builds the VirtioScsi test guest from Debian packages only: a kernel QEMU can boot directly and a small
# initramfs whose /init (tests/Guest/init) reports SCSI devices on the serial console.
#
#   tests/Guest/build-guest.sh [OUTDIR]
#
# OUTDIR defaults to ${VIRTIOSCSI_GUEST_DIR:-/var/cache/virtioscsi-guest} and receives:
#   vmlinux            the Debian kernel as an uncompressed ELF (QEMU boots it through its PVH entry point)
#   vmlinuz            the same kernel as the Debian bzImage (for bootloaders such as SYSLINUX)
#   initramfs.cpio.gz  busybox, the sg3-utils tools below with their libraries, the virtio-scsi modules, /init
#   modules.load       the module load order baked into the initramfs (for reference)
#   tools              the sg3-utils tools in the initramfs, one a line
#   .stamp             hash of every input; an unchanged hash means nothing is rebuilt
# The last line printed on stdout is OUTDIR. Progress goes to stderr.
#
# Environment: VIRTIOSCSI_GUEST_SMOKE=0 skips the QEMU boot check done after a (re)build.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-${VIRTIOSCSI_GUEST_DIR:-/var/cache/virtioscsi-guest}}
log() { echo "build-guest: $*" >&2; }
die() { log "error: $*"; exit 1; }

# ---- packages ------------------------------------------------------------------------------------------
# The boot-disk tools are installed here too so make-boot-lun.sh never has to install anything.
packages=(linux-image-amd64 busybox-static sg3-utils cpio gzip xz-utils zstd kmod
          fdisk dosfstools mtools syslinux syslinux-common)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The kernel is the one the linux-image-amd64 metapackage points at, not the host's running kernel.
kpkg=$(dpkg-query -W -f='${Depends}' linux-image-amd64 | grep -o 'linux-image-[^ ,]*' | head -n1)
kver=${kpkg#linux-image-}
vmlinuz=/boot/vmlinuz-$kver
moddir=/lib/modules/$kver
[[ -r $vmlinuz && -d $moddir/kernel ]] || die "kernel $kver is not installed ($vmlinuz, $moddir)"

# ---- cache check ---------------------------------------------------------------------------------------
# Inputs: this script, the init, and the exact versions of every package whose files go into the output.
# sg_inq reports devices; sg_persist and sg_dd run the reservation steps a test sends (see init's commands).
sg_tools=(sg_inq sg_persist sg_dd)
sg_bins=()
for t in "${sg_tools[@]}"; do
  bin=$(command -v "$t") || die "$t is not installed (sg3-utils)"
  sg_bins+=("$bin")
done
busybox_bin=/bin/busybox
input_pkgs=("$kpkg" busybox-static sg3-utils)
# Owning package of a library; with merged /usr dpkg knows either the /lib or the /usr/lib spelling.
pkg_of() {
  { dpkg-query -S "$1" || dpkg-query -S "$(readlink -f "$1")" || dpkg-query -S "/usr$1"; } 2>/dev/null |
    head -n1 | cut -d: -f1
}
while read -r lib; do
  p=$(pkg_of "$lib") && [[ -n $p ]] && input_pkgs+=("$p")
done < <(ldd "${sg_bins[@]}" | grep -o '^[[:space:]].*/[^ ]*' | grep -o '/[^ ]*' | sort -u)
stamp=$({
  sha256sum "$here/build-guest.sh" "$here/init" | cut -d' ' -f1
  echo "kernel $kver"
  dpkg-query -W "${input_pkgs[@]}" | sort -u
} | sha256sum | cut -d' ' -f1)

# Test runs may call this concurrently: one builds, the others wait and then find it up to date.
mkdir -p "$out"
exec 9>"$out/.lock"
flock 9

# A cache built before a tool was added lacks it in its tools list: that, too, means rebuild.
has_tools() {
  local t
  [[ -f $out/tools ]] || return 1
  for t in "${sg_tools[@]}"; do grep -qx "$t" "$out/tools" || return 1; done
}
if [[ -f $out/.stamp && $(cat "$out/.stamp") == "$stamp" ]] && has_tools &&
   [[ -s $out/vmlinux && -s $out/vmlinuz && -s $out/initramfs.cpio.gz ]]; then
  log "up to date (kernel $kver)"
  echo "$out"
  exit 0
fi

rm -f "$out/.stamp"
work=$(mktemp -d "${TMPDIR:-/tmp}/vsguest-build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# ---- vmlinux: the ELF inside the bzImage ---------------------------------------------------------------
# Same idea as the kernel tree's scripts/extract-vmlinux: find each compression magic in the bzImage,
# decompress from there (trailing bytes make the tool complain, hence `|| true`) and keep the first
# result that is an ELF file.
extract_vmlinux() {
  local img=$1 dst=$2 magic tool off
  local -a methods=(
    '\x1f\x8b\x08'             'gzip -dc'
    '\xfd7zXZ\x00'             'xz -dc'
    '\x28\xb5\x2f\xfd'         'zstd -dcq'
    'BZh'                      'bzip2 -dc'
    '\x5d\x00\x00\x00'         'xz -dc --format=lzma'
    '\x02\x21\x4c\x18'         'lz4 -dc'
  )
  for ((i = 0; i < ${#methods[@]}; i += 2)); do
    magic=${methods[i]} tool=${methods[i + 1]}
    command -v "${tool%% *}" >/dev/null || continue
    # grep -obUaP prints the byte offset of every match in the binary file.
    while IFS=: read -r off _; do
      # shellcheck disable=SC2086 # $tool is a command with its options
      tail -c "+$((off + 1))" "$img" | $tool >"$dst" 2>/dev/null || true
      if [[ $(head -c 4 "$dst" | od -An -tx1 | tr -d ' \n') == 7f454c46 ]]; then
        log "vmlinux: ${tool%% *} stream at offset $off"
        return 0
      fi
    done < <(LC_ALL=C grep -obUaP "$magic" "$img" | head -n 20)
  done
  rm -f "$dst"
  return 1
}
extract_vmlinux "$vmlinuz" "$work/vmlinux" || die "no ELF kernel found inside $vmlinuz"
cp "$vmlinuz" "$work/vmlinuz"

# ---- kernel modules in load order ----------------------------------------------------------------------
# No modules.dep is relied on: each module's own `depends=` (hard, must load) and `softdep= pre:` (best
# effort, e.g. crct10dif_pclmul needs a CPU feature TCG's qemu64 lacks) fields give the order.
declare -A modfile=()
while IFS= read -r f; do
  n=${f##*/}; n=${n%%.ko*}; modfile[${n//-/_}]=$f
done < <(find "$moddir/kernel" -name '*.ko*')

declare -A seen=() required=()
load_order=()      # module names, each after everything it needs
add_module() {
  local name=${1//-/_} kind=$2 f dep soft alias
  # A module first reached as someone's soft dependency can still be a hard one of another.
  [[ $kind == required ]] && required[$name]=1
  [[ -n ${seen[$name]:-} ]] && return 0
  f=${modfile[$name]:-}
  if [[ -z $f ]]; then
    # Built into the kernel (modules.builtin) is fine; otherwise a soft dependency may be an alias.
    grep -q "/${1}.ko\$\|/${name}.ko\$" "$moddir/modules.builtin" 2>/dev/null && return 0
    if [[ $kind == required ]]; then
      [[ -f $moddir/modules.builtin ]] || { log "warning: module $1 not found, assuming built in"; return 0; }
      die "module $1 not found under $moddir"
    fi
    if [[ $kind == optional && -f $moddir/modules.alias ]]; then
      seen[$name]=via-alias
      for alias in $(modprobe -S "$kver" -R "$1" 2>/dev/null); do add_module "$alias" optional; done
    fi
    return 0
  fi
  seen[$name]=visiting
  for dep in $(modinfo -F depends "$f" | tr ',' ' '); do add_module "$dep" "$kind"; done
  soft=$(modinfo -F softdep "$f" | sed -n 's/.*pre:\([^:]*\)\( post:.*\)\?$/\1/p')
  for dep in $soft; do add_module "$dep" optional; done
  seen[$name]=loaded
  load_order+=("$name")
}
for m in virtio_pci virtio_scsi sd_mod sg; do add_module "$m" required; done

root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules}
: >"$work/modules.load"
for name in "${load_order[@]}"; do
  f=${modfile[$name]}
  case $f in  # busybox insmod cannot read compressed modules
    *.ko.xz)  xz -dc "$f" ;;
    *.ko.zst) zstd -dcq "$f" ;;
    *.ko.gz)  gzip -dc "$f" ;;
    *)        cat "$f" ;;
  esac >"$root/lib/modules/$name.ko"
  echo "$name $([[ -n ${required[$name]:-} ]] && echo required || echo optional)" >>"$work/modules.load"
done
cp "$work/modules.load" "$root/lib/modules/load"
log "modules: $(cut -d' ' -f1 "$work/modules.load" | tr '\n' ' ')"

# ---- userland ------------------------------------------------------------------------------------------
cp "$busybox_bin" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
: >"$work/tools"
for ((i = 0; i < ${#sg_tools[@]}; i++)); do
  cp "${sg_bins[i]}" "$root/bin/${sg_tools[i]}"
  echo "${sg_tools[i]}" >>"$work/tools"
done
# The tools' shared libraries and the dynamic loader, at the paths ldd names (cp -L follows /lib64 etc.).
while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done < <(ldd "${sg_bins[@]}" | grep -o '^[[:space:]].*/[^ ]*' | grep -o '/[^ ]*' | sort -u)
install -m 0755 "$here/init" "$root/init"
echo "$kver" >"$root/kernel-version"

# Fixed mtimes, sorted names, owner root and gzip -n: the same inputs give the same bytes.
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --renumber-inodes --ignore-devno --quiet) |
  gzip -9n >"$work/initramfs.cpio.gz"

# ---- boot check ----------------------------------------------------------------------------------------
# Boots the ELF once under TCG (the way libvirt's <kernel> does) and waits for "VSGUEST ready", so a
# kernel that lost its PVH entry point is caught here and not in a live test. Then it sends one command on
# the second serial port (a QEMU pipe) and waits for its exit status: the command channel works and every
# sg3-utils tool finds its libraries. Returns 1 when the guest does not boot, 2 when the command fails.
smoke_boot() {
  local kernel=$1 serial=$work/serial.log pid t0=$EPOCHREALTIME i rc=1 t
  local check="smoke" cmd=$work/cmd
  for t in "${sg_tools[@]}"; do check+=" $t -V &&"; done
  check+=" true"
  : >"$serial"
  rm -f "$cmd.in" "$cmd.out"
  mkfifo "$cmd.in" "$cmd.out"
  qemu-system-x86_64 -machine pc,accel=tcg -m 256 -display none -no-reboot -nodefaults \
    -serial "file:$serial" -serial "pipe:$cmd" -kernel "$kernel" -initrd "$work/initramfs.cpio.gz" \
    -append "console=ttyS0 vsguest.commands=ttyS1 panic=-1" 2>"$work/qemu.err" &
  pid=$!
  for ((i = 0; i < 900; i++)); do
    if ((rc == 1)) && grep -q 'VSGUEST ready .*commands=ttyS1' "$serial"; then
      log "boot check: $(basename "$kernel") reached 'VSGUEST ready' in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}') s"
      rc=2
      # QEMU holds both fifos open read-write, so this open does not block.
      echo "$check" >"$cmd.in"
    fi
    if ((rc == 2)) && grep -q 'VSGUEST run-end smoke ' "$serial"; then
      grep -q 'VSGUEST run-end smoke rc=0' "$serial" && rc=0
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  case $rc in
    0) log "boot check: ${sg_tools[*]} run in the guest" ;;
    1) log "boot check: $(basename "$kernel") did not reach 'VSGUEST ready'; serial log tail:" ;;
    2) log "boot check: the command '${check#smoke }' did not succeed in the guest; serial log tail:" ;;
  esac
  ((rc == 0)) || tail -n 20 "$serial" >&2
  return "$rc"
}
if [[ ${VIRTIOSCSI_GUEST_SMOKE:-1} != 0 ]] && command -v qemu-system-x86_64 >/dev/null; then
  smoke_boot "$work/vmlinux" || rc=$?
  if ((${rc:-0} == 1)); then
    # Fallback: a bzImage also boots with QEMU's -kernel; keep the file name the tests use.
    smoke_boot "$work/vmlinuz" || die "the guest does not boot"
    log "falling back: vmlinux is a copy of vmlinuz"
    cp "$work/vmlinuz" "$work/vmlinux"
  elif ((${rc:-0} == 2)); then
    die "the guest's command channel or its sg3-utils tools do not work"
  fi
fi

# ---- publish -------------------------------------------------------------------------------------------
for f in vmlinux vmlinuz initramfs.cpio.gz modules.load tools; do
  cp "$work/$f" "$out/$f.tmp" && mv -f "$out/$f.tmp" "$out/$f"
done
echo "$stamp" >"$out/.stamp"
log "built kernel $kver, initramfs $(du -k "$out/initramfs.cpio.gz" | cut -f1) KiB"
echo "$out"
