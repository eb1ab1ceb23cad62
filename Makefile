# newsroom developer tasks. Everything runs from the project's own virtualenv.
#
#   make run             dev server with demo data at http://$(HOST):$(PORT)/, and the background-job workers
#   make serve           production-style gunicorn server (DEBUG=0), and the background-job workers
#   make test            test suite (SQLite unless DATABASE_URL says otherwise)
#   make test-postgres   test suite against a throwaway PostgreSQL server
#   make test-browser    reader, editor, hostile and accessibility journeys in Chromium (Playwright)
#   make screenshots     the same pages' screenshots, also into docs/screenshots/ (the README's)
#   make check           Django checks, missing migrations, ruff lint + format
#   make loadtest        20 clients post 500 comments to gunicorn, on SQLite and on PostgreSQL
#   make bench           speed: seeded dataset, production server, wrk, Varnish, nginx; table in bench-results/
#   make send-mail       send the mail waiting in the outbox now (the workers do it on their own)
#   make purge-ips       clear commenters' IP addresses older than COMMENTS_IP_RETENTION_DAYS now (the workers: daily)
#   make clean           remove var/ (local database, secret key) and .venv
#
# Pass extra pytest arguments with PYTEST_ARGS, e.g. make test PYTEST_ARGS='-k feed -x'

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

HOST ?= 127.0.0.1
PORT ?= 8000
# gunicorn workers: 2 * CPUs + 1
WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); echo $$((2 * n + 1)))
# background-job workers for every queue, beside the one for mail (scripts/with_workers.py)
JOB_WORKERS ?= 1
PYTEST_ARGS ?=

.PHONY: venv run serve test test-postgres check migrations-check clean loadtest send-mail purge-ips test-browser screenshots bench drill

# --- virtualenv ----------------------------------------------------------------

venv: $(STAMP)

# Rebuilt only when a requirements file changes, so a second run is instant.
$(STAMP): requirements.txt requirements-dev.txt
	@if [ ! -x $(PY) ] || ! $(PY) -m pip --version >/dev/null 2>&1; then \
	  rm -rf $(VENV); \
	  echo "Creating $(VENV) with $$(command -v $(PYTHON))"; \
	  if ! $(PYTHON) -m venv $(VENV); then \
	    rm -rf $(VENV); \
	    echo >&2; \
	    echo "ERROR: '$(PYTHON) -m venv' failed." >&2; \
	    if ! $(PYTHON) -c 'import ensurepip' >/dev/null 2>&1; then \
	      echo "ensurepip is missing. On Debian/Ubuntu install it with:" >&2; \
	      echo "    apt-get install python3-venv" >&2; \
	    fi; \
	    exit 1; \
	  fi; \
	fi
	$(PY) -m pip install --disable-pip-version-check --progress-bar off --upgrade pip
	$(PY) -m pip install --disable-pip-version-check --progress-bar off -r requirements-dev.txt
	@touch $(STAMP)

# --- development server ----------------------------------------------------------

run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py load_demo_comments
	HOST=$(HOST) PORT=$(PORT) $(PY) manage.py ensure_superuser
	JOB_WORKERS=$(JOB_WORKERS) $(PY) scripts/with_workers.py $(PY) manage.py runserver $(HOST):$(PORT)

# --- production-style server ---------------------------------------------------------
#
# Settings for `serve`, exported only to the manage.py/gunicorn commands below.
# SECRET_KEY: taken from the environment, else from var/secret_key (generated
# once). SECURE_SSL_REDIRECT defaults to 0: in real deployments TLS is
# terminated at the proxy; loopback serving here is plain http. SERVE_MEDIA
# defaults to 1 so uploaded images show; deployments serve media from object
# storage or the proxy instead.
SERVE_ENV = DEBUG=0 \
	SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-$(HOST),localhost,127.0.0.1}" \
	SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}" \
	SERVE_MEDIA="$${SERVE_MEDIA:-1}"

serve: venv
	@mkdir -p var
	@if [ -z "$${SECRET_KEY:-}" ] && [ ! -s var/secret_key ]; then \
	  echo "Generating var/secret_key"; \
	  (umask 077 && $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key.tmp); \
	  mv var/secret_key.tmp var/secret_key; \
	fi
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput
	$(SERVE_ENV) JOB_WORKERS=$(JOB_WORKERS) exec $(PY) scripts/with_workers.py $(VENV)/bin/gunicorn newsroom.wsgi \
	  --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile -

# --- tests -------------------------------------------------------------------------------
#
# pytest exits 5 when it collected no tests. make would turn that into a plain
# failure; say what happened, since the suite is never legitimately empty.
define check_pytest_status
status=$$?; \
if [ $$status -eq 5 ]; then \
  echo "ERROR: pytest collected no tests (exit code 5); check test paths, pytest.ini and PYTEST_ARGS." >&2; \
