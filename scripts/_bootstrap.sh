# Sourced by scripts/test, scripts/quickstart and scripts/lock.
#
#   tools              .venv-tools: uv (from locks/tools.txt, hash-checked) for resolving and syncing
#   lane_env LANE      the lane's virtual environment, synced to exactly locks/LANE.txt, with this
#                      package installed editable; prints nothing, sets LANE_VENV
#
# Environments are re-synced only when their lock or pyproject.toml changed since the last run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
TOOLS="$ROOT/.venv-tools"

_digest() { cat "$@" | sha256sum | cut -d' ' -f1; }

tools() {
  local want stamp="$TOOLS/.install-stamp" have locked
  # the locks are resolved for one Python version (scripts/lanes.py PYTHON_VERSION)
  locked="$(sed -n 's/^PYTHON_VERSION = "\(.*\)"$/\1/p' "$ROOT/scripts/lanes.py")"
  have="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  if [ "$have" != "$locked" ]; then
    echo "The locked environments are resolved for Python $locked; $PY is Python $have." >&2
    echo "Run with PYTHON=/path/to/python$locked (the package itself supports Python >= 3.10)." >&2
    exit 2
  fi
  want="$(_digest "$ROOT/locks/tools.txt")"
  if [ -x "$TOOLS/bin/uv" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "==> installing the lock tools (uv) into $TOOLS"
  rm -rf "$TOOLS"
  "$PY" -m venv "$TOOLS"
  "$TOOLS/bin/python" -m pip install -q --require-hashes -r "$ROOT/locks/tools.txt"
  echo "$want" > "$stamp"
}

lanes() { "$TOOLS/bin/python" "$ROOT/scripts/lanes.py" "$@"; }

lane_env() {
  local lane="$1" want stamp
  LANE_VENV="$(lanes venv "$lane")"
  stamp="$LANE_VENV/.install-stamp"
  want="$(_digest "$ROOT/locks/$lane.txt" "$ROOT/pyproject.toml")"
  if [ -x "$LANE_VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "==> installing the $lane lane (locks/$lane.txt) into $LANE_VENV"
  if [ ! -x "$LANE_VENV/bin/python" ]; then
    "$TOOLS/bin/uv" venv -q --seed --python "$PY" "$LANE_VENV"
  fi
  # sync: exactly the lock, removing whatever else an earlier install left
  "$TOOLS/bin/uv" pip sync -q --python "$LANE_VENV/bin/python" --require-hashes "$ROOT/locks/$lane.txt"
  "$TOOLS/bin/uv" pip install -q --python "$LANE_VENV/bin/python" --no-deps -e "$ROOT"
  echo "$want" > "$stamp"
}
