# Sourced by scripts/test and scripts/quickstart: makes .venv and installs the package into it.
# Usage: bootstrap EXTRAS [--dev]. Re-installs only when pyproject.toml changed since the last run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${INFRON_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3}"

bootstrap() {
  local extras="$1" dev="${2:-}"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating virtual environment in $VENV"
    "$PY" -m venv "$VENV"
  fi
  local stamp="$VENV/.install-stamp-${extras}${dev}"
  local want
  want="$(cat "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "==> installing infron-integrations[$extras] ${dev:+and the dev group}"
  # pip >= 25.1 understands dependency groups (--group).
  "$VENV/bin/python" -m pip install -q --upgrade "pip>=25.1"
  if [ -n "$dev" ]; then
    "$VENV/bin/python" -m pip install -q -e "$ROOT[$extras]" --group "$ROOT/pyproject.toml:dev"
  else
    "$VENV/bin/python" -m pip install -q -e "$ROOT[$extras]"
  fi
  echo "$want" > "$stamp"
}
