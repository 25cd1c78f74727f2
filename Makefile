# Developer and CI entry points. `make run` serves the app; `make test` is everything CI checks (.ci/run).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The shared folder sits beside the repository, in a developer's tree and in CI's clone alike.
SHARED := ../shared

.PHONY: help venv run lint test bench

help:
	@echo "make run   - create the virtualenv, install, migrate and serve on http://127.0.0.1:8000"
	@echo "make test  - everything CI checks"
	@echo "make lint  - ruff check and ruff format --check"
	@echo "make bench - engine speed, gunicorn req/s and latency (wrk), page weight; last line is JSON"

venv: $(VENV)/.installed

# Re-installs only when pyproject.toml changes, so a second `make venv` does nothing.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check --quiet -e '.[test]'
	touch $@

run: venv
	$(BIN)/python manage.py migrate
	HYPOMAG_DEMO=1 $(BIN)/python manage.py demo_setup
	HYPOMAG_DEMO=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Each step stops the run on failure. pytest exits 5 when it collects no test: that is non-zero, so an empty
# suite fails here on purpose instead of passing silently.
test: venv lint
	$(BIN)/python manage.py check
	DJANGO_DEBUG=False \
	DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(45))')" \
	DJANGO_ALLOWED_HOSTS=example.org \
	$(BIN)/python manage.py check --deploy --fail-level WARNING
	# The browser tests (tests/e2e) drive Debian's Chromium; installed here when missing.
	scripts/ensure-chromium
	# Whole suite on SQLite, browser tests included; the clinical core must be fully covered (lines and branches).
	env -u DATABASE_URL -u PGDATABASE \
	$(BIN)/pytest --cov=assessments.clinical --cov-branch --cov-report=term-missing --cov-fail-under=100
	# The golden cases, through the same command line a user has.
	$(BIN)/python $(SHARED)/contract/check_cases.py --cmd "$(BIN)/python manage.py assess -" $(SHARED)/clinical/cases
	# Whole suite again on a throwaway PostgreSQL, the production database; the browser tests store nothing, so
	# they ran once above and are left out here.
	scripts/with-postgres $(BIN)/pytest -q -p no:cacheprovider -m "not e2e"

# Heavy (about a minute of full load on every core): run it on an otherwise idle machine. Installs wrk when missing.
bench: venv
	$(BIN)/python scripts/bench
