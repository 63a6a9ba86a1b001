# shellcheck shell=bash
# The download path of scripts/toolchain.sh (sourced by it): before building a missing binary from
# Go modules, try the pinned official release file of the same version, checked against its
# publisher's checksum file and the digests pinned in profiles/tool-digests.yaml, exactly as
# `cto doctor --fix` does (stacks/tools). Only when it cannot be had (no network, as on the machines
# this project is built on; no checksum to check it against; a platform with no release file) is
# the binary built from Go modules. Each binary's state/<bin>.complete says which path made it.
#
#   pulumi, pulumi-language-nodejs  Pulumi CLI archive v$PULUMI_VERSION (the real language host of
#                                   that version, where the Go build can only make 3.68's)
#   pulumi-resource-kubernetes      plugin release = @pulumi/kubernetes in package.json
#   kube-apiserver, -controller-manager, -scheduler   dl.k8s.io v$KUBERNETES_VERSION (+ .sha256)
#   etcd                            etcd-io release v$ETCD_VERSION (SHA256SUMS), Linux only
#   kwok, kwokctl                   kwok release v$KWOK_VERSION: no checksum file is published, so
#                                   only with a digest pinned in the digests file (0.8.0 linux-amd64 is)
#
# Same settings as cto: CTO_TOOLS_MIRROR (<url>/<tool>/<version>/<os>-<arch>/<file>),
# CTO_TOOLS_MIRROR_<TOOL> ({version} {os} {arch} filled in), CTO_TOOL_DIGESTS (digests file).
# CTO_TOOLCHAIN_DOWNLOAD=0 skips downloads (always build).
#
# Not part of the cache key: this file is not hashed, and the blocks of toolchain.sh marked
# "download path" are cut out before hashing (the `cat` below). A change here never invalidates
# built binaries; the pinned versions, wrapper modules and build steps still do.

DL_OFFLINE=""
DOWNLOADED=0

# Used only while toolchain.sh computes its cache key (it runs `cat "$f"` over each key file):
# toolchain.sh is hashed without its "download path" blocks. Removed again right after.
cat() {
  if [[ $# -eq 1 && $1 == */scripts/toolchain.sh ]]; then
    sed '/^[[:space:]]*# >>> download path/,/^[[:space:]]*# <<< download path/d' "$1"
  else
    command cat "$@"
  fi
}

dl_platform() {
  DL_OS="" DL_ARCH=""
  case $(uname -s) in Linux) DL_OS=linux ;; Darwin) DL_OS=darwin ;; esac
  case $(uname -m) in x86_64 | amd64) DL_ARCH=amd64 ;; aarch64 | arm64) DL_ARCH=arm64 ;; esac
  [[ -n $DL_OS && -n $DL_ARCH ]]
}

# The version of an npm dependency in package.json ("@pulumi/kubernetes" → 4.32.0).
npm_pin() {
  sed -n "s/^[[:space:]]*\"${1//\//\\/}\": \"\\([0-9][^\"]*\\)\".*/\\1/p" "$ROOT/package.json" | head -n1
}

