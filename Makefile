# The two commands a new machine needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The compiled sequence kernels (setup.py, _kernels.c) are built by the install: a change
# to them installs again.
KERNELS := setup.py src/doconnect/transitions/engine/_kernels.c
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock $(KERNELS) | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000
DEV_ENV := DOCONNECT_DEBUG=1 DOCONNECT_DEMO_MODE=1

.PHONY: run test install frontend lint typecheck bench browser gettext pdflibs messages lock clean help

help:
	@echo "make run    install, migrate, load the demo city, serve on http://$(HOST):$(PORT)"
	@echo "make test   the whole suite (lint, types, unit, PostgreSQL, browser)"
	@echo "make bench  the benchmarks under bench/"

$(STAMP): pyproject.toml requirements.lock $(KERNELS)
	@echo "==> Python packages: .venv with the pinned packages of requirements.lock (a few minutes the first time)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# Front-end packages (KERN, htmx, axe-core) from npm, exactly as in package-lock.json;
# served by Django's staticfiles from node_modules/. Re-run when the lock file changes.
NPM_STAMP := node_modules/.installed
$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm missing: install Node.js and npm (e.g. 'apt-get install -y nodejs npm')" >&2; exit 1; }
	@echo "==> Front-end packages from npm (KERN, htmx, Vega, Swagger UI, axe-core): npm ci"
	npm ci --no-audit --no-fund
	@touch $@

frontend: $(NPM_STAMP)

run: install frontend pdflibs
	@mkdir -p var
	@echo "==> Database: migrating var/doconnect.sqlite3"
	$(DEV_ENV) $(BIN)/doconnect migrate --verbosity 0
	$(DEV_ENV) $(BIN)/doconnect collectstatic --noinput --verbosity 0
	@echo "==> Demo city: loading it if the database holds no persons (about half a minute)"
	$(DEV_ENV) $(BIN)/doconnect demo --if-empty
	@# The web server and the background worker side by side: Ctrl+C, or either of them
	@# ending, stops both (`wait -n` returns when the first one ends; the trap ends the other).
	@trap 'kill $$pids 2>/dev/null; wait' EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/doconnect worker & pids=$$!; \
	$(DEV_ENV) $(BIN)/doconnect serve --host $(HOST) --port $(PORT) & pids="$$pids $$!"; \
	wait -n

# Chromium for the browser tests comes from Debian's package (Playwright cannot
# download browsers here).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then echo "==> Installing Chromium from Debian (apt-get)"; apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium missing: run 'sudo apt-get install -y chromium'" >&2; exit 1; fi; }

# Pango and HarfBuzz for WeasyPrint (the public report as PDF), from Debian's packages.
pdflibs:
	@ldconfig -p | grep -q libpangoft2-1.0.so.0 || { \
	  if [ "$$(id -u)" = 0 ]; then echo "==> Installing Pango and HarfBuzz from Debian (apt-get)"; apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null; \
	  else echo "Pango missing (needed for PDF reports): run 'sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0'" >&2; exit 1; fi; }

# GNU gettext: the translation check in the suite and `make messages` use it.
gettext:
	@command -v xgettext >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then echo "==> Installing GNU gettext from Debian (apt-get)"; apt-get update -qq && apt-get install -y -qq gettext >/dev/null; \
	  else echo "gettext missing: run 'sudo apt-get install -y gettext'" >&2; exit 1; fi; }

# After changing visible strings: update src/doconnect/locale/en/.../django.po, translate
# the new entries there, run again to compile.
messages: install gettext
	$(DEV_ENV) $(BIN)/doconnect messages

lint: install
	@echo "==> Lint: ruff, ruff format --check, lint-imports"
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports --no-cache

typecheck: install
	@echo "==> Types: mypy"
	$(DEV_ENV) $(BIN)/mypy src

# The whole suite on PostgreSQL (production), then again on SQLite (the embedded
# default of `make run`) without the browser test.
test: install frontend browser gettext pdflibs lint typecheck
	@echo "==> Tests on PostgreSQL (a throwaway cluster) with the browser tests in Chromium"
	$(BIN)/pytest -p no:cacheprovider
	@echo "==> Tests again on SQLite (without the browser tests)"
	DOCONNECT_TEST_DB=sqlite $(BIN)/pytest -p no:cacheprovider -q -m "not browser"

bench: install
	$(BIN)/python bench/run_all.py

# Re-pin after changing dependencies in pyproject.toml.
lock:
	rm -rf /tmp/doconnect-lock && $(PYTHON) -m venv /tmp/doconnect-lock
	/tmp/doconnect-lock/bin/pip install --quiet -e ".[dev]"
	/tmp/doconnect-lock/bin/pip freeze --exclude-editable | grep -v '^doconnect' > requirements.lock

clean:
	rm -rf $(VENV) node_modules var/static .pytest_cache .mypy_cache .ruff_cache
