# Model Facts: `make build` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The CPU build of torch lies in /opt/wheels on project machines; elsewhere pip uses the index.
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)

.PHONY: build test venv docs bench clean fmt validate

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet $(FIND_LINKS) -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/modelfacts build --out dist

validate: $(STAMP)
	$(BIN)/modelfacts validate

test: $(STAMP)
	$(BIN)/python -m pytest -q

docs: build
	$(BIN)/modelfacts docs --db dist/modelfacts.duckdb --out dist/site

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf dist