# dl_spec <binary>: sets DL_TOOL DL_VERSION DL_BASE DL_ASSET DL_SUMS DL_MEMBER (path inside a
# .tar.gz, empty for a bare executable). Fails when the binary has no release file here.
dl_spec() {
  local bin=$1 parch
  parch=$([[ $DL_ARCH == amd64 ]] && echo x64 || echo arm64)
  case $bin in
    pulumi | pulumi-language-nodejs)
      DL_TOOL=pulumi DL_VERSION=$PULUMI_VERSION
      DL_BASE=https://github.com/pulumi/pulumi/releases/download/v$DL_VERSION
      DL_ASSET=pulumi-v$DL_VERSION-$DL_OS-$parch.tar.gz DL_SUMS=pulumi-$DL_VERSION-checksums.txt
      DL_MEMBER=pulumi/$bin
      ;;
    pulumi-resource-kubernetes)
      DL_TOOL=pulumi-kubernetes DL_VERSION=$(npm_pin @pulumi/kubernetes)
      [[ -n $DL_VERSION ]] || return 1
      DL_BASE=https://github.com/pulumi/pulumi-kubernetes/releases/download/v$DL_VERSION
      DL_ASSET=pulumi-resource-kubernetes-v$DL_VERSION-$DL_OS-$DL_ARCH.tar.gz
      DL_SUMS=pulumi-kubernetes_${DL_VERSION}_checksums.txt DL_MEMBER=pulumi-resource-kubernetes
      ;;
    kube-apiserver | kube-controller-manager | kube-scheduler)
      [[ $DL_OS == linux ]] || return 1
      DL_TOOL=$bin DL_VERSION=$KUBERNETES_VERSION
      DL_BASE=https://dl.k8s.io/release/v$DL_VERSION/bin/$DL_OS/$DL_ARCH
      DL_ASSET=$bin DL_SUMS=$bin.sha256 DL_MEMBER=""
      ;;
    etcd)
      [[ $DL_OS == linux ]] || return 1 # the macOS release is a zip
      DL_TOOL=etcd DL_VERSION=$ETCD_VERSION
      DL_BASE=https://github.com/etcd-io/etcd/releases/download/v$DL_VERSION
      DL_ASSET=etcd-v$DL_VERSION-$DL_OS-$DL_ARCH.tar.gz DL_SUMS=SHA256SUMS
      DL_MEMBER=etcd-v$DL_VERSION-$DL_OS-$DL_ARCH/etcd
      ;;
    kwok | kwokctl)
      DL_TOOL=$bin DL_VERSION=$KWOK_VERSION
      DL_BASE=https://github.com/kubernetes-sigs/kwok/releases/download/v$DL_VERSION
      DL_ASSET=$bin-$DL_OS-$DL_ARCH DL_SUMS="" DL_MEMBER=""
      ;;
    *) return 1 ;;
  esac
  local var="CTO_TOOLS_MIRROR_${DL_TOOL^^}"
  var=${var//-/_}
  if [[ -n ${!var:-} ]]; then
    DL_BASE=${!var//\{version\}/$DL_VERSION}
    DL_BASE=${DL_BASE//\{os\}/$DL_OS}
    DL_BASE=${DL_BASE//\{arch\}/$DL_ARCH}
  elif [[ -n ${CTO_TOOLS_MIRROR:-} ]]; then
    DL_BASE=${CTO_TOOLS_MIRROR%/}/$DL_TOOL/$DL_VERSION/$DL_OS-$DL_ARCH
  fi
  DL_BASE=${DL_BASE%/}
}

# pinned_digest <tool> <version> <os-arch>: from the digests file's fixed layout
# (pins: / tool: / "version": / os-arch: / sha256:).
pinned_digest() {
  local file=${CTO_TOOL_DIGESTS:-$ROOT/profiles/tool-digests.yaml}
  [[ -f $file ]] || return 0
  awk -v t="$1" -v v="$2" -v p="$3" '
    function key(s) { sub(/:.*/, "", s); gsub(/["'\'']/, "", s); return s }
    /^  [^ #]/ { tool = key($1) }
    /^    [^ #]/ { ver = key($1) }
    /^      [^ #]/ { plat = key($1) }
    /^        sha256:/ { if (tool == t && ver == v && plat == p) print $2 }' "$file"
}

# The digest of <asset> in a checksum file read on stdin (sha256sum listing or a bare digest).
digest_for() {
  awk -v a="$1" '
    NF == 1 && $1 ~ /^[0-9a-fA-F]{64}$/ { bare = tolower($1); n++ ; next }
    NF >= 2 { f = $2; sub(/^\*/, "", f); sub(/^\.\//, "", f); if (f == a) { print tolower($1); found = 1; exit } }
    END { if (!found && n == 1) print bare }'
}

# curl that reports "no network" (cannot resolve / connect) apart from server errors.
dl_curl() {
  local rc=0
  curl -fsSL --proto '=https,http' --connect-timeout 10 --max-time 900 "$@" || rc=$?
  if ((rc == 6 || rc == 7 || rc == 28)); then DL_OFFLINE=1; fi
  return "$rc"
}

# try_download <binary>: installs it into $BIN with its marker; fails (quietly but logged) when it
# cannot, so the caller builds it instead.
try_download() {
  local bin=$1 url pinned publisher="" expected tmp got src also b
  [[ ${CTO_TOOLCHAIN_DOWNLOAD:-1} != 0 ]] || return 1
  if [[ -n $DL_OFFLINE ]]; then
    return 1
  fi
  if ! dl_platform || ! dl_spec "$bin"; then
    log "$bin: no release file for $(uname -s)/$(uname -m): building from Go modules"
    return 1
  fi
  command -v curl >/dev/null || {
    log "$bin: curl is not installed: building from Go modules"
    return 1
  }
  url=$DL_BASE/$DL_ASSET
  pinned=$(pinned_digest "$DL_TOOL" "$DL_VERSION" "$DL_OS-$DL_ARCH")
  tmp=$(mktemp -d "$DIR/.download.XXXXXX")
  # Not in a pipeline or $(...): dl_curl must be able to set DL_OFFLINE in this shell.
  if [[ -n $DL_SUMS ]] && dl_curl -o "$tmp/sums" "$DL_BASE/$DL_SUMS" 2>/dev/null; then
    publisher=$(digest_for "$DL_ASSET" <"$tmp/sums")
  fi
  if [[ -n $DL_OFFLINE ]]; then
    rm -rf "$tmp"
    log "no network ($DL_BASE unreachable): building from Go modules (set CTO_TOOLS_MIRROR for a mirror)"
    return 1
  fi
  if [[ -n $pinned && -n $publisher && $pinned != "$publisher" ]]; then
    rm -rf "$tmp"
    log "$bin: pinned SHA-256 $pinned and the publisher's $publisher ($DL_BASE/$DL_SUMS) disagree: not downloaded"
    return 1
  fi
  expected=${pinned:-$publisher}
  if [[ -z $expected ]]; then
    rm -rf "$tmp"
    log "$bin: no checksum for $url (${DL_SUMS:-no checksum file published} and none pinned): building from Go modules"
    return 1
  fi
  if ! dl_curl -o "$tmp/$DL_ASSET" "$url" 2>/dev/null; then
    rm -rf "$tmp"
    log "$bin: download of $url failed: building from Go modules"
    return 1
  fi
  got=$(sha256sum "$tmp/$DL_ASSET" | cut -c1-64)
  if [[ $got != "$expected" ]]; then
    rm -rf "$tmp"
    log "$bin: SHA-256 mismatch for $url: expected $expected, got $got: not installed, building from Go modules"
    return 1
  fi
  local checked="the publisher's $DL_SUMS"
  [[ -n $pinned && -n $publisher ]] && checked="the pinned digest and $checked"
  [[ -n $pinned && -z $publisher ]] && checked="the pinned digest (no publisher checksum)"
  # The Pulumi archive also carries the language host: install both from one download.
  also=""
  [[ $DL_TOOL == pulumi ]] && also="pulumi pulumi-language-nodejs"
  for b in ${also:-$bin}; do
    if [[ -n $DL_MEMBER ]]; then
      src=$tmp/x/${DL_MEMBER%"$bin"}$b
      mkdir -p "$tmp/x"
      tar -xzf "$tmp/$DL_ASSET" -C "$tmp/x" "${DL_MEMBER%"$bin"}$b" || {
        rm -rf "$tmp"
        log "$bin: $url does not hold ${DL_MEMBER%"$bin"}$b: building from Go modules"
        return 1
      }
    else
      src=$tmp/$DL_ASSET
    fi
    chmod 0755 "$src"
    mv -f "$src" "$BIN/$b"
    printf 'downloaded %s sha256 %s %s\n' "$url" "$got" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$STATE/$b.complete"
    log "$b: downloaded $url (sha256 $got, checked against $checked)"
    DOWNLOADED=$((DOWNLOADED + 1))
  done
  rm -rf "$tmp"
  is_done "$bin"
}
