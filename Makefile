# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/hindsight.duckdb
PORT ?= 8501

.PHONY: run test install install-test demo-data ingest-demo browser clean
CHROMIUM ?= /usr/bin/chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Loads the committed demo exports; planted malformed files are rejected on purpose (exit 1).
ingest-demo: install
	$(BIN)/hindsight ingest data/demo --db $(DB) --config examples/demo.yaml || test $$? -eq 1

run: ingest-demo
	$(BIN)/streamlit run app.py --server.headless true --server.port $(PORT) -- --db $(DB) --config examples/demo.yaml

# End-to-end tests drive Debian's Chromium through Playwright (browser downloads are not possible here).
browser:
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the end-to-end tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "make test needs $(CHROMIUM) (Debian package 'chromium') for the end-to-end tests:"; \
		echo "  run 'sudo apt-get install chromium', or set CHROMIUM=/path/to/chromium."; exit 1; \
	fi

test: install-test browser
	HINDSIGHT_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -q

# Regenerates the committed demo corpus (deterministic).
demo-data: install
	$(BIN)/hindsight demo --out data/demo --count 300 --seed 42

clean:
	rm -rf $(VENV) $(DB) $(DB).lock .pytest_cache
