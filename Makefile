# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/hindsight.duckdb
PORT ?= 8501

.PHONY: run test install install-test demo-data ingest-demo clean

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
	$(BIN)/hindsight ingest data/demo --db $(DB) || test $$? -eq 1

run: ingest-demo
	$(BIN)/streamlit run app.py --server.headless true --server.port $(PORT) -- --db $(DB) --config examples/demo.yaml

test: install-test
	$(BIN)/python -m pytest -q

# Regenerates the committed demo corpus (deterministic).
demo-data: install
	$(BIN)/hindsight demo --out data/demo --count 300 --seed 42

clean:
	rm -rf $(VENV) $(DB) $(DB).lock .pytest_cache
