# Two commands set everything up on a fresh machine with Python 3.11 and make:
#   make demo   creates .venv, installs, loads the bundled data, writes the latest month's brief and report
#   make test   installs the test extras (dev, spark), runs lint, types and the whole suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt
DB ?= mineralflow.duckdb

.PHONY: demo test lint typecheck pytest install install-dev clean constraints bench browser bytecode

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

# The package's bytecode, compiled ahead (quick when current): where PYTHONDONTWRITEBYTECODE
# is set, as on CI, every process would otherwise compile mineralflow's source again.
bytecode:
	@$(BIN)/python -m compileall -q src/mineralflow >/dev/null

# The brief and report of the latest month with a world figure for magnets (from the data).
demo: install bytecode
	$(BIN)/mineralflow load --db $(DB)
	@period=$$($(BIN)/mineralflow coverage --product rare-earth-magnets --latest --db $(DB)) && \
	set -x && \
	$(BIN)/mineralflow brief --product rare-earth-magnets --period $$period --db $(DB) -o out/brief-$$period.md && \
	cat out/brief-$$period.md && \
	$(BIN)/mineralflow report --product rare-earth-magnets --period $$period --db $(DB) -o out/report-$$period.html && \
	$(BIN)/mineralflow report --product rare-earth-magnets --period $$period --db $(DB) --format md -o out/report-$$period.md && \
	echo "report: $(abspath out)/report-$$period.html"

CODE := $(wildcard src tests benchmarks scripts)

lint: install-dev
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)

typecheck: install-dev
	$(BIN)/mypy

# Two workers, one per core of the project's machines (pytest-xdist). worksteal: an idle
# worker takes queued tests from the busy one, so one long module does not leave a core
# idle at the end; a module-scoped fixture is built at most once per worker (the Spark
# session and the bundled ledger are built once per worker, for the whole session).
pytest: install-dev browser bytecode
	$(BIN)/pytest -n 2 --dist worksteal

# The browser tests drive Debian's Chromium (never a downloaded one). Install it when it is
# missing and we may (root with apt-get, as in CI); otherwise those tests skip with a reason.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
	  { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; } || \
	  echo "could not install chromium; the browser tests will skip"; \
	else echo "no /usr/bin/chromium and not root: the browser tests will skip (apt-get install chromium)"; fi

# The type check runs inside pytest (tests/test_types.py), beside the other tests.
test: lint pytest

# Re-pin the whole dependency tree after changing pyproject.toml (needs the registries).
constraints:
	rm -rf /tmp/mineralflow-pin && $(PYTHON) -m venv /tmp/mineralflow-pin
	/tmp/mineralflow-pin/bin/pip install --quiet -e '.[dev,spark]'
	/tmp/mineralflow-pin/bin/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache mineralflow.duckdb*
