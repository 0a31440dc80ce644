# shellcheck shell=bash
# Shared by scripts/develop and scripts/e2e (source scripts/_env.sh first): a Home Assistant
# that can serve the frontend, the simulator, and starting/stopping both.
#
# Home Assistant gets a venv of its own (HASS_VENV, /opt/hass inside the rootfs), apart from the
# test venv /opt/venv: at first start it pip-installs the frontend and the requirements of its
# default integrations, and none of that belongs in the pinned test stack. Its version is the one
# the test stack pins (pytest-homeassistant-custom-component), unless HASS_VERSION is set.

HASS_HELPER=$REPO_ROOT/tests/e2e/hass_helper.py

hass_log() { printf '[%s] %s\n' "${HASS_LOG_PREFIX:-hass}" "$*" >&2; }

# Where the Home Assistant venv lives, and its python, as seen inside the environment.
hass_venv() {
  if [ "$(env_kind)" = rootfs ]; then echo /opt/hass; else echo "$ENV_HOME/hass"; fi
}
hass_python() { echo "$(hass_venv)/bin/python"; }

# Create or update the Home Assistant venv (idempotent; a stamp records the version).
ensure_hass() {
  local version venv uv base
  version=${HASS_VERSION:-$(inenv python -c 'from homeassistant.const import __version__; print(__version__)')}
  venv=$(hass_venv)
  if [ "$(env_kind)" = rootfs ]; then
    uv=uv base=/usr/bin/python3.14
  else
    uv=$ENV_HOME/uvtool/bin/uv base=$HOST_VENV/bin/python
  fi
  # shellcheck disable=SC2016  # $1.. expand inside the environment's shell
  if inenv sh -c '[ "$(cat "$1/.monogoto-stamp" 2>/dev/null)" = "$2" ]' sh "$venv" "$version"; then
    return 0
  fi
  hass_log "installing homeassistant==$version into $venv (once; about a minute)"
  # shellcheck disable=SC2016
  inenv env UV_NATIVE_TLS=1 SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt sh -ec '
    [ -x "$1/bin/python" ] || "$3" venv -q -p "$4" "$1"
    "$3" pip install -q -p "$1/bin/python" "homeassistant==$2"
    echo "$2" >"$1/.monogoto-stamp"' sh "$venv" "$version" "$uv" "$base"
}

# Fail early, with a useful message, when a port is taken.
require_free_port() {
  if ss -Htln "sport = :$1" | grep -q .; then
    hass_log "port $1 is already in use ($2); set ${3:-the port variable} to another port"
    return 1
  fi
}

# Wait until URL answers 200, for at most SECONDS; PID is the server (stop early if it died).
wait_http() {
  local url=$1 seconds=$2 pid=$3 i
  for ((i = 0; i < seconds * 4; i++)); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { hass_log "the server for $url exited"; return 1; }
    sleep 0.25
  done
  hass_log "$url did not answer within $seconds s"
  return 1
}

# Start the simulator in the background: start_simulator PORT THINGS LOGFILE [SIMULATOR ARGS...];
# sets SIM_PID.
start_simulator() {
  local port=$1 things=$2 log=$3
  shift 3
  (cd "$REPO_ROOT" && exec > "$log" 2>&1 && inenv python -m tests.simulator --port "$port" --things "$things" "$@") &
  # shellcheck disable=SC2034  # read by the caller
  SIM_PID=$!
  wait_http "http://127.0.0.1:$port/_sim/stats" 30 "$SIM_PID"
}

# Start Home Assistant in the background: start_hass CONFIG_DIR LOGFILE; sets HASS_PID.
# It is reachable once `hass_helper.py onboard` returns.
start_hass() {
  (cd "$REPO_ROOT" && exec > "$2" 2>&1 \
    && inenv env PATH="$(hass_venv)/bin:/usr/local/bin:/usr/bin:/bin" \
      SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt UV_NATIVE_TLS=1 \
      "$(hass_venv)/bin/hass" --config "$1") &
  # shellcheck disable=SC2034  # read by the caller
  HASS_PID=$!
}

# Run the helper with Home Assistant's python: hass_helper SUBCOMMAND ARGS...
hass_helper() {
  inenv "$(hass_python)" "$HASS_HELPER" "$@"
}

_descendants() {
  local child
  for child in $(pgrep -P "$1"); do
    echo "$child"
    _descendants "$child"
  done
}

# Stop a server started above (PID = the background subshell around `inenv`). bwrap itself
# would SIGKILL the sandbox if it were killed, so TERM the programs inside it instead, give them
# GRACE seconds to shut down cleanly (Home Assistant saves its storage), then KILL the rest.
stop_tree() {
  local pid=$1 name=$2 grace=${3:-30} procs p i status=0
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    procs=$(_descendants "$pid")
    for p in $procs; do
      [ "$(ps -o comm= -p "$p" 2>/dev/null)" = bwrap ] || kill -TERM "$p" 2>/dev/null || true
    done
    for ((i = 0; i < grace * 10; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      hass_log "$name did not stop within $grace s; killing it"
      # shellcheck disable=SC2086
      kill -KILL $procs "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || status=$?
  hass_log "$name stopped (exit status $status)"
}
