#!/usr/bin/env bash
# The README's test command (`npm test`): every tier, on a fresh machine.
# Gets Node >= 22 if the machine's is older, installs dependencies when the lock file changed,
# builds, then runs the tiers in order from fastest to slowest. The e2e tier (test/e2e) runs the
# real Pulumi engine against a real Kubernetes API server (kwok's simulated cluster): it needs the
# offline toolchain, built here on a cache miss (~15 min cold on 2 cores, < 1 s when cached).
# The drills tier (test/drills: interrupted, concurrent and hostile runs, secrets, teardown, on the
# real engine) runs last, through scripts/drills.sh, which prints the reliability table made from
# the suite's output (DRILLS_REPORT=FILE also writes it there, e.g. docs/reliability.md).
# The release tier (test/release) runs `npm run release:build`'s code once into a temporary
# directory (all five executables, archives, npm tarball, formula) and tests those artifacts.
#
# Before anything runs, scripts/test-needs.sh installs (or names, all at once) the programs the
# chosen tiers use: tmux, ruby, zip, unzip, kubectl. `lint` (npm run lint) is a tier too, first in
# the default list, so `npm test` alone runs what CI (.ci/run) runs.
#
# Usage: scripts/run-tests.sh [tier...]   (default: lint unit components cli release e2e drills)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node.sh
echo "[test] node $(node --version), npm $(npm --version)"

tiers=("$@")
((${#tiers[@]})) || tiers=(lint unit components cli release e2e drills)
source scripts/test-needs.sh
cto_test_needs "${tiers[@]}"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build

# Each tier's wall time, printed together at the end (the README's "Time per tier" comes from it).
times="$(mktemp "${TMPDIR:-/tmp}/cto-test-times-XXXXXX")"
trap 'rm -f "$times" "${cli_log:-}"' EXIT

# cli (secrets/github commands store encrypted stack config), e2e and drills run the real Pulumi
# CLI and API server from the offline toolchain: built here on a cache miss, < 1 s when cached.
ensure_toolchain() {
  [ -z "${CTO_TOOLCHAIN_BIN:-}" ] || return 0
  local t
  t=$(date +%s)
  CTO_TOOLCHAIN_BIN=$(bash scripts/toolchain.sh | tail -1) || return 1
  export CTO_TOOLCHAIN_BIN
  echo "[test] toolchain ready in $(($(date +%s) - t))s: $CTO_TOOLCHAIN_BIN"
}

# Runs one tier and appends "<tier> <seconds>s" to $times; returns the tier's status.
run_tier() {
  local tier=$1 t status=0
  if [ "$tier" != lint ] && ! compgen -G "dist/test/$tier/*.test.js" >/dev/null &&
    ! compgen -G "dist/test/$tier/**/*.test.js" >/dev/null; then
    return 0
  fi
  if [[ " cli e2e drills " == *" $tier "* ]]; then ensure_toolchain || return 1; fi
  if [ "$tier" = lint ]; then echo "== lint"; else echo "== test/$tier"; fi
  t=$(date +%s)
  case "$tier" in
    lint) npm run lint || status=$? ;;
    drills) bash scripts/drills.sh dist || status=$? ;;
    # One process per file, one file at a time unless CTO_E2E_JOBS says more; see scripts/run-e2e.sh.
    e2e) bash scripts/run-e2e.sh dist || status=$? ;;
    *) npx mocha "dist/test/$tier/**/*.test.js" || status=$? ;;
  esac
  echo "[test] $tier done in $(($(date +%s) - t))s$([ "$status" = 0 ] || echo " (failed, exit $status)")"
  echo "$tier $(($(date +%s) - t))s" >>"$times"
  return "$status"
}

# The tiers before e2e need no cluster, and each is one Node process at a time, so on two or more
# cores the cli tier (the longest: it starts the built cto hundreds of times) runs beside the
# others, its output printed whole when it ends. CTO_TEST_JOBS=1 runs them one after another.
# e2e and drills always run alone, after them: each of their files starts a kwok control plane,
# whose controller-manager gives up at start when the API server is slow under load.
jobs="${CTO_TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}"
failed=()
main_lane=()
side_lane=false
for tier in "${tiers[@]}"; do
  if [ "$tier" = cli ] && ((jobs > 1)); then side_lane=true; else main_lane+=("$tier"); fi
done
# The side lane pays only beside another tier before e2e; without one, cli runs in the foreground.
if $side_lane && ! [[ " ${main_lane[*]} " =~ " "(lint|unit|components|release)" " ]]; then
  side_lane=false
  main_lane=("${tiers[@]}")
fi
if $side_lane; then
  ensure_toolchain
  cli_log="$(mktemp "${TMPDIR:-/tmp}/cto-test-cli-XXXXXX")"
  echo "[test] cli runs beside the other tiers before e2e; its output follows when it ends"
  run_tier cli >"$cli_log" 2>&1 &
  cli_pid=$!
fi
for tier in "${main_lane[@]}"; do
  # Every tier before e2e finishes first, the side lane included: e2e and drills run alone.
  if [[ " e2e drills " == *" $tier "* ]] && [ -n "${cli_pid:-}" ]; then
    wait "$cli_pid" || failed+=(cli)
    cat "$cli_log"
    cli_pid=
    ((${#failed[@]} == 0)) || break
  fi
  run_tier "$tier" || failed+=("$tier")
  ((${#failed[@]} == 0)) || break # the first failing tier ends the run (the side lane is awaited)
done
if [ -n "${cli_pid:-}" ]; then
  wait "$cli_pid" || failed+=(cli)
  cat "$cli_log"
fi
mapfile -t summary <"$times"
echo "[test] time per tier: ${summary[*]}"
if ((${#failed[@]})); then
  echo "[test] failed: ${failed[*]}" >&2
  exit 1
fi