fi; \
exit $$status
endef

test: venv
	@$(PY) -m pytest $(PYTEST_ARGS) || { $(check_pytest_status); }

# Uses DATABASE_URL if it already points at PostgreSQL, else a throwaway server.
test-postgres: venv
	@case "$${DATABASE_URL:-}" in \
	  postgres://*|postgresql://*|pgsql://*|postgis://*) \
	    echo "test-postgres: using the PostgreSQL server in DATABASE_URL"; \
	    $(PY) -m pytest $(PYTEST_ARGS) || { $(check_pytest_status); } ;; \
	  *) \
	    scripts/with-postgres $(PY) -m pytest $(PYTEST_ARGS) || { $(check_pytest_status); } ;; \
	esac

# --- browser suite ----------------------------------------------------------------------
#
# tests/browser/: Playwright drives Debian's Chromium (/usr/bin/chromium, or CHROMIUM=...; never a
# downloaded browser) against a live test server; axe-core's axe.min.js comes from npm, pinned in
# package-lock.json. SQLite unless DATABASE_URL says otherwise. A failing test leaves its trace and
# screenshot under test-artifacts/playwright/ (open a trace with `.venv/bin/playwright show-trace`).
NODE_STAMP := node_modules/.installed
BROWSER_PYTEST = $(PY) -m pytest --output test-artifacts/playwright \
	--tracing retain-on-failure --screenshot only-on-failure

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "ERROR: npm is missing. On Debian: apt-get install nodejs npm" >&2; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

test-browser: venv $(NODE_STAMP)
	@$(BROWSER_PYTEST) tests/browser $(PYTEST_ARGS) || { $(check_pytest_status); }

screenshots: venv $(NODE_STAMP)
	UPDATE_DOCS_SCREENSHOTS=1 $(BROWSER_PYTEST) tests/browser/test_layout.py -k screenshots $(PYTEST_ARGS)

# --- static checks -----------------------------------------------------------------------

check: venv
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# --- trust: load, and the jobs the workers run, by hand ------------------------------------------
#
# The load test builds its own databases (an SQLite file, then a database on a throwaway
# PostgreSQL server or on the one DATABASE_URL names) and its own gunicorn on 127.0.0.1.
loadtest: venv
	DATABASE_URL= $(PY) scripts/loadtest.py
	@case "$${DATABASE_URL:-}" in \
	  postgres://*|postgresql://*|pgsql://*) $(PY) scripts/loadtest.py --database-url "$$DATABASE_URL" ;; \
	  *) scripts/with-postgres $(PY) scripts/loadtest.py ;; \
	esac

# --- the fault drill ------------------------------------------------------------------------------------
#
# scripts/drill.py: two gunicorns behind nginx, PostgreSQL with a streaming replica, Redis, SeaweedFS and the
# queue worker on loopback, under a load of readers and commenters, while each part fails and comes back.
# make drill DRILL_ARGS=--quick is the bounded run .ci/run does. Needs nginx and redis-server.
DRILL_ARGS ?=
drill: venv
	scripts/with-postgres --replica $(PY) scripts/drill.py $(DRILL_ARGS)

# --- speed -----------------------------------------------------------------------------------------
#
# The benchmark (scripts/bench.py): its own database (var/bench/bench.sqlite3, or the PostgreSQL database
# DATABASE_URL names, empty or seeded by an earlier run), gunicorn as `serve` runs it, driven by wrk; then
# (scripts/bench_scenarios.py) the mixed run (a long tail of stories read while comments are posted and
# approved), the story page through Varnish against nginx serving its bytes, and the uncached story page.
# Needs wrk, nginx, varnish and varnish-modules (apt-get). Options through BENCH_ARGS, e.g.
#   make bench BENCH_ARGS='--articles 100000 --comments 1000000'
#   make bench BENCH_ARGS='--wordpress http://127.0.0.1:8080/?p=4'   # WordPress's 100-comment post beside ours
# (the WordPress baseline: copy ../shared/wordpress-baseline elsewhere, run its setup.sh and start.sh).
BENCH_ARGS ?=
bench: venv
	@command -v wrk >/dev/null 2>&1 || { echo "make bench drives the server with wrk: apt-get install wrk" >&2; exit 1; }
	$(PY) scripts/bench.py --workers $(WORKERS) $(BENCH_ARGS)

send-mail: venv
	$(PY) manage.py send_queued_mail

purge-ips: venv
	$(PY) manage.py purge_commenter_ips

migrations-check: venv
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf var $(VENV)
