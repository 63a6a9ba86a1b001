#!/usr/bin/env bash
# The e2e tier: every test/e2e file in its own mocha process (the inline Pulumi programs of some
# files run inside the test process, and the Pulumi SDK keeps per-process state; a file must not
# see what an earlier one left), CTO_E2E_JOBS of them at a time (default 1).
#
# Running two side by side is safe: each file has its own sandbox (HOME, CTO_HOME, PULUMI_HOME,
# file backend, chart mirror on a free port) and its own kwok clusters under it, and kwokctl's
# cluster creation, which picks the API server's ports, is serialised machine-wide by the create
# lock in components/cluster/simulated.ts. More than two only slows each file down on a 2-core
# machine (the engine, the API server and etcd of each file share the cores).
# The default is one at a time: in a CI run with two side by side, a kwok cluster's
# kube-controller-manager gave up at start ("failed to wait for apiserver being healthy", the
# API server's RBAC bootstrap slower than its 10 s under the load), kwokctl does not restart it,
# and without its namespace controller the file's destroy waited forever on Terminating namespaces.
#
# A file's output is printed whole when it ends (never interleaved), followed by its time; the
# summary lists every file's time, slowest first, and the failed ones.
#   bash scripts/run-e2e.sh [OUTDIR]   (default dist)
set -uo pipefail
cd "$(dirname "$0")/.."
outdir="${1:-dist}"
jobs="${CTO_E2E_JOBS:-1}"
logs="$(mktemp -d "${TMPDIR:-/tmp}/cto-e2e-XXXXXX")"
trap 'rm -rf "$logs"' EXIT

# The stand-in chart repository every file serves is the same for the whole run: built once here
# (about 13 s), each file copies it (test/helpers/chart-repo.ts defaultChartRepo) instead of
# building its own. A file run alone builds its own as before.
if node --input-type=module -e '
  const m = await import(process.argv[1]);
  await m.buildChartRepo(process.argv[2], await m.defaultChartVersions());
' "$PWD/$outdir/test/helpers/chart-repo.js" "$logs/charts"; then
  export CTO_E2E_CHART_REPO="$logs/charts"
else
  echo "[e2e] building the shared stand-in chart repository failed; each file builds its own" >&2
fi

files=("$outdir"/test/e2e/*.test.js)
declare -A file_of=() start_of=() log_of=()
failed=()
times=()

finish() {
  local pid=$1 rc=$2 file=${file_of[$1]}
  local seconds=$(($(date +%s) - start_of[$1]))
  echo "-- $file (exit $rc, ${seconds}s)"
  cat "${log_of[$pid]}"
  times+=("$seconds $file")
  ((rc == 0)) || failed+=("$file")
  unset "file_of[$pid]"
}

n=0
for file in "${files[@]}"; do
  while ((${#file_of[@]} >= jobs)); do
    wait -n -p done_pid
    rc=$?
    finish "$done_pid" "$rc"
  done
  n=$((n + 1))
  node_modules/.bin/mocha "$file" >"$logs/$n.log" 2>&1 &
  pid=$!
  log_of[$pid]="$logs/$n.log"
  file_of[$pid]=$file
  start_of[$pid]=$(date +%s)
done
while ((${#file_of[@]} > 0)); do
  wait -n -p done_pid
  rc=$?
  finish "$done_pid" "$rc"
done

echo "[e2e] time per file, slowest first:"
printf '%s\n' "${times[@]}" | sort -rn | awk '{ printf "  %5ss  %s\n", $1, $2 }'
if ((${#failed[@]})); then
  echo "[test] e2e failed: ${failed[*]}" >&2
  exit 1
fi
