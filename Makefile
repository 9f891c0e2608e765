# werkmatch — two commands for a newcomer: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-8)
HOST ?= 127.0.0.1
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run serve test test-fast lint fuzz bench browser clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0        # CPU build first: an unpinned torch pulls GBs of CUDA
	$(PY) -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## run: fresh clone -> embedded database, migrations, demo region (first time, loaded in the background while
##      the API starts on http://$(HOST):$(PORT)); prints the web interface's address, and a line when the demo is ready
run: install
	$(VENV)/bin/matcher migrate
	$(VENV)/bin/matcher demo ensure --background --host $(HOST) --port $(PORT)
	$(VENV)/bin/matcher serve --host $(HOST) --port $(PORT)

serve: install
	$(VENV)/bin/matcher serve --host $(HOST) --port $(PORT)

## test: fresh clone -> install, the import directions (import-linter), then the whole suite (unit, integration on real PostgreSQL, API, browser)
test: install browser
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -q

test-fast: install
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -q -m "not e2e"

lint: install
	$(VENV)/bin/ruff check matcher api demoregion tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

## browser: Debian's Chromium for the end-to-end tests (Playwright drives it; no browser download)
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "install Debian's chromium (sudo apt-get install chromium) for the browser tests"; exit 1; fi; \
	fi

## fuzz: the property-based API run of the test suite, with many more examples (EXAMPLES=n per operation)
fuzz: install
	WERKMATCH_FUZZ_EXAMPLES=$${EXAMPLES:-2000} $(PY) -m pytest -q tests/api/test_schema_fuzz.py

bench: install
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache test-artifacts
