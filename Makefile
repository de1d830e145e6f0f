# Back care programs. `make` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.8
TOOLS := var/tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Bytecode for the installed packages, compiled once at install; and written for our own
# modules (and pytest's rewritten tests) even where the environment says not to: every test
# run starts many Python processes (xdist workers, Celery workers, manage.py), and without
# it each one compiles Django and the rest from source again.
export UV_COMPILE_BYTECODE := 1
unexport PYTHONDONTWRITEBYTECODE
# The embedded default: no servers needed. Override any of these in the environment.
# PORT picks the web server's port (PORT=8101 make run); SITE_URL, and so the links in emails,
# follow it unless SITE_URL is set.
RUN_ENV := DEBUG=$${DEBUG:-true} WEB_PORT=$${WEB_PORT:-$${PORT:-8000}}

.PHONY: help install translations messages run web worker beat migrate demo test test-fast lint format bench clean

help: ## Show this list
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	touch $@

install: $(VENV)/.installed ## Install the locked dependencies into .venv

# The .mo files are built from the committed .po catalogues (in Python, with polib), never
# committed. `make messages` needs GNU gettext (xgettext, msgmerge): Debian's package gettext.
translations: install ## Compile the translation catalogues (locale/*/LC_MESSAGES/*.po)
	DEBUG=true $(PY) manage.py compile_translations

MAKEMESSAGES := DEBUG=true $(PY) manage.py makemessages --all --no-location --no-obsolete --ignore=var --ignore=tests --ignore=bench
messages: install ## Extract the marked texts into the catalogues after an edit; then translate the new entries
	$(MAKEMESSAGES) --domain django
	$(MAKEMESSAGES) --domain djangojs --ignore=static/js/htmx.min.js
	$(MAKE) translations

migrate: translations ## Apply database migrations
	$(RUN_ENV) $(PY) manage.py migrate --no-input

demo: migrate ## Load the catalogue and the demo clinic, physio and patient
	$(RUN_ENV) $(PY) manage.py load_catalogue
	$(RUN_ENV) $(PY) manage.py seed_demo

run: demo ## Start web, worker and beat with the embedded defaults (PORT=8101 to pick the port; Ctrl-C stops all)
	@echo "Starting web, worker and beat..."
	@$(RUN_ENV) $(PY) manage.py run_embedded

# Threaded workers (gthread) keep connections alive; sync workers close each one: measured in
# bench/bench_catalogue.py (docs/benchmarks.md). Each thread holds its own database connection.
web: translations ## Start only the web server (gunicorn, threaded workers)
	$(VENV)/bin/gunicorn config.wsgi --bind $${BIND:-127.0.0.1:8000} --workers $${WEB_WORKERS:-2} --worker-class gthread --threads $${WEB_THREADS:-4} --access-logfile -

worker: translations ## Start only a Celery worker
	$(VENV)/bin/celery -A config worker --loglevel=INFO --concurrency=$${WORKER_CONCURRENCY:-2} -Q $${WORKER_QUEUES:-default,pdf,email}

beat: install ## Start the one Celery beat process
	$(VENV)/bin/celery -A config beat --loglevel=INFO

# Two processes (xdist), one per core; a file's tests stay together, so module fixtures are
# built once. TEST_NOW=2028-02-29T23:30:00+00:00 runs every test at that moment.
TEST_WORKERS ?= 2
PYTEST := $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile

# mypy loads the settings (django-stubs), which refuse DEBUG off without a SECRET_KEY.
test: translations ## Lint, check the layers and run the whole test suite (TEST_NOW=<ISO datetime> to run it then)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	DEBUG=true $(VENV)/bin/mypy
	$(PYTEST)

test-fast: translations ## The suite without the browser, worker and fuzz tests (for the edit-test loop)
	$(PYTEST) -m "not browser and not worker and not fuzz"

lint: install ## Lint, check formatting and the layers, audit dependencies
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	DEBUG=true $(VENV)/bin/mypy
	$(UV) export --frozen --quiet --no-hashes --no-emit-project > var/requirements-audit.txt
	$(VENV)/bin/pip-audit --strict --disable-pip --no-deps -r var/requirements-audit.txt

format: install ## Fix lint findings and format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# BENCH_BEFORE=PATH (a checkout of an earlier commit) measures it beside this one, same run.
bench: install ## Run the benchmarks in bench/, print one table, record it in docs/benchmarks.md
	$(PY) -m bench --write-docs

clean: ## Remove the local database, outbox, broker folder and media
	rm -rf var/db.sqlite3* var/outbox var/broker var/media var/celerybeat-schedule*
