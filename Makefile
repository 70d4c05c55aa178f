# One venv for everything; each target installs what it needs first (a fresh machine has nothing).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXAMPLE := examples/qa/QA_REPORT.md

.PHONY: example test lint typecheck unit bench cassette clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "opsrelay needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## Install, then run the DevOps stage on the bundled example QA report (offline engine, no key).
example: $(VENV)/.installed
	$(BIN)/opsrelay run $(EXAMPLE) --evidence examples/qa/junit.xml --evidence examples/qa/coverage.xml --out artifacts

## Install test tools, then lint, type-check and run the whole test suite.
test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

unit: $(VENV)/.installed-test
	$(BIN)/pytest -x -q

$(VENV)/.installed-bench: $(VENV)/.installed-test pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

## The full side-by-side benchmark (about 10 minutes); writes docs/bench-results.* and docs/bench.png.
bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench --plot docs/bench.png --json docs/bench-results.json --markdown docs/bench-results.md

clean:
	rm -rf $(VENV) artifacts .pytest_cache .mypy_cache .ruff_cache

## Re-record the bundled example's cassette after a prompt or schema change.
cassette: $(VENV)/.installed-test
	$(BIN)/python examples/record_example_cassette.py
