# Minipack's front door. `make help` lists the targets.
# Everything runs from the project's own virtualenv, made on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000
# axe-core for the browser tests' accessibility checks, from npm (major version pinned).
AXE    := var/node/node_modules/axe-core/axe.min.js

.DEFAULT_GOAL := help
.PHONY: help install run test test-core lint bench ci clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(STAMP) ## Create .venv and install Minipack with its dev tools (CLI: .venv/bin/minipack)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: install ## Migrate, load the bundled catalog and serve on http://127.0.0.1:8000 (SQLite)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/minipack load-bundled
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install $(AXE) ## Run the whole test suite, browser tests included (SQLite; PostgreSQL when DATABASE_URL is set)
	$(BIN)/python -m pytest

# Without npm the browser tests skip their axe checks locally (and fail in CI, which installs npm).
$(AXE):
	@if command -v npm >/dev/null; then \
		npm install --no-save --silent --no-audit --no-fund --prefix var/node axe-core@4; \
	else \
		echo "npm not found: the browser tests will skip (CI installs it)"; \
	fi

test-core: install ## Only the domain core's tests (no database, seconds)
	$(BIN)/python -m pytest tests/core -p no:django

lint: install ## ruff, the import contract, mypy on the core, Django's checks and pending migrations
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install ## Speed figures, side by side with the named peers (not part of make test)
	@# The load benchmark needs wrk and nginx; as root, install them (elsewhere it says how and skips).
	@if [ "$$(id -u)" = 0 ] && ! { command -v wrk && { command -v nginx || test -x /usr/sbin/nginx; }; } >/dev/null; then \
		apt-get update -qq && apt-get install -y -qq wrk nginx-light; \
	fi
	$(BIN)/python -m benchmarks

ci: lint test ## What CI runs on each database

clean: ## Remove the virtualenv, caches and the development database
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache .hypothesis
