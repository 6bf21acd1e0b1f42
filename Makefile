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
.PHONY: help install run serve test test-core lint bench cluster ci clean

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

# Production on this machine: prod settings from the environment, with .env read first when there is one
# (copy .env.example). Plain http://127.0.0.1:8000 needs MINIPACK_PLAIN_HTTP=1 (no TLS proxy in front).
serve: install ## Production server: migrate, collectstatic, then gunicorn with prod settings (reads .env; see .env.example)
	@set -a; if [ -f .env ]; then . ./.env; fi; set +a; \
	if [ -z "$${DJANGO_SECRET_KEY:-}" ]; then \
		echo "make serve: DJANGO_SECRET_KEY is not set. Copy .env.example to .env and fill it in (README: Running in production)." >&2; \
		exit 1; \
	fi; \
	export DJANGO_SETTINGS_MODULE=minipack_web.settings.prod; \
	$(BIN)/python manage.py migrate --noinput && \
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0 && \
	exec $(BIN)/gunicorn --config python:minipack_web.gunicorn_conf

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

lint: install ## ruff, the import contract, mypy on the core, template safety, Django's checks (and --deploy), migrations
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python scripts/lint_templates.py
	$(BIN)/python manage.py check --fail-level WARNING
	@# The deploy gate (RELIABILITY A.1) on the production settings, with stand-in values for what they require.
	env -u MINIPACK_PLAIN_HTTP -u DATABASE_URL DJANGO_SETTINGS_MODULE=minipack_web.settings.prod \
		DJANGO_SECRET_KEY=lint-only-stand-in-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH \
		DJANGO_ALLOWED_HOSTS=minipack.example MINIPACK_VAR_DIR=$(CURDIR)/var/lint \
		$(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install ## Speed figures, side by side with the named peers (not part of make test)
	@# The load benchmark needs wrk, nginx, PostgreSQL and Redis; as root, install them (elsewhere it says how and skips).
	@if [ "$$(id -u)" = 0 ] && ! { command -v wrk && { command -v nginx || test -x /usr/sbin/nginx; } \
		&& command -v redis-server && ls /usr/lib/postgresql/*/bin/initdb; } >/dev/null 2>&1; then \
		apt-get update -qq && apt-get install -y -qq wrk nginx-light redis-server postgresql-15; \
	fi
	$(BIN)/python -m benchmarks

cluster: install ## Several servers on loopback: PostgreSQL, Redis, 2 gunicorns, nginx on :8080 (docs/deploy.md)
	$(BIN)/python -m minipack_web.ops.cluster --port 8080

ci: lint test ## What CI runs on each database

clean: ## Remove the virtualenv, caches and the development database
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache .hypothesis
