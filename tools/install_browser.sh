#!/usr/bin/env bash
# Install what the browser tests (tests/browser/, pytest -m browser) and bench/map.py need:
# Debian's chromium (driven through /usr/bin/chromium), a CJK font so Chinese labels render in
# screenshots, and Playwright's Python package WITHOUT its own browser download (the network
# reaches only package registries, and we drive the system chromium anyway).
#
# Usage: bash tools/install_browser.sh [path/to/venv/python]   (default: .venv/bin/python)
# Idempotent: skips what is already there. Needs root (apt-get).
set -euo pipefail

PY="${1:-.venv/bin/python}"
export DEBIAN_FRONTEND=noninteractive
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
# Chinese glyphs for the legend, labels and panel; without a CJK font they render as boxes.
# grep without -q: -q exits at the first match, fc-list then dies of SIGPIPE and pipefail
# would report the font as missing every time
fc-list 2>/dev/null | grep -i -E "noto.*cjk|wqy|droid.*fallback" >/dev/null || need_apt+=(fonts-noto-cjk)
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "install_browser: apt-get install ${need_apt[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
/usr/bin/chromium --version

if ! "$PY" -c "import playwright" 2>/dev/null; then
  echo "install_browser: pip install playwright (no browser download)"
  "$PY" -m pip install -q "playwright>=1.45"
fi
"$PY" -c "import playwright; from importlib.metadata import version; print('playwright', version('playwright'))"
