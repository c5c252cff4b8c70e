# The two commands a newcomer needs: `make demo` and `make test`.
# Each creates .venv when missing and installs only from PyPI and Debian.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_OUT := build/site-out  # the CLI's default OUT_DIR (site_builder/cli.py DEFAULT_OUT)
# Debian packages: a CJK font for labels and posters; Chromium, poppler, the font and sqlite3 (the
# downloads' README commands) for tests.
DEMO_DEBS := fonts-wqy-microhei
TEST_DEBS := $(DEMO_DEBS) chromium poppler-utils sqlite3
# Load generators for the Datasette benchmark (bench/bench_datasette.py); Hugo for bench_render_compare.py.
BENCH_DEBS := wrk apache2-utils hugo

.PHONY: demo test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed-demo: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

demo: $(VENV)/.installed-demo
	scripts/ensure-debian-packages $(DEMO_DEBS)
	$(BIN)/zuofang build data --out $(DEMO_OUT)
	$(BIN)/zuofang serve $(DEMO_OUT)

# axe-core (accessibility checks in the browser tests) comes from the npm registry.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: $(VENV)/.installed-test node_modules/axe-core/axe.min.js
	scripts/ensure-debian-packages $(TEST_DEBS)
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test
	scripts/ensure-debian-packages $(BENCH_DEBS)
	$(BIN)/python bench/run.py

clean:
	rm -rf build
