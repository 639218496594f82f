"""The ``ronglian`` command line (Typer).

Commands only declare options and call importable functions; each area lives in
``api/commands/<area>.py`` with a ``register(app)`` function and is found here.
A user mistake (any :class:`~graph.errors.RonglianError`) ends in one line on
stderr and exit code 1 (2 for usage errors), never a traceback. The settings are read
before any command runs, so a bad ``RONGLIAN_*`` value is that one line (E104) before a
command opens a store, makes a folder or prints a server's banner.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

import api.commands
from graph.errors import RonglianError
from graph.settings import get_settings

app = typer.Typer(
    name="ronglian",
    help="融链 ronglian — industrial-chain collaboration knowledge graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register_commands() -> None:
    for info in sorted(pkgutil.iter_modules(api.commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"api.commands.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


@app.callback()
def _settings_first(ctx: typer.Context) -> None:
    # A command's --help is parsed after this callback runs: help must work whatever the
    # environment holds, since it is where a user looks up what to fix.
    if not ctx.resilient_parsing and "--help" not in sys.argv[1:]:
        get_settings()


_register_commands()


def main() -> None:
    try:
        app(prog_name="ronglian")  # also as ``python -m api``
    except RonglianError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
