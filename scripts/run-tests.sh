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
summary=()
for tier in "${tiers[@]}"; do
  if [ "$tier" = lint ]; then
    t=$(date +%s)
    echo "== lint"
    npm run lint
    echo "[test] lint done in $(($(date +%s) - t))s"
    summary+=("lint $(($(date +%s) - t))s")
    continue
  fi
  if compgen -G "dist/test/$tier/*.test.js" >/dev/null || compgen -G "dist/test/$tier/**/*.test.js" >/dev/null; then
    # cli (secrets/github commands store encrypted stack config), e2e and drills run the real
    # Pulumi CLI and API server from the offline toolchain.
    if [[ " cli e2e drills " == *" $tier "* ]] && [ -z "${CTO_TOOLCHAIN_BIN:-}" ]; then
      t=$(date +%s)
      CTO_TOOLCHAIN_BIN=$(bash scripts/toolchain.sh | tail -1)
      export CTO_TOOLCHAIN_BIN
      echo "[test] toolchain ready in $(($(date +%s) - t))s: $CTO_TOOLCHAIN_BIN"
    fi
    echo "== test/$tier"
    t=$(date +%s)
    if [ "$tier" = drills ]; then
      bash scripts/drills.sh dist
    elif [ "$tier" = e2e ]; then
      # One process per file, one file at a time unless CTO_E2E_JOBS says more; see scripts/run-e2e.sh.
      bash scripts/run-e2e.sh dist
    else
      npx mocha "dist/test/$tier/**/*.test.js"
    fi
    echo "[test] $tier done in $(($(date +%s) - t))s"
    summary+=("$tier $(($(date +%s) - t))s")
  fi
done
echo "[test] time per tier: ${summary[*]}"
