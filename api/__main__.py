"""``python -m api``: the ``ronglian`` command, for an environment without its script on PATH."""

from api.cli import main

main()
