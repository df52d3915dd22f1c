#!/usr/bin/env bash
# Builds the benchmark and the module in Release, then runs the benchmark against the live libvirt
# (qemu:///system) and the project's tgtd. Arguments go to the benchmark:
#   bench/run.sh                 # N = 1000 domains
#   bench/run.sh --domains 100   # as CI runs it
#   bench/run.sh --help
# The build writes only under bench/.out (its own bin/obj for this project and for src/), so it does not
# disturb a build or test run in src/ or out/ at the same time. Needs the stack from .ci/setup-stack.sh.
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$bench")"
artifacts="$bench/.out/artifacts"

mkdir -p "$bench/.out"
# virt-xml (Debian's virtinst) is the peer a Linux admin would otherwise use for part b; installed as root.
if ! command -v virt-xml >/dev/null && [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "vsbench: installing virtinst (virt-xml) ..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends virtinst >"$bench/.out/apt.log" 2>&1 ||
    echo "vsbench: virtinst could not be installed (see bench/.out/apt.log); virt-xml will not be measured" >&2
fi
echo "vsbench: building (Release) into bench/.out ..." >&2
dotnet build "$bench/VirtioScsi.Bench/VirtioScsi.Bench.csproj" -c Release --nologo -v quiet \
  --artifacts-path "$artifacts" >"$bench/.out/build.log" 2>&1 || {
  cat "$bench/.out/build.log" >&2
  echo "vsbench: the build failed" >&2
  exit 1
}

# The module as build.ps1 lays it out (DLL, manifest, format file, help), staged from this build's DLL.
version=$(sed -n "s/^[[:space:]]*ModuleVersion[[:space:]]*=[[:space:]]*'\([0-9.]*\)'.*/\1/p" "$root/VirtioScsi.psd1")
module="$bench/.out/module/VirtioScsi/$version"
rm -rf "$bench/.out/module"
mkdir -p "$module/en-US"
cp "$artifacts/bin/VirtioScsi.PowerShell/release/VirtioScsi.PowerShell.dll" "$module/"
cp "$root/VirtioScsi.psd1" "$root/VirtioScsi.Format.ps1xml" "$root/VirtioScsi.Types.ps1xml" "$module/"
cp -r "$root/en-US/." "$module/en-US/"

# The pwsh part runs on the toolchain's pwsh (one on PATH, else the pinned .NET tool), unless --no-pwsh.
pwsh_args=()
if [[ " $* " != *" --no-pwsh "* && " $* " != *" --pwsh "* ]]; then
  pwsh_args=(--pwsh "$(bash "$root/tools/toolchain/install.sh" pwsh)")
fi

exec dotnet "$artifacts/bin/VirtioScsi.Bench/release/VirtioScsi.Bench.dll" --module "$module/VirtioScsi.psd1" "${pwsh_args[@]}" "$@"
