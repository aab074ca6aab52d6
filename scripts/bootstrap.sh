#!/usr/bin/env bash
# Idempotent setup for a dev machine or CI: uv, SpatiaLite, the locked venv.
# Silent when everything is in place; one line per thing it installs.
# All output goes to stderr so callers can treat stdout as empty.
set -euo pipefail
exec 1>&2
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { echo "bootstrap: $*"; }
is_root() { [ "$(id -u)" -eq 0 ]; }

apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { apt-get update -qq >/dev/null; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# `pip install --user` puts uv here; the Makefile adds ~/.local/bin too.
export PATH="$HOME/.local/bin:$(python3 -m site --user-base 2>/dev/null || echo "$HOME/.local")/bin:$PATH"

if ! command -v uv >/dev/null; then
  log "installing uv (pip --user)"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    is_root && command -v apt-get >/dev/null || { log "need python3 with pip to install uv"; exit 1; }
    apt_install python3-pip
  fi
  # Debian's python3 is "externally managed" (PEP 668); a --user install of
  # one standalone tool does not disturb system packages.
  pip_user=(python3 -m pip install --user --quiet --no-warn-script-location uv)
  export PIP_ROOT_USER_ACTION=ignore  # we are root in CI; that is intended
  "${pip_user[@]}" 2>/dev/null || "${pip_user[@]}" --break-system-packages
  command -v uv >/dev/null || { log "uv was installed but is not on PATH"; exit 1; }
fi

# ls over several globs fails if any one is missing, hence the loop; and
# `ldconfig -p | grep -q` can die of SIGPIPE under pipefail, hence >/dev/null.
have_spatialite() {
  local f
  for f in /usr/lib/*/mod_spatialite.so* /usr/lib/mod_spatialite.so* \
           /opt/homebrew/lib/mod_spatialite.* /usr/local/lib/mod_spatialite.*; do
    [ -e "$f" ] && return 0
  done
  PATH="$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null | grep mod_spatialite >/dev/null
}

if ! have_spatialite; then
  if is_root && command -v apt-get >/dev/null; then
    log "installing libsqlite3-mod-spatialite (apt)"
    apt_install libsqlite3-mod-spatialite
  else
    log "SpatiaLite (mod_spatialite) is missing; install it, then re-run:"
    log "  Debian/Ubuntu: sudo apt-get install -y libsqlite3-mod-spatialite"
    log "  macOS:         brew install libspatialite"
    exit 1
  fi
fi

uv sync --frozen --quiet
