#!/usr/bin/env bash
# The project's test command: the xunit suite (core, corpus, live libvirt) and, where a pwsh exists, the
# Pester suites against the built module. Ends with one line "N passed, M failed" counting both.
# The live suites need the stack from .ci/setup-stack.sh (root); set VIRTIOSCSI_REQUIRE_LIVE=1 to make a
# missing stack fail the run instead of skipping those tests.
set -uo pipefail
cd "$(dirname "$0")/.."
results="$PWD/out/test-results"
rm -rf "$results"
mkdir -p "$results"

passed=0 failed=0 skipped=0
status=0

echo "== xunit: core, corpus and live libvirt suites"
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

pwsh_bin=$(command -v pwsh || true)
[[ -z "$pwsh_bin" && -x /opt/pwsh-local/pwsh ]] && pwsh_bin=/opt/pwsh-local/pwsh
if [[ -n "$pwsh_bin" ]]; then
  echo "== Pester: cmdlet suites with $pwsh_bin"
  if "$pwsh_bin" -NoProfile -NonInteractive -File ./build.ps1 -Task Build; then
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
else
  echo "== Pester: no pwsh on this machine (PATH or /opt/pwsh-local/pwsh): the Pester suites did not run"
fi

if ((failed > 0)); then status=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
