#!/usr/bin/env bash
# Builds the offline toolchain (Pulumi CLI, resource plugins, a Kubernetes
# control plane, etcd, kwok) from the Go module proxy, into a cache directory
# keyed by a hash of the pinned versions:
#
#   ${CTO_TOOLCHAIN_CACHE:-$HOME/.cache/cto/toolchain}/<hash>/bin/
#
# A hit (every binary present with its .complete marker) costs seconds; a miss
# rebuilds only what is missing. Progress goes to stderr; the bin dir is the
# last line of stdout:   BIN=$(bash scripts/toolchain.sh | tail -1)
# It is also written to $HOME/.cache/cto/toolchain/current.
#
# Usage: scripts/toolchain.sh [piece...]   (default: all pieces)
#   pieces: pulumi language-nodejs kubernetes-provider kube etcd kwok
# Env:    CTO_TOOLCHAIN_CACHE  cache root (default ~/.cache/cto/toolchain)
#
# What is pinned and why: toolchain/versions.env and toolchain/README.md.
# >>> download path (not part of the cache key: scripts/toolchain-download.sh) >>>
# Download first: a missing binary is first fetched as the pinned official release file, SHA-256
# checked against its publisher's checksum file and profiles/tool-digests.yaml (CTO_TOOLS_MIRROR
# and CTO_TOOLS_MIRROR_<TOOL> for mirrors, CTO_TOOLCHAIN_DOWNLOAD=0 to always build), and built
# from Go modules only when it cannot be had. The log says which path each binary took.
# <<< download path <<<
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TC="$ROOT/toolchain"
CACHE_ROOT=${CTO_TOOLCHAIN_CACHE:-$HOME/.cache/cto/toolchain}

