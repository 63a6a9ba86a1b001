#!/usr/bin/env bash
# The README's main-job command (`npm run demo`): from a fresh clone, validate the bundled example
# configuration and show the fully resolved plan that `cto up` applies.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build >/dev/null
cto() { node dist/cli/bin.js "$@"; }
cto config validate -f examples/cto.yaml
cto config show -f examples/cto.yaml --env dev --resolved
