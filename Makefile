# Two commands for a fresh machine (README): `make demo` and `make test`.
# Each creates the virtual environment itself (.venv, Python >= 3.12).

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-all lint bench-store clean-venv

$(STAMP): pyproject.toml
	@PY=$$(tools/find_python.sh) && echo "using $$PY" && $$PY -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ronglian demo

# The test command (.ci/run calls it). Browser tests need Debian's chromium:
# tools/install_browser.sh installs it (apt, as root) and is run first when possible.
test: $(STAMP)
	@bash tools/install_browser.sh $(BIN)/python || echo "warning: browser tools not installed"
	@bash tools/neo4j/fetch.sh || echo "warning: Neo4j test server jars not fetched (no Java/Maven?)"
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

# Also the tests marked slow.
test-all: $(STAMP)
	$(BIN)/pytest --run-slow

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench-store: $(STAMP)
	$(BIN)/python bench/store_write.py

clean-venv:
	rm -rf $(VENV)
