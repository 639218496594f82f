"""Helpers for the command-line tests: ``ronglian`` run in a process of its own, as a user
runs it (``api.cli.main`` turns an error into one ``error:`` line and an exit code; the
tests' fixtures, such as the synchronous recommender builds, do not reach that process, but
their environment does: the isolated settings)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ronglian(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from api.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, env=env)
