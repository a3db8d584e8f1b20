# Two commands set everything up on a fresh machine with Python 3.11 and make:
#   make demo   creates .venv, installs, loads the bundled data, writes the brief and report
#   make test   installs the test extras (dev, spark), runs lint, types and the whole suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt
DB ?= mineralflow.duckdb

.PHONY: demo test lint typecheck pytest install install-dev clean constraints bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) -e '.[dev,spark]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: install
	$(BIN)/mineralflow load --db $(DB)
	$(BIN)/mineralflow brief --product rare-earth-magnets --period 2025-06 --db $(DB) -o out/brief-2025-06.md
	cat out/brief-2025-06.md

CODE := $(wildcard src tests benchmarks scripts)

lint: install-dev
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)

typecheck: install-dev
	$(BIN)/mypy

pytest: install-dev
	$(BIN)/pytest

test: lint typecheck pytest

# Re-pin the whole dependency tree after changing pyproject.toml (needs the registries).
constraints:
	rm -rf /tmp/mineralflow-pin && $(PYTHON) -m venv /tmp/mineralflow-pin
	/tmp/mineralflow-pin/bin/pip install --quiet -e '.[dev,spark]'
	/tmp/mineralflow-pin/bin/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache mineralflow.duckdb*
