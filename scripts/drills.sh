#!/usr/bin/env bash
# Runs the drill suite (test/drills) from a build directory and prints the reliability table made
# from the suite's own JSON output by scripts/drills-report.mjs.
#   bash scripts/drills.sh [OUTDIR] [--write-doc]
# OUTDIR: where `tsc` put the build (default dist). --write-doc also rewrites docs/reliability.md;
# DRILLS_REPORT=FILE writes the same page to FILE instead.
# Exits with mocha's status, so a failing drill fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/node.sh
outdir="dist"
write_doc="${DRILLS_REPORT:-}"
for arg in "$@"; do
  case "$arg" in
    --write-doc) write_doc="docs/reliability.md" ;;
    *) outdir="$arg" ;;
  esac
done
work="$(mktemp -d "${TMPDIR:-/tmp}/cto-drills-XXXXXX")"
export DRILLS_METRICS_DIR="$work/metrics"
npx mocha --timeout 900000 --reporter json --reporter-option "output=$work/results.json" \
  "$outdir/test/drills/**/*.test.js"
status=$?
if [ ! -s "$work/results.json" ]; then
  echo "drills: mocha wrote no results (exit $status)" >&2
  exit "${status/#0/1}"
fi
node scripts/drills-report.mjs "$work/results.json" "$DRILLS_METRICS_DIR"
echo
# The table keeps each failure's first line; CI keeps only this output, so print the whole message
# (the failing command's output tail, as the drill's assertion put it) before the results go.
node --input-type=module -e '
  import { readFileSync } from "node:fs";
  for (const t of JSON.parse(readFileSync(process.argv[1], "utf8")).failures ?? [])
    console.log(`-- failed: ${t.fullTitle}\n${String(t.err?.message ?? "").slice(0, 12000)}\n`);
' "$work/results.json"
if [ -n "$write_doc" ]; then
  node scripts/drills-report.mjs "$work/results.json" "$DRILLS_METRICS_DIR" --write "$write_doc"
  echo "wrote $write_doc"
fi
rm -rf "$work"
exit "$status"
