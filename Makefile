# minxin developer tasks. Every target bootstraps .venv itself; `make test` is what CI runs
# (through .ci/run, which first installs PostgreSQL, Chromium and gettext from Debian packages).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_DB ?= sqlite:///demo.sqlite3
CHROMIUM ?= /usr/bin/chromium

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# The stages of `make test` must run in order and stop at the first failure, even under -j.
.NOTPARALLEL:

export PYTHONDONTWRITEBYTECODE := 1
export DJANGO_SETTINGS_MODULE := minxin.settings
# Settings refuse to start without SECRET_KEY when DEBUG is off; every target here is a developer's.
export DEBUG := 1
export CHROMIUM

# A loud, unmissable message: $(call banner,text)
banner = printf '\n%s\n!!! %s\n%s\n\n' '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!' $(1) \
	'!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!' >&2
# Skip with a banner, or fail when CI=true: $(call skip_or_fail,text)
skip_or_fail = $(call banner,$(1)); if [ "$${CI:-}" = true ]; then echo "CI=true: refusing to skip" >&2; exit 1; fi

PYTEST_STAGE := bash scripts/run_pytest.sh
LOCK_FLAGS := --generate-hashes --universal --python-version 3.11 --custom-compile-command 'make lock' -q

.PHONY: help venv lock lock-check fresh-clone-test screenshots messages demo lint openapi openapi-check test test-sqlite test-through-wsgi test-postgres test-api-fuzz test-browser \
	bench clean

help:
	@echo "make demo           serve the demo city on http://127.0.0.1:8000 (SQLite: $(DEMO_DB))"
	@echo "make test           lint, OpenAPI check, tests on SQLite, PostgreSQL and in Chromium"
	@echo "make lint           ruff check, ruff format --check, mypy"
	@echo "make test-api-fuzz  schemathesis over the OpenAPI document against a server on PostgreSQL"
	@echo "make openapi        regenerate docs/openapi.json"
	@echo "make bench          run bench/bench_*.py"
	@echo "make screenshots    the wall screen and (with make demo running) the pages, into docs/screenshots/"
	@echo "make messages       compile translations (needs gettext's msgfmt)"
	@echo "make lock           refresh requirements/*.txt from pyproject.toml (then run make test)"
	@echo "make fresh-clone-test  clone HEAD into a temporary folder and run make test there, no pip cache"
	@echo "make venv | clean"

# --- environment -------------------------------------------------------------------------------

venv: $(STAMP) .env

