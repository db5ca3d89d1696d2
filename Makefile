# Model Facts: `make build` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Defined before any rule names it: make expands a rule's prerequisites when it reads the rule.
NPM_STAMP := node_modules/.installed
# The CPU build of torch lies in /opt/wheels on project machines; elsewhere pip uses the index.
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)

.PHONY: build test venv docs serve screenshots bench clean fmt fmt-check validate browser-deps

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet $(FIND_LINKS) -r requirements.lock
	@# the editable-install notice is setuptools advice for library authors, not for this project
	PYTHONWARNINGS=ignore $(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/modelfacts build --out dist

validate: $(STAMP)
	$(BIN)/modelfacts validate

# Rewrite data/ in the canonical layout (the same as `modelfacts fmt`); `make fmt-check` only reports.
fmt: $(STAMP)
	$(BIN)/modelfacts fmt

fmt-check: $(STAMP)
	$(BIN)/modelfacts fmt --check

test: $(STAMP) browser-deps $(NPM_STAMP)
	$(BIN)/python -m pytest -q

# Headless Chromium and its driver for tests/test_browser.py: Debian packages, installed once (as root) when missing.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium and chromium-driver for the browser test"; \
	    log=$$(mktemp); \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; } \
	      >"$$log" 2>&1 || { cat "$$log"; rm -f "$$log"; exit 1; }; \
	    rm -f "$$log"; \
	  else \
	    echo "chromium or chromedriver missing (install them as root): the browser test will be skipped"; \
	  fi; \
	fi

# The site's browser libraries (DuckDB-WASM, Vega-Lite, esbuild) from the npm registry, pinned by package-lock.json.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

docs: build $(NPM_STAMP)
	$(BIN)/modelfacts docs --db dist/modelfacts.duckdb --out dist/site

# Screenshots of the model page, the SQL page and the explorer for docs/using-the-site.md (small PNGs, committed).
screenshots: $(STAMP) browser-deps $(NPM_STAMP)
	MODELFACTS_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/test_browser.py \
	  -k "model_page_renders or shared_sql_link or hovering_a_chart"

# View the site at http://127.0.0.1:8000/ (localhost only; Ctrl+C stops it). PORT=8001 make serve for another port.
# Serves the site `make docs` last wrote (building it first only when there is none); model pages are
# models/<organization>/<model-id>/.
PORT ?= 8000
serve: $(STAMP)
	@test -f dist/site/index.html || $(MAKE) docs
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory dist/site $(PORT)

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --write-docs docs/performance.md

clean:
	rm -rf dist

# ---- releases and the CITATION.cff validator --------------------------------------------------
# cffconvert 2.0.0 pins jsonschema<4, which clashes with requirements.lock, so it lives in its own small
# virtualenv inside .venv/ (already ignored by git); tests/test_cite.py runs it on CITATION.cff.
CFF_VENV  := $(VENV)/cffconvert
CFF_STAMP := $(CFF_VENV)/.installed
CFF_PINS  := cffconvert==2.0.0 jsonschema==3.2.0 pykwalify==1.8.0 ruamel.yaml==0.19.1 click==8.5.1 \
             requests==2.34.2 attrs==26.1.0 pyrsistent==0.20.0 docopt==0.6.2 python-dateutil==4.0.0 six==1.17.0 \
             certifi==2026.10.18 charset-normalizer==3.5.2 idna==3.20 urllib3==2.8.0 tzdata==2026.6

$(CFF_STAMP):
	$(PYTHON) -m venv $(CFF_VENV)
	$(CFF_VENV)/bin/pip install --quiet $(CFF_PINS)
	touch $(CFF_STAMP)

test: $(CFF_STAMP)

.PHONY: release
# dist/release/: modelfacts-<version>.duckdb, Parquet and CSV bundles, SHA256SUMS (see pipeline/release.py)
release: build
	$(BIN)/modelfacts release --db dist/modelfacts.duckdb --out dist/release
