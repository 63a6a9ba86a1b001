#!/usr/bin/env bash
# The offline demo: from a fresh clone to an installed platform on a simulated cluster, offline,
# ending with `cto status`. It becomes the README's main job (`npm run demo`) once it has run end
# to end. Steps:
#   1. Node 22, dependencies, build;
#   2. the offline toolchain (Pulumi engine and providers, kube-apiserver & co, etcd, kwok), built
#      from the Go module proxy on the first run (~15 min on 2 cores), cached afterwards;
#   3. the chart mirror: stand-in charts served as a Helm repository on 127.0.0.1;
#   4. `cto up` of examples/cto.yaml (environment dev, cluster provider `simulated`) with every
#      chart repository pointed at the mirror;
#   5. `cto status`.
# The stand-in charts carry the real charts' names, CRDs and workload names but are for this
# offline demo only; real installs use the official charts. Everything the demo creates lives
# under $CTO_DEMO_HOME (default ~/.cto-demo); `bash scripts/demo-offline.sh --destroy` removes it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build >/dev/null

DEMO=${CTO_DEMO_HOME:-$HOME/.cto-demo}
mkdir -p "$DEMO"
export CTO_HOME="$DEMO/home"
export CI=${CI:-true}
cto() { node dist/cli/bin.js "$@"; }

echo "[demo] toolchain (built on the first run, cached afterwards)"
CTO_TOOLCHAIN_BIN=$(bash scripts/toolchain.sh | tail -1)
export CTO_TOOLCHAIN_BIN

echo "[demo] chart mirror on 127.0.0.1"
rm -f "$DEMO/mirror.url"
node dist/test/helpers/chart-mirror-main.js --dir "$DEMO/charts" --url-file "$DEMO/mirror.url" &
MIRROR_PID=$!
trap 'kill "$MIRROR_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s "$DEMO/mirror.url" ] && break; sleep 0.2; done
[ -s "$DEMO/mirror.url" ] || { echo "[demo] the chart mirror did not start" >&2; exit 1; }
MIRROR=$(cat "$DEMO/mirror.url")

# examples/cto.yaml as it is, plus the air-gapped mirror: charts.default.repository for every
# chart, and the controller chart's repository through the variable the example reads.
node --input-type=module -e '
  import { readFileSync, writeFileSync } from "node:fs";
  import YAML from "yaml";
  const [src, dst, mirror] = process.argv.slice(1);
  const doc = YAML.parseDocument(readFileSync(src, "utf8"));
  doc.setIn(["charts", "default", "repository"], mirror);
  writeFileSync(dst, doc.toString());
' examples/cto.yaml "$DEMO/cto.yaml" "$MIRROR"
export CTO_CONTROLLER_CHARTS="$MIRROR"

if [ "${1:-}" = "--destroy" ]; then
  cto destroy -f "$DEMO/cto.yaml" --env dev --yes
  exit 0
fi

echo "[demo] cto up -f $DEMO/cto.yaml --env dev --yes"
cto up -f "$DEMO/cto.yaml" --env dev --yes
echo "[demo] cto status -f $DEMO/cto.yaml --env dev"
cto status -f "$DEMO/cto.yaml" --env dev
echo
echo "[demo] installed on a simulated cluster with stand-in charts (offline demo only; real installs use the official charts)."
echo "[demo] remove it with: bash scripts/demo-offline.sh --destroy"
