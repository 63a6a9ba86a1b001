#!/usr/bin/env bash
# Sourced by scripts/run-tests.sh with the tiers about to run: makes sure the programs those tiers
# use are on PATH before any of them starts. Missing ones are installed from Debian's packages when
# this user can (root, or password-less sudo, with apt-get); otherwise every missing program is
# named at once, with the command that installs it, and nothing runs. CTO_TEST_INSTALL=0 only checks.
#   cli: tmux (the wizard and hidden-prompt tests drive a real terminal), sshd from openssh-server
#        (k3s over SSH runs its install and uninstall against a real sshd on 127.0.0.1)
#   release: ruby (parses the Homebrew formula), zip and unzip (the Windows archive)
#   e2e, drills: kubectl (reads the simulated clusters)
# Go (toolchain and actionlint builds on a cache miss) is checked by the scripts that build them.

# sshd lives in /usr/sbin, which a user's PATH may lack; it comes in Debian's openssh-server.
cto_test_has() { command -v "$1" >/dev/null 2>&1 || { [ "$1" = sshd ] && [ -x /usr/sbin/sshd ]; }; }
cto_test_package() { if [ "$1" = sshd ]; then echo openssh-server; else echo "$1"; fi; }

cto_test_needs() {
  local tier need missing=() packages=()
  declare -A seen=()
  for tier in "$@"; do
    case "$tier" in
      cli) need=(tmux sshd) ;;
      release) need=(ruby zip unzip) ;;
      e2e | drills) need=(kubectl) ;;
      *) need=() ;;
    esac
    for program in "${need[@]}"; do
      [[ -n "${seen[$program]:-}" ]] && continue
      seen[$program]=1
      cto_test_has "$program" || missing+=("$program ($tier tier)") packages+=("$(cto_test_package "$program")")
    done
  done
  ((${#packages[@]})) || return 0

  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo -n"
  if [ "${CTO_TEST_INSTALL:-1}" != 0 ] && command -v apt-get >/dev/null 2>&1 && { [ -z "$sudo" ] || sudo -n true 2>/dev/null; }; then
    echo "[test] installing ${packages[*]} from Debian's packages"
    if $sudo apt-get update -qq && $sudo apt-get install -y -qq "${packages[@]}" >/dev/null; then
      local still=()
      for program in "${missing[@]}"; do
        program=${program%% *}
        cto_test_has "$program" || still+=("$(cto_test_package "$program")")
      done
      ((${#still[@]})) || return 0
      missing=("${still[@]}") packages=("${still[@]}")
    fi
  fi
  echo "[test] missing: ${missing[*]}" >&2
  echo "[test] install them (Debian/Ubuntu: sudo apt-get install ${packages[*]}) and re-run," \
    "or run other tiers (npm test -- unit components)" >&2
  return 1
}