log() { printf '[toolchain] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# shellcheck source=../toolchain/versions.env
source "$TC/versions.env"
# >>> download path (not part of the cache key) >>>
# shellcheck source=toolchain-download.sh
source "$ROOT/scripts/toolchain-download.sh"
# <<< download path <<<

# --- cache key --------------------------------------------------------------
# Everything that changes what gets built: the pinned versions, the wrapper
# modules (go.mod, go.sum and the few Go sources of our own) and this script.
KEY_FILES=(
  "$TC/versions.env"
  "$ROOT/scripts/toolchain.sh"
  "$TC"/*/go.mod
  "$TC"/*/go.sum
  "$TC/kubernetes-provider/main.go"
  "$TC/kubernetes-provider/gen/main.go"
)
HASH=$(
  cd "$ROOT"
  for f in "${KEY_FILES[@]}"; do
    printf '%s\n' "${f#"$ROOT"/}"
    cat "$f"
  done | sha256sum | cut -c1-16
)
# >>> download path (not part of the cache key) >>>
unset -f cat
# <<< download path <<<
DIR="$CACHE_ROOT/$HASH"
BIN="$DIR/bin"
STATE="$DIR/state"
SRC="$DIR/src"
mkdir -p "$BIN" "$STATE" "$SRC"

# Concurrent runs (CI, tests, another engineer) wait for each other.
exec 9>"$DIR/.lock"
if ! flock -n 9; then
  log "another toolchain build holds $DIR/.lock; waiting"
  flock 9
fi

# --- Go environment ---------------------------------------------------------
# -mod=mod: the wrapper modules are copied to $SRC and built there, never in
#   the work tree; their go.sum files are complete, so nothing is rewritten,
#   but a go.sum entry go wants and lacks is then fetched, not a hard error.
# -buildvcs=false: the copies in $SRC are not in a VCS checkout.
# CGO_ENABLED=0: static binaries, no C toolchain needed.
# GOSUMDB is left alone: every module is pinned by the committed go.sum files,
#   so the checksum database is only asked about modules missing from them.
# GOTOOLCHAIN=local: never download another Go toolchain (go.mod `go` lines
#   up to 1.26.0); fail instead if the machine's Go is older.
export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0
export GOTOOLCHAIN=local
read -r -a BUILD_FLAGS <<<"$GO_BUILD_FLAGS"

need_go() {
  command -v go >/dev/null || die "go is not on PATH: Go >= 1.26 is needed to build the toolchain (cache miss in $DIR)"
}

# --- helpers ----------------------------------------------------------------
now() { date +%s; }

is_done() { [[ -x "$BIN/$1" && -f "$STATE/$1.complete" ]]; }

mark_done() {
  printf 'built %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$STATE/$1.complete"
}

# Copy a wrapper module to $SRC/<name> (fresh), so the work tree stays untouched.
stage() {
  local name=$1
  rm -rf "${SRC:?}/$name"
  mkdir -p "$SRC/$name"
  cp -R "$TC/$name/." "$SRC/$name/"
}

# Check a wrapper go.mod requires the version versions.env pins.
require_pin() {
  local gomod=$1 module=$2 version=$3
  grep -Eq "^[[:space:]]*(require[[:space:]]+)?${module//./\\.} ${version//./\\.}( |$)" "$gomod" ||
    die "$gomod does not require $module $version (toolchain/versions.env): update one of them"
}

# go build one package of a staged module to $BIN/<out>, atomically.
# usage: gobuild <module dir> <out name> <package> <ldflags> [extra go flags...]
gobuild() {
  local dir=$1 out=$2 pkg=$3 ldflags=$4
  shift 4
  (cd "$dir" && go build "${BUILD_FLAGS[@]}" "$@" -ldflags "-s -w $ldflags" -o "$BIN/.$out.tmp" "$pkg")
  mv -f "$BIN/.$out.tmp" "$BIN/$out"
  mark_done "$out"
}

TOTAL_START=$(now)
BUILT=0

# run_step <binary> <function>: build unless cached, and time it.
run_step() {
  local bin=$1 fn=$2 t
  if is_done "$bin"; then
    log "$bin cached"
    return
  fi
  # >>> download path (not part of the cache key) >>>
  if try_download "$bin"; then return; fi
  # <<< download path <<<
  need_go
  log "$bin: building"
  t=$(now)
  "$fn" "$bin"
  log "$bin built in $(($(now) - t))s"
  BUILT=$((BUILT + 1))
}

# --- pieces -----------------------------------------------------------------
build_pulumi() {
  require_pin "$TC/pulumi/go.mod" github.com/pulumi/pulumi/pkg/v3 "v$PULUMI_VERSION"
  stage pulumi
  # The version ldflag is required: without it `pulumi version` prints nothing
  # and the Automation API cannot parse the CLI version.
  gobuild "$SRC/pulumi" pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
    -tags osusergo,grpcnotrace
}

build_language_nodejs() {
  require_pin "$TC/language-nodejs/go.mod" github.com/pulumi/pulumi/sdk/v3 "v$PULUMI_LANGUAGE_NODEJS_SDK"
  stage language-nodejs
  gobuild "$SRC/language-nodejs" pulumi-language-nodejs \
    github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_LANGUAGE_NODEJS_SDK" \
    -tags osusergo,grpcnotrace
}

build_kubernetes_provider() {
  local mod=github.com/pulumi/pulumi-kubernetes/provider/v4 moddir
  require_pin "$TC/kubernetes-provider/go.mod" "$mod" "$PULUMI_KUBERNETES_MODULE"
  stage kubernetes-provider
  moddir=$(cd "$SRC/kubernetes-provider" && go mod download -json "$mod@$PULUMI_KUBERNETES_MODULE" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -n "$moddir" && -f "$moddir/cmd/pulumi-resource-kubernetes/schema.json" ]] ||
    die "cannot find schema.json of $mod@$PULUMI_KUBERNETES_MODULE in the module cache"
  # Generated embed files live only in the staged copy, never in the repo.
  (cd "$SRC/kubernetes-provider" && go run ./gen -src "$moddir/cmd/pulumi-resource-kubernetes" \
    -out . -version "$PULUMI_KUBERNETES_PLUGIN_VERSION")
  gobuild "$SRC/kubernetes-provider" pulumi-resource-kubernetes . \
    "-X $mod/pkg/version.Version=$PULUMI_KUBERNETES_PLUGIN_VERSION"
}

