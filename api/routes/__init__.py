"""HTTP routers, one module per area; :mod:`api.app` includes every module here that
defines ``router`` (sorted by module name).

Conventions: paths start with ``/api/v1`` (or are mounted there); routes are thin
``def`` functions taking ``StoreDep`` and calling a ``queries``/``ingest`` function;
errors are raised as ``graph.errors`` subclasses; every route has a one-line
docstring (its OpenAPI description) and examples on its parameters and models.
A module sets ``PUBLIC = True`` only for endpoints that must answer without a key.
"""
