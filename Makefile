# One command serves the site, one runs every test; both set up what they need first.
# `make help` lists the targets.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.DEFAULT_GOAL := help
.PHONY: help setup serve test build lint links bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

setup: $(BIN)/.installed node_modules/.installed ## create the virtualenv and install the pinned Python and npm packages

serve: setup ## build the site (calculators wheel, Pyodide runtime) and serve it on http://127.0.0.1:8000 with live reload
	$(BIN)/mkdocs serve --strict --dev-addr $(HOST):$(PORT)

build: setup ## write the deployable site to site/ with the same strict checks
	$(BIN)/mkdocs build --strict --clean

lint: setup ## ruff on everything, mypy --strict on calculators/
	$(BIN)/ruff check calculators macros tests
	$(BIN)/mypy --strict calculators

test: lint ## run every test: unit, property, build, Pyodide parity and browser tests
	$(BIN)/python -m pytest

links: setup ## record newly published pages, anchors and short links in tests/published_links.json
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --clean -d build/links-site
	$(BIN)/python -m macros.links build/links-site

# Search: MkDocs writes the index itself (macros' on_post_build); after a Zensical build, run
# `make search-index` (SITE=site by default). search-report builds the site and prints each
# search-quality query's top results (tests/search_queries.py).
SITE ?= site
.PHONY: search-index search-report
search-index: setup ## write the search index into a built site (after a Zensical build; SITE=site)
	$(BIN)/python -m macros.search $(SITE)

search-report: setup ## build the site and print each search-quality query's top three results
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --clean -d build/search-site
	$(BIN)/python -m tests.test_search_quality build/search-site

bench: setup ## print speed figures and ratios (CPython, Pyodide cold start, per request)
	$(BIN)/python -m tests.bench

clean: ## remove what the build and tests made (keeps the virtualenv and node_modules)
	rm -rf site build .pytest_cache .mypy_cache .ruff_cache .hypothesis
