"""HTTP routers, one module per area; :mod:`api.app` includes every module here that
defines ``router`` (sorted by module name).

Conventions: paths start with ``/api/v1`` (or are mounted there); routes are thin
``def`` functions taking ``StoreDep`` and calling a ``queries``/``ingest`` function;
errors are raised as ``graph.errors`` subclasses; every route has a one-line
docstring (its OpenAPI description) and examples on its parameters and models.
A module sets ``PUBLIC = True`` only for endpoints that must answer without a key.
Every POST/PUT/PATCH/DELETE route is a write and must require ``EditorKey`` or
``AdminKey`` (tests/test_api_auth.py checks); a POST that only reads says so with
``openapi_extra={"x-read-only": True}``.
"""
