# Shared by scripts/demo and scripts/test: make ./.venv with Python 3.11+ and install drugscene.
# Usage: VENV_EXTRAS=test source scripts/_venv.sh   (extras optional)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "drugscene needs Python 3.11 or newer as '$PYTHON' (set PYTHON=/path/to/python3.11)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "Installing python3-venv (Debian/Ubuntu) ..." >&2
      apt-get install -y -q python3-venv >/dev/null
      "$PYTHON" -m venv .venv
    else
      echo "Cannot create a virtual environment: install python3-venv (sudo apt install python3-venv)." >&2
      exit 1
    fi
  fi
fi
EXTRAS="${VENV_EXTRAS:-}"
STAMP=".venv/.drugscene-installed-${EXTRAS:-base}"
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
  echo "Installing drugscene and its dependencies into .venv ..." >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  if [ -n "$EXTRAS" ]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[$EXTRAS]"
  else
    .venv/bin/python -m pip install -q --disable-pip-version-check -e .
  fi
  touch "$STAMP"
fi
export PATH="$ROOT/.venv/bin:$PATH"
