# Shirube: the whole interface. `make demo` runs the product on the sample; `make test` tests it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages the product and its tests need: a browser for tests and chart images,
# CJK fonts for charts and PDFs, and pango for the PDF renderer.
SYSTEM_PACKAGES := chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 fontconfig

.PHONY: install system-deps demo test bench replicas lint clean

install: $(STAMP) system-deps

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV) || { bash scripts/system-deps.sh python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

system-deps:
	@bash scripts/system-deps.sh $(SYSTEM_PACKAGES)

# shirube demo (shirube/demo.py) generates data/sample first if it is missing.
demo: install
	$(BIN)/shirube demo

test: install
	$(BIN)/python -m pytest

# ruff check and format check with pyproject's settings; .ci/run runs it before the tests.
lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

# National-scale benchmarks (not tests), about 15 minutes on 2 cores: ingest, build, pages and a
# load test in one run; the figures go to docs/performance.md (details in benchmarks/out/).
bench: install
	$(BIN)/python benchmarks/bench_all.py

# Two dashboard servers on loopback reading one shared Parquet snapshot while a rebuild publishes
# the next (see docs/deployment.md).
replicas: install
	$(BIN)/python scripts/demo_replicas.py

clean:
	rm -rf $(VENV) benchmarks/out data/*.duckdb data/*.duckdb.* data/*.archive data/*.snapshots data/*.audit data/*.sample.json
