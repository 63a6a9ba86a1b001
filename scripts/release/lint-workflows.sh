#!/usr/bin/env bash
# Lints .github/workflows with actionlint, built once from the Go module proxy into the cache
# (a pinned version; Go is needed only on the first run). Part of `npm run lint`.
set -euo pipefail
cd "$(dirname "$0")/../.."
ACTIONLINT_VERSION=v1.7.12
bin_dir="${CTO_CACHE_DIR:-$HOME/.cache/cto}/tools/actionlint-$ACTIONLINT_VERSION"
if [ ! -x "$bin_dir/actionlint" ]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "[actionlint] Go is needed once to build actionlint $ACTIONLINT_VERSION (apt-get install golang, or see go.dev)" >&2
    exit 1
  fi
  echo "[actionlint] building actionlint $ACTIONLINT_VERSION into $bin_dir" >&2
  mkdir -p "$bin_dir"
  GOBIN="$bin_dir" GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi
# shellcheck (if installed) also checks the run: scripts; actionlint skips that check without it.
"$bin_dir/actionlint" -no-color .github/workflows/*.yml
echo "[actionlint] .github/workflows OK"
