#!/usr/bin/env bash
# The project's test command: prepares what the tests need, then runs the xunit suite (core, corpus, live
# libvirt, in-process cmdlets) and the Pester suites against the built module, in pwsh. Ends with one line
# "N passed, M failed, K skipped" counting both.
#
# As root it first prepares the live stack (.ci/setup-stack.sh: packages, libvirtd, QEMU, tgtd; and
# .ci/setup-remote.sh: an sshd on 127.0.0.1:12222 in front of a second libvirt daemon); without
# root the live tests report themselves skipped where the stack is missing, unless VIRTIOSCSI_REQUIRE_LIVE=1
# makes a missing stack fail them. pwsh and Pester come from tools/toolchain/install.sh (a pwsh 7.2+ on
# PATH, else PowerShell 7.6.9 as a .NET tool; Pester 5.9.1, pinned): one that cannot be had fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."
results="$PWD/out/test-results"
rm -rf "$results"
mkdir -p "$results"

passed=0 failed=0 skipped=0
status=0

echo "== PowerShell toolchain"
pwsh_bin=$(bash tools/toolchain/install.sh pwsh) || pwsh_bin=""
pester_modules=$(bash tools/toolchain/install.sh pester) || pester_modules=""
if [[ -n "$pwsh_bin" ]]; then
  echo "pwsh: $pwsh_bin ($("$pwsh_bin" -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()'))"
  # The in-process xunit tests and anything else that starts "a pwsh" find this one first.
  export PATH="$(dirname "$pwsh_bin"):$PATH"
fi

if [[ $EUID -eq 0 ]]; then
  echo "== Preparing the live stack (.ci/setup-stack.sh) and the second host (.ci/setup-remote.sh)"
  bash .ci/setup-stack.sh || { echo "setup-stack failed: the live suites cannot run"; failed=$((failed + 1)); }
  VIRTIOSCSI_PWSH="$pwsh_bin" bash .ci/setup-remote.sh || { echo "setup-remote failed: the remote suites cannot run"; failed=$((failed + 1)); }
fi

echo "== xunit: core, corpus, live libvirt and in-process cmdlet suites"
dotnet test tests/VirtioScsi.Tests -c Release --nologo \
  --logger "trx;LogFileName=xunit.trx" --logger "console;verbosity=detailed" \
  --results-directory "$results" || status=1
trx="$results/xunit.trx"
if [[ -f "$trx" ]]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  count() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  total=$(count total); executed=$(count executed); xpassed=$(count passed); xfailed=$(count failed)
  passed=$((passed + ${xpassed:-0}))
  failed=$((failed + ${xfailed:-0}))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
else
  echo "xunit wrote no results: the build or the test host failed"
  failed=$((failed + 1))
fi

if [[ -z "$pwsh_bin" || -z "$pester_modules" ]]; then
  echo "== Pester: no pwsh or no Pester could be had (see the toolchain lines above): the Pester suites did not run"
  failed=$((failed + 1))
else
  echo "== Pester: cmdlet suites with $pwsh_bin and Pester from $pester_modules"
  if "$pwsh_bin" -NoProfile -NonInteractive -File ./build.ps1 -Task Build; then
    PSModulePath="$pester_modules${PSModulePath:+:$PSModulePath}" \
      "$pwsh_bin" -NoProfile -NonInteractive -File tests/Pester/Invoke-PesterSuites.ps1 -ResultFile "$results/pester.txt" || status=1
    if [[ -f "$results/pester.txt" ]]; then
      read -r ppassed pfailed pskipped < "$results/pester.txt"
      passed=$((passed + ppassed)); failed=$((failed + pfailed)); skipped=$((skipped + pskipped))
    else
      echo "Pester wrote no results"
      failed=$((failed + 1))
    fi
  else
    echo "build.ps1 failed: the Pester suites did not run"
    failed=$((failed + 1))
  fi
fi

if ((failed > 0)); then status=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
