# Two commands for a new user: `make build` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN := $(BIN)/python -m site_builder
# Catalog sizes for the benchmarks, e.g. make bench BENCH_SIZES=1000
BENCH_SIZES ?= 1000,10000

.PHONY: build test serve check clean install install-dev bench bench-build bench-search bench-relevance deploy offline screenshots

build: install ## Create .venv if needed, install pinned deps, build site/ from catalog/
	$(RUN) build

test: install-dev ## Run the whole test suite (unit, integration, browser)
	$(BIN)/python -m pytest

check: install ## Validate the catalog: every problem as path:line: field: message
	$(RUN) check

serve: install ## Preview at http://127.0.0.1:8000; an edit to catalog/ regenerates and re-renders only what it touches, and reloads
	$(RUN) build --no-mkdocs
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs serve --dirty --dev-addr 127.0.0.1:8000

deploy: install ## Publish to the gh-pages branch with mkdocs gh-deploy (the Pages workflow's alternative); set SITE_URL=https://<user>.github.io/<repo>/
	$(RUN) build --no-mkdocs
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs gh-deploy --strict

offline: build ## Build, then zip site/ into dist/<name>-<date>.zip: unzip anywhere and open <name>/index.html, no network needed
	$(RUN) offline

bench: install-dev bench-build bench-search bench-relevance ## Run every benchmark; results in bench/results/

bench-build: install-dev ## Build benchmark: each stage, the whole build and plain MkDocs (bench/results/build.md)
	$(BIN)/python bench/build_bench.py --sizes $(BENCH_SIZES) --out bench/results

bench-relevance: install-dev ## Related-paper recall@5 and tag recall against hand labels (bench/results/relevance.md)
	$(BIN)/python -m bench.relevance

bench-search: install-dev ## Search benchmark: our prebuilt index vs Material's search (bench/results/search.md)
	$(BIN)/python bench/search_bench.py --sizes $(BENCH_SIZES) --out bench/results

screenshots: install-dev ## Retake the README's screenshots (docs/assets/screenshots/) from a fresh build of catalog/ in a temp folder
	$(BIN)/python tests/screenshots.py

clean: ## Remove build output (site/, generated docs/ pages, the build cache .cache/build); keeps .venv and .cache/arxiv
	rm -rf site .pytest_cache .cache/build docs/papers docs/tags docs/browse docs/authors docs/search-index docs/index.md docs/catalog.bib docs/feed.xml

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@