# Install exactly the lock (every package pinned with its hashes; nothing else, no resolver at work), and
# again only when the lock changed. The project itself runs from this folder and is not installed.
$(STAMP): requirements/dev.txt
	@test -x $(PY) || { echo "==> creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "==> pip install --require-hashes -r requirements/dev.txt"
	@PYTHONWARNINGS=ignore $(PY) -m pip install -q --disable-pip-version-check --require-hashes --no-deps \
		-r requirements/dev.txt 2>&1 | { grep -v "^WARNING: Location" || true; }
	@$(PY) -m pip check --disable-pip-version-check >/dev/null
	@touch $@

# Development settings (DEBUG on, the demo's SQLite file), so manage.py runs as the docs print it.
# Ignored by git; settings never read it when the environment sets SECRET_KEY.
.env:
	@cp scripts/dev.env .env
	@echo "==> wrote .env for development (from scripts/dev.env)"

# Refresh the lock on purpose: the newest releases that pyproject.toml allows, with their hashes.
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml $(LOCK_FLAGS) -o requirements/base.txt
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev $(LOCK_FLAGS) -o requirements/dev.txt

lock-check: venv
	$(PY) scripts/check_lock.py

messages: venv
	@if command -v msgfmt >/dev/null 2>&1; then \
		$(PY) manage.py compilemessages --ignore=.venv -v0; \
	else \
		$(call skip_or_fail,"msgfmt not found (install Debian's gettext): translations NOT compiled; pages fall back to untranslated strings"); \
	fi

# --- demo --------------------------------------------------------------------------------------

# One uvicorn process (minxin/embedded.py): the hall event streams on its event loop, every other request
# through the production WSGI application (hot path included) on one thread with one SQLite connection.
demo: venv messages
	@export DATABASE_URL='$(DEMO_DB)'; \
	$(PY) manage.py migrate --noinput; \
	$(PY) manage.py load_demo --always-open; \
	if $(PY) manage.py help demo_logins >/dev/null 2>&1; then $(PY) manage.py demo_logins; fi; \
	worker=; \
	trap '[ -z "$$worker" ] || kill "$$worker" 2>/dev/null || true' EXIT; \
	trap 'exit 130' INT TERM; \
	if $(PY) manage.py help worker >/dev/null 2>&1; then \
		DEMO_SIMULATOR=1 $(PY) manage.py worker & worker=$$!; \
		echo "==> worker started (pid $$worker)"; \
	else \
		echo "==> no 'worker' command yet: serving without a worker"; \
	fi; \
	echo "==> http://127.0.0.1:8000/ (Ctrl-C stops the server and the worker)"; \
	$(VENV)/bin/uvicorn minxin.embedded:application --host 127.0.0.1 --port 8000 --no-access-log --timeout-graceful-shutdown 3

# --- checks ------------------------------------------------------------------------------------

lint: venv
	$(VENV)/bin/ruff check .
	@echo "$(VENV)/bin/ruff format --check ."
	@$(VENV)/bin/ruff format --check . || { echo "!!! formatting differs; fix with: $(VENV)/bin/ruff format ." >&2; exit 1; }
	$(VENV)/bin/mypy minxin

openapi: venv
	$(PY) manage.py export_openapi --output docs/openapi.json

openapi-check: venv
	$(PY) manage.py export_openapi --check docs/openapi.json

# --- tests -------------------------------------------------------------------------------------

test: venv lock-check messages lint openapi-check test-sqlite test-through-wsgi test-postgres test-api-fuzz test-browser
	@echo
	@echo "==> make test: all stages passed"

test-sqlite: venv messages
	@DATABASE_URL=sqlite:///test-sqlite.sqlite3 $(PYTEST_STAGE) sqlite $(VENV)/bin/pytest -m "not browser" -q

# The API tests that call the hot routes, again with each request through the hot path in front of Django
# (minxin/core/hotpath.py, as minxin/wsgi.py serves it; root conftest.py's client), so that both paths are
# tested by every one of them. About 2 minutes.
THROUGH_WSGI_TESTS := minxin/queueing/tests/test_api.py minxin/queueing/tests/test_issue_scope.py \
	minxin/queueing/tests/test_refusals.py minxin/queueing/tests/test_reports.py \
	minxin/voting/tests/test_ballots.py minxin/voting/tests/test_campaigns.py \
	minxin/voting/tests/test_results_worker.py minxin/accounts/tests/test_tokens.py

test-through-wsgi: venv messages
	@MINXIN_TEST_THROUGH_WSGI=1 DATABASE_URL=sqlite:///test-through-wsgi.sqlite3 $(PYTEST_STAGE) through-wsgi \
		$(VENV)/bin/pytest $(THROUGH_WSGI_TESTS) -m "not browser" -q

test-postgres: venv messages
	@if $(PY) scripts/with_postgres.py --check >/dev/null 2>&1; then \
		$(PYTEST_STAGE) postgres $(PY) scripts/with_postgres.py -- $(VENV)/bin/pytest -m "not browser" -q; \
	else \
		$(call skip_or_fail,"PostgreSQL binaries not found: PostgreSQL tests SKIPPED (install Debian's postgresql or set PG_BIN)"); \
	fi

# schemathesis over the whole OpenAPI document against gunicorn on a throwaway PostgreSQL cluster.
test-api-fuzz: venv messages
	@if $(PY) scripts/with_postgres.py --check >/dev/null 2>&1; then \
		echo; echo "==> [api-fuzz] scripts/api_fuzz.py"; \
		$(PY) scripts/with_postgres.py -- $(PY) scripts/api_fuzz.py; \
	else \
		$(call skip_or_fail,"PostgreSQL binaries not found: API fuzzing SKIPPED (install Debian's postgresql or set PG_BIN)"); \
	fi

test-browser: venv messages
	@if [ -x "$(CHROMIUM)" ]; then \
		DATABASE_URL=sqlite:///test-browser.sqlite3 $(PYTEST_STAGE) browser $(VENV)/bin/pytest -m browser -q; \
	else \
		$(call skip_or_fail,"Chromium not found at $(CHROMIUM): browser tests SKIPPED (install Debian's chromium or set CHROMIUM)"); \
	fi

# --- benchmarks --------------------------------------------------------------------------------

fresh-clone-test:
	bash scripts/fresh_clone_test.sh

# The wall screen at 1920×1080 and 3840×2160 (its own throwaway database), then the public and staff
# pages from a running demo (make demo in another terminal), into docs/screenshots/.
screenshots: venv messages
	$(PY) scripts/screenshots_insights.py --out docs/screenshots --pages-out docs/screenshots/insights
	@if $(PY) -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)" 2>/dev/null; then \
		$(PY) scripts/screenshots.py --base http://127.0.0.1:8000 --out docs/screenshots; \
	else \
		echo "==> no demo at http://127.0.0.1:8000: start 'make demo' in another terminal for the page screenshots"; \
	fi

bench: venv
	@shopt -s nullglob; files=(bench/bench_*.py); \
	if [ $${#files[@]} -eq 0 ]; then echo "no benchmarks yet"; exit 0; fi; \
	for file in "$${files[@]}"; do echo "==> $$file"; $(PY) "$$file"; done

clean:
	rm -rf $(VENV) staticfiles
	rm -f *.sqlite3 *.sqlite3-shm *.sqlite3-wal *.sqlite3-journal
