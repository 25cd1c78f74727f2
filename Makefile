# Developer and CI entry points. `make run` serves the app; `make test` is everything CI checks (.ci/run).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The shared folder sits beside the repository, in a developer's tree and in CI's clone alike.
SHARED := ../shared

.PHONY: help venv run serve lint test bench load load-rate safety-report

help:
	@echo "make run   - create the virtualenv, install, migrate and serve on http://127.0.0.1:8000"
	@echo "make test  - everything CI checks"
	@echo "make serve - gunicorn with the production settings on http://127.0.0.1:8000, for a local trial"
	@echo "make lint  - ruff check, ruff format --check and mypy (the clinical core)"
	@echo "make safety-report - hazard -> tests -> pass/fail from a run of the hazard tests (docs/safety/hazard-log.md)"
	@echo "make bench - engine (full path and assess) against the previous commit, htmx partial vs /healthz (wrk),"
	@echo "             page weight; BASELINE=REV to compare with another commit; last line is JSON"
	@echo "make load  - Locust: 200 staff acting every 10-30 s for 60 s on PostgreSQL, open loop; last line is JSON"
	@echo "make load-rate - the same, stepping the rate up to the highest with p95 under 300 ms"

venv: $(VENV)/.installed

# Re-installs only when pyproject.toml changes, so a second `make venv` does nothing.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check --quiet -e '.[test]'
	touch $@

run: venv
	$(BIN)/python manage.py migrate
	$(BIN)/python manage.py createcachetable
	HYPOMAG_DEMO=1 $(BIN)/python manage.py demo_setup
	HYPOMAG_DEMO=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

# The production settings (DEBUG off, manifest static files, gzip, CSP) under gunicorn, on this machine only: plain
# HTTP is allowed here by DJANGO_HTTPS=False, which settings refuse for any other host. A new secret key each start.
serve: venv
	export DJANGO_DEBUG=False DJANGO_HTTPS=False DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost \
		DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(45))')"; \
	$(BIN)/python manage.py migrate && \
	$(BIN)/python manage.py createcachetable && \
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0 && \
	$(BIN)/gunicorn hypomag_site.wsgi --bind 127.0.0.1:8000 --workers 2 --access-logfile -

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

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
	$(BIN)/pytest -n 2 -m "not postgres" --cov=assessments.clinical --cov-branch --cov-report=term-missing --cov-fail-under=100
	# The golden cases, through the same command line a user has.
	$(BIN)/python $(SHARED)/contract/check_cases.py --cmd "$(BIN)/python manage.py assess -" $(SHARED)/clinical/cases
	# Again on a throwaway PostgreSQL, the production database: every feature's tests and the hazards (a new feature
	# folder under tests/web is picked up by itself). The clinical core (tests/unit) is database-free and the browser
	# tests store through the same code, so they ran once above.
	scripts/with-postgres $(BIN)/pytest -n 2 -q -p no:cacheprovider -m "not e2e" tests/web tests/safety

# Heavy (about a minute of full load on every core): run it on an otherwise idle machine. Installs wrk when missing.
# The engine is compared with BASELINE (a commit, default HEAD~1; none to skip) in the same run.
BASELINE ?= HEAD~1
bench: venv
	$(BIN)/python scripts/bench --baseline '$(BASELINE)' $(BENCH_ARGS)

# The `load` extra (Locust) on top of the test one; again only when pyproject.toml changes.
$(VENV)/.installed-load: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --disable-pip-version-check --quiet -e '.[test,load]'
	touch $@

# Heavy too (1-3 minutes): Locust against gunicorn on a throwaway PostgreSQL; fails on any error response.
# LOAD_ARGS passes options, e.g. LOAD_ARGS='--users 400 --seconds 120' (scripts/load --help).
load: $(VENV)/.installed-load
	scripts/with-postgres $(BIN)/python scripts/load $(LOAD_ARGS)

# The arrival rate the machine sustains with p95 under 300 ms: steps of 20 s, x1.5 each, until p95 is over.
load-rate: $(VENV)/.installed-load
	scripts/with-postgres $(BIN)/python scripts/load --find-rate $(LOAD_ARGS)

# The clinical safety case: runs only the test_haz tests (make test checks the log lists a test per hazard).
safety-report: venv
	$(BIN)/python scripts/safety-report
