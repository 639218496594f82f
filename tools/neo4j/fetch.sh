#!/usr/bin/env bash
# Resolve the Neo4j 5.26 test server's jars from Maven Central into the per-user cache
# (~/.cache/ronglian/neo4j-<version>/lib, or $RONGLIAN_NEO4J_HOME/lib) so that the test session
# only starts the server. Idempotent: a complete cache is reused without touching the network.
# Usage: tools/neo4j/fetch.sh            (uses .venv/bin/python, else python3)
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="${PYTHON:-}"
if [[ -z "$PY" ]]; then
  if [[ -x .venv/bin/python ]]; then PY=.venv/bin/python; else PY=python3; fi
fi
exec "$PY" -m tests.neo4j_server --fetch
