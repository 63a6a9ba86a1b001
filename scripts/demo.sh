#!/usr/bin/env bash
# The README's main-job command (`npm run demo`): from a fresh clone to an installed platform on
# the embedded default (local file state, a simulated cluster), offline, ending with `cto status`.
#   1. Node 22, dependencies, build;
#   2. the offline toolchain (Pulumi engine and kubernetes provider, kube-apiserver & co, etcd,
#      kwok), built from the Go module proxy on the first run (~15 min on an idle 2-core machine),
#      cached afterwards;
#   3. `cto config validate` of examples/cto.yaml;
#   4. the chart mirror: stand-in charts served as a Helm repository on 127.0.0.1 (the air-gapped
#      mirror feature: `charts.default.repository`);
#   5. `cto up` of environment dev (cluster provider `simulated`), then `cto status`.
# The stand-in charts carry the real charts' names, CRDs and workload names but are for this
# offline demo only; real installs use the official charts. Everything the demo creates lives
# under $CTO_DEMO_HOME (default ~/.cto-demo); `npm run demo -- --destroy` removes it.
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
# No prompts: the demo runs the same in a terminal and in CI.
export CI=true
cto() { node dist/cli/bin.js "$@"; }

echo "[demo] toolchain (built on the first run, cached afterwards)"
CTO_TOOLCHAIN_BIN=$(bash scripts/toolchain.sh | tail -1)
export CTO_TOOLCHAIN_BIN

echo "[demo] cto config validate -f examples/cto.yaml"
cto config validate -f examples/cto.yaml

echo "[demo] chart mirror on 127.0.0.1"
# The same port as last time when it is free, so a second run previews no chart repository change.
start_mirror() {
  rm -f "$DEMO/mirror.url"
  node dist/test/helpers/chart-mirror-main.js --dir "$DEMO/charts" --port "$1" --url-file "$DEMO/mirror.url" &
  MIRROR_PID=$!
  for _ in $(seq 1 150); do
    [ -s "$DEMO/mirror.url" ] && return 0
    kill -0 "$MIRROR_PID" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}
trap 'kill "${MIRROR_PID:-}" 2>/dev/null || true' EXIT
previous=$(sed -n 's#^http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$DEMO/mirror.last" 2>/dev/null || true)
if ! start_mirror "${previous:-0}" && ! start_mirror 0; then
  echo "[demo] the chart mirror did not start" >&2
  exit 1
fi
cp "$DEMO/mirror.url" "$DEMO/mirror.last"
MIRROR=$(cat "$DEMO/mirror.url")

# examples/cto.yaml as it is, plus the air-gapped mirror: charts.default.repository for every chart
# (the platform's own objects come with cto).
node --input-type=module -e '
  import { readFileSync, writeFileSync } from "node:fs";
  import YAML from "yaml";
  const [src, dst, mirror] = process.argv.slice(1);
  const doc = YAML.parseDocument(readFileSync(src, "utf8"));
  doc.setIn(["charts", "default", "repository"], mirror);
  writeFileSync(dst, doc.toString());
' examples/cto.yaml "$DEMO/cto.yaml" "$MIRROR"

if [ "${1:-}" = "--destroy" ]; then
  echo "[demo] cto destroy -f $DEMO/cto.yaml --env dev --yes"
  cto destroy -f "$DEMO/cto.yaml" --env dev --yes
  exit 0
fi

echo "[demo] cto up -f $DEMO/cto.yaml --env dev --yes"
cto up -f "$DEMO/cto.yaml" --env dev --yes
echo "[demo] cto status -f $DEMO/cto.yaml --env dev"
cto status -f "$DEMO/cto.yaml" --env dev
echo
echo "[demo] installed on a simulated cluster with stand-in charts (offline demo only; real installs use the official charts)."
echo "[demo] kubectl --kubeconfig $CTO_HOME/clusters/acme-platform/kubeconfig get pods -A   # look around"
echo "[demo] remove everything: npm run demo -- --destroy"
