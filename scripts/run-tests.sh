#!/usr/bin/env bash
# The README's test command (`npm test`): every tier, on a fresh machine.
# Gets Node >= 22 if the machine's is older, installs dependencies when the lock file changed,
# builds, then runs the tiers in order from fastest to slowest. The drills tier (test/drills) runs
# last, through scripts/drills.sh, which prints the reliability table made from the suite's output.
# The release tier (test/release) runs `npm run release:build`'s code once into a temporary
# directory (all five executables, archives, npm tarball, formula) and tests those artifacts.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build

tiers=(unit components cli release drills)
for tier in "${tiers[@]}"; do
  if compgen -G "dist/test/$tier/*.test.js" >/dev/null || compgen -G "dist/test/$tier/**/*.test.js" >/dev/null; then
    echo "== test/$tier"
    if [ "$tier" = drills ]; then
      bash scripts/drills.sh dist
    else
      npx mocha "dist/test/$tier/**/*.test.js"
    fi
  fi
done
