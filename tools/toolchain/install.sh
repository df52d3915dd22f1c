#!/usr/bin/env bash
# The PowerShell toolchain the tests, the demo and the benchmark run on, from NuGet only, pinned:
#   tools/toolchain/install.sh pwsh     prints the path of a pwsh to use
#   tools/toolchain/install.sh pester   prints a module folder that holds Pester (for PSModulePath)
# pwsh: $VIRTIOSCSI_PWSH if set; else a pwsh 7.2 or later on PATH; else PowerShell 7.6.9 installed as a
# .NET tool into out/toolchain/pwsh (needs only the .NET SDK). Pester: always the pinned 5.9.1, restored
# into out/toolchain/Modules, so every run tests with the same Pester whatever the machine has.
# Progress goes to stderr; stdout carries only the path.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
toolchain="$root/out/toolchain"
pwsh_version=7.6.9
pester_version=5.9.1

suitable_pwsh() {
  # A pwsh that starts and is 7.2 or later (the tests use 7.2 features; 7.6.9 is what CI runs).
  local candidate=$1
  "$candidate" -NoProfile -NonInteractive -Command \
    'if ($PSVersionTable.PSVersion -ge [version]"7.2") { exit 0 } else { exit 1 }' >/dev/null 2>&1
}

find_pwsh() {
  if [[ -n "${VIRTIOSCSI_PWSH:-}" ]]; then
    suitable_pwsh "$VIRTIOSCSI_PWSH" || { echo "toolchain: VIRTIOSCSI_PWSH=$VIRTIOSCSI_PWSH is not a working pwsh 7.2+" >&2; exit 1; }
    echo "$VIRTIOSCSI_PWSH"; return
  fi
  local on_path
  on_path=$(command -v pwsh || true)
  if [[ -n "$on_path" ]] && suitable_pwsh "$on_path"; then echo "$on_path"; return; fi
  local tool="$toolchain/pwsh/pwsh"
  if [[ ! -x "$tool" ]] || ! suitable_pwsh "$tool"; then
    command -v dotnet >/dev/null || { echo "toolchain: no pwsh on PATH and no .NET SDK to install one (see README, Prerequisites)" >&2; exit 1; }
    echo "toolchain: installing PowerShell $pwsh_version as a .NET tool into $toolchain/pwsh" >&2
    rm -rf "$toolchain/pwsh"
    dotnet tool install --tool-path "$toolchain/pwsh" PowerShell --version "$pwsh_version" >&2
    suitable_pwsh "$tool" || { echo "toolchain: the installed pwsh does not start" >&2; exit 1; }
  fi
  echo "$tool"
}

find_pester() {
  local modules="$toolchain/Modules"
  local target="$modules/Pester/$pester_version"
  if [[ ! -f "$target/Pester.psd1" ]]; then
    echo "toolchain: restoring Pester $pester_version from NuGet into $modules" >&2
    local packages="$toolchain/packages"
    dotnet restore "$root/tools/toolchain/Pester.proj" --packages "$packages" -p:PesterVersion="$pester_version" \
      -p:BaseIntermediateOutputPath="$toolchain/obj/" --nologo -v quiet >&2
    rm -rf "$target"
    mkdir -p "$target"
    cp -r "$packages/pester/$pester_version/tools/." "$target/"
  fi
  echo "$modules"
}

case "${1:-}" in
  pwsh) find_pwsh ;;
  pester) find_pester ;;
  *) echo "usage: $0 pwsh|pester" >&2; exit 2 ;;
esac
