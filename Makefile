# One command serves the site, one runs every test; both set up what they need first.
# `make help` lists the targets.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The site generator: mkdocs (Material for MkDocs) or zensical; both read mkdocs.yml.
ENGINE ?= mkdocs

# Quiet builds: no end-of-life banners (the theme's, the redirects plugin's); warnings still show.
export NO_MKDOCS_2_WARNING := 1
export DISABLE_MKDOCS_2_WARNING := true
# Zensical loads macros/ by path; the calculators and macros packages import from the project root.
export PYTHONPATH := $(CURDIR)

ifeq ($(ENGINE),mkdocs)
  BUILD_SITE = $(BIN)/mkdocs build --strict --clean
  SERVE_SITE = $(BIN)/mkdocs serve --strict --dev-addr $(HOST):$(PORT)
else ifeq ($(ENGINE),zensical)
  # Zensical loads no MkDocs hooks: the search index and redirect pages (tools/post_build.py) after it.
  BUILD_SITE = $(BIN)/zensical build --strict --clean && $(BIN)/python -m tools.post_build site
  SERVE_SITE = $(BIN)/zensical serve --dev-addr $(HOST):$(PORT)
else
  $(error ENGINE must be mkdocs or zensical, not '$(ENGINE)')
endif

.DEFAULT_GOAL := help
.PHONY: help setup assets serve test build lint links bench clean

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

assets: setup ## build what both engines need: calculators wheel, Pyodide runtime, trimmed stdlib, short links
	$(BIN)/python -m macros

serve: assets ## serve the site on http://127.0.0.1:8000 with live reload (ENGINE=zensical, PORT=, HOST=)
	$(SERVE_SITE)

build: assets ## write the deployable site to site/ with the same strict checks (ENGINE=zensical)
	$(BUILD_SITE)

lint: setup ## ruff check and ruff format --check on all Python, mypy --strict on calculators/, collector/, macros/
	$(BIN)/ruff check calculators macros tools collector tests
	$(BIN)/ruff format --check calculators macros tools collector tests
	$(BIN)/mypy --strict calculators collector macros

test: lint ## run every test: unit, property, build, Pyodide parity and browser tests
	$(BIN)/python -m pytest

links: assets ## record newly published pages, anchors and short links in tests/published_links.json
	$(BIN)/mkdocs build --strict --clean --quiet -d build/links-site
	$(BIN)/python -m macros.links build/links-site

# The post-build steps (search index, redirect pages: tools/post_build.py) run as a hook under MkDocs
# and after Zensical in `make build ENGINE=zensical`; `make post-build` (SITE=site by default) runs
# them alone. search-report builds the site and prints each search-quality query's top results
# (tests/search_queries.py).
SITE ?= site
.PHONY: post-build search-report
post-build: setup ## the search index and CSP-safe redirect pages for a built site (SITE=site)
	$(BIN)/python -m tools.post_build $(SITE)

search-report: setup ## build the site and print each search-quality query's top three results
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --clean -d build/search-site
	$(BIN)/python -m tests.test_search_quality build/search-site

# BENCH_ARGS: --runs N (default 5), --samples N, --no-synthetic, --node (CPython vs Pyodide under Node).
bench: setup ## build, serve and measure the site in Chromium against a naive page; writes build/bench.json
	$(BIN)/python -m tests.bench $(BENCH_ARGS)

.PHONY: collector collector-export
collector: setup ## run the feedback collector on 127.0.0.1:8001 (COLLECTOR_PORT; COLLECTOR_DATABASE: sqlite:///file or postgresql://…)
	$(BIN)/python -m collector serve

collector-export: setup ## write the collector's counts to KB_FEEDBACK_COUNTS (build/feedback-counts.json) for `make build`
	$(BIN)/python -m collector export --output "$${KB_FEEDBACK_COUNTS:-build/feedback-counts.json}"

clean: ## remove what the build and tests made (keeps the virtualenv and node_modules)
	rm -rf site build .cache docs/assets/pyodide docs/assets/calculators docs/assets/snapshot .pytest_cache .mypy_cache .ruff_cache .hypothesis