KUBE_LDFLAGS=""
kube_ldflags() {
  local v=$KUBERNETES_VERSION p=k8s.io/component-base/version
  KUBE_LDFLAGS="-X $p.gitVersion=v$v -X $p.gitMajor=${v%%.*} -X $p.gitMinor=$(cut -d. -f2 <<<"$v")"
  KUBE_LDFLAGS+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
}

build_kube_component() {
  local bin=$1
  if [[ ! -f "$SRC/kube/.staged" ]]; then
    require_pin "$TC/kube/go.mod" k8s.io/kubernetes "v$KUBERNETES_VERSION"
    stage kube
    touch "$SRC/kube/.staged"
  fi
  kube_ldflags
  gobuild "$SRC/kube" "$bin" "k8s.io/kubernetes/cmd/$bin" "$KUBE_LDFLAGS"
}

build_etcd() {
  require_pin "$TC/etcd/go.mod" go.etcd.io/etcd/server/v3 "v$ETCD_VERSION"
  stage etcd
  gobuild "$SRC/etcd" etcd go.etcd.io/etcd/server/v3 ""
}

build_kwok_component() {
  local bin=$1
  if [[ ! -f "$SRC/kwok/.staged" ]]; then
    require_pin "$TC/kwok/go.mod" sigs.k8s.io/kwok "v$KWOK_VERSION"
    stage kwok
    touch "$SRC/kwok/.staged"
  fi
  gobuild "$SRC/kwok" "$bin" "sigs.k8s.io/kwok/cmd/$bin" ""
}

# Shell shims shipped inside @pulumi/pulumi on npm (not built): the dynamic
# provider host, and the policy analyzer when present. Copied next to the CLI.
copy_node_shims() {
  local src="$ROOT/node_modules/@pulumi/pulumi" f n=0
  [[ -d "$src" ]] || { log "node_modules/@pulumi/pulumi absent: skipping its plugin shims (run npm ci first)"; return; }
  for f in "$src"/pulumi-resource-pulumi-nodejs "$src"/pulumi-analyzer-policy*; do
    [[ -f "$f" && "$f" != *.cmd ]] || continue
    if ! cmp -s "$f" "$BIN/$(basename "$f")"; then
      cp "$f" "$BIN/" && chmod +x "$BIN/$(basename "$f")" && n=$((n + 1))
    fi
  done
  ((n == 0)) || log "copied $n plugin shim(s) from node_modules/@pulumi/pulumi"
}

# --- main -------------------------------------------------------------------
# Everything runs inside main, which bash reads whole before running it.
main() {
  PIECES=("$@")
  ((${#PIECES[@]})) || PIECES=(pulumi language-nodejs kubernetes-provider kube etcd kwok)

  log "cache $DIR"
  for piece in "${PIECES[@]}"; do
    case $piece in
      pulumi) run_step pulumi build_pulumi ;;
      language-nodejs) run_step pulumi-language-nodejs build_language_nodejs ;;
      kubernetes-provider) run_step pulumi-resource-kubernetes build_kubernetes_provider ;;
      kube)
        # Sequential on purpose: each one saturates both cores.
        for b in kube-apiserver kube-controller-manager kube-scheduler; do
          run_step "$b" build_kube_component
        done
        ;;
      etcd) run_step etcd build_etcd ;;
      kwok)
        run_step kwok build_kwok_component
        run_step kwokctl build_kwok_component
        ;;
      *) die "unknown piece '$piece' (pieces: pulumi language-nodejs kubernetes-provider kube etcd kwok)" ;;
    esac
  done
  copy_node_shims
  rm -f "$SRC"/*/.staged
  # >>> download path (not part of the cache key) >>>
  log "paths taken: $DOWNLOADED downloaded (pinned release files, SHA-256 checked), $BUILT built from Go modules"
  # <<< download path <<<

  log "done in $(($(now) - TOTAL_START))s ($BUILT built)"
  mkdir -p "$HOME/.cache/cto/toolchain"
  printf '%s\n' "$BIN" >"$HOME/.cache/cto/toolchain/current"
  printf '%s\n' "$BIN"
}

# One line, so bash has read it whole before main runs.
main "$@"; exit $?
