# Shirube: the whole interface. `make demo` runs the product on the sample; `make test` tests it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages the product and its tests need: a browser for tests and chart images,
# CJK fonts for charts and PDFs, and pango for the PDF renderer.
SYSTEM_PACKAGES := chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 fontconfig

.PHONY: install system-deps demo test bench lint sample clean

install: $(STAMP) system-deps

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV) || { bash scripts/system-deps.sh python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

system-deps:
	@bash scripts/system-deps.sh $(SYSTEM_PACKAGES)

sample: install
	@if [ -z "$$(ls -A data/sample 2>/dev/null)" ]; then $(BIN)/shirube sample data/sample --schools 300 --years 3 --seed 7; fi

demo: install sample
	$(BIN)/shirube demo

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) data/*.duckdb data/*.duckdb.* data/*.archive data/*.snapshots data/*.audit data/*.sample.json
