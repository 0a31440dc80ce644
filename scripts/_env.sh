# shellcheck shell=bash
# Shared by scripts/*: where the Python >= 3.14.2 environment lives and how to run commands in it.
#
# Two kinds of environment, chosen by scripts/setup:
#   venv    a plain virtualenv, when the host has a suitable python3.14 (MONOGOTO_PYTHON or PATH);
#   rootfs  a Debian testing root filesystem with python3.14, entered with bubblewrap, when not.
# The environment lives outside the repository so that clones (and CI's fresh clone) share it;
# a stamp of the pinned requirements makes scripts/setup rebuild it when the pins change.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ENV_HOME=${MONOGOTO_ENV_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/monogoto-ha}
ROOTFS=$ENV_HOME/rootfs
HOST_VENV=$ENV_HOME/venv
STAMP_FILE=$ENV_HOME/stamp
REQUIREMENTS=$REPO_ROOT/requirements_test.txt

# The stamp: requirement pins + the setup script itself, so a changed recipe rebuilds too.
env_stamp() {
  cat "$REQUIREMENTS" "$REPO_ROOT/scripts/setup" | sha256sum | cut -d' ' -f1
}

env_kind() {
  if [ -f "$ENV_HOME/kind" ]; then cat "$ENV_HOME/kind"; else echo none; fi
}

env_ready() {
  [ -f "$STAMP_FILE" ] && [ "$(cat "$STAMP_FILE")" = "$(env_stamp)" ]
}

# Run a command inside the environment with the repository at the same absolute path,
# so tracebacks and coverage paths match the host. Extra environment: pass VAR=value pairs
# through `env` in the command itself.
inenv() {
  case "$(env_kind)" in
    venv)
      PATH="$HOST_VENV/bin:$PATH" "$@"
      ;;
    rootfs)
      local args=(--bind "$ROOTFS" /
        --proc /proc --dev /dev
        --perms 1777 --tmpfs /dev/shm --perms 1777 --tmpfs /tmp
        --ro-bind /etc/resolv.conf /etc/resolv.conf)
      local parents=() p
      p=$(dirname "$REPO_ROOT")
      while [ "$p" != / ]; do parents=("$p" "${parents[@]}"); p=$(dirname "$p"); done
      for p in "${parents[@]}"; do args+=(--perms 0755 --dir "$p"); done
      [ -d "$ROOTFS$REPO_ROOT" ] || mkdir -p "$ROOTFS$REPO_ROOT"
      args+=(--bind "$REPO_ROOT" "$REPO_ROOT" --chdir "$PWD"
        --unshare-pid --unshare-ipc --unshare-uts --die-with-parent
        --clearenv
        --setenv PATH /opt/venv/bin:/usr/local/bin:/usr/bin:/bin
        --setenv HOME /root --setenv LANG C.UTF-8 --setenv TERM "${TERM:-dumb}"
        --setenv SSL_CERT_FILE /etc/ssl/certs/ca-certificates.crt
        --setenv UV_NATIVE_TLS 1
        --setenv UV_CACHE_DIR /var/cache/uv
        --setenv PYTHONDONTWRITEBYTECODE 1)
      [ -n "${CI:-}" ] && args+=(--setenv CI "$CI")
      # Extra bind mounts (e.g. a Home Assistant config dir outside the repo): MONOGOTO_BIND=src:dst
      if [ -n "${MONOGOTO_BIND:-}" ]; then
        local b
        for b in $MONOGOTO_BIND; do
          mkdir -p "$ROOTFS${b#*:}"
          args+=(--bind "${b%%:*}" "${b#*:}")
        done
      fi
      bwrap "${args[@]}" "$@"
      ;;
    *)
      echo "No environment yet: run scripts/setup" >&2
      return 1
      ;;
  esac
}

# Make sure the environment exists (scripts/test and scripts/develop call this first).
ensure_env() {
  env_ready || "$REPO_ROOT/scripts/setup"
}
