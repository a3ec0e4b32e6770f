# Paid Review Ledger: the two commands of the quick start are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
SIM_PORT ?= 8765
# Runs a command against DATABASE_URL or, when it is unset, the project's embedded
# PostgreSQL (data in .pgdata/), started before the command and stopped after it.
DB     := $(BIN)/python -m core.embedded_db --

.PHONY: messages makemessages check-messages
.PHONY: help venv run serve-demo simulator test lint lint-imports typecheck format migrate seed db-stop check-migrations schema worker beat bench-refresh bench-history clean

help:
	@echo "make run    - install, start PostgreSQL, migrate, load demo data and serve http://$(HOST):$(PORT)/"
	@echo "make test   - install and run the whole test suite"
	@echo "make db-stop - stop the embedded PostgreSQL if a killed command left it running"
	@echo "make test-browser - the browser suite: chromium walks the admin as a regulator (scripts/install-browser.sh first)"
	@echo "make lint   - ruff check and format check"
	@echo "make lint-imports - the import contract (apps import downwards only; core imports no app)"
	@echo "make typecheck    - mypy, strict on core/ and every app's services.py"
	@echo "make worker - a Celery worker (needs CELERY_BROKER_URL)"
	@echo "make beat   - Celery beat with the schedule kept in the database"
	@echo "make simulator     - the platform simulator on port $(SIM_PORT)"
	@echo "make bench-refresh - refresh throughput against the simulator (needs PostgreSQL and Redis)"
	@echo "make bench-history - influencer history endpoint against hand-written SQL (needs PostgreSQL)"
	@echo "make bench-journal - writers with and without journal triggers; the sequencer against sha256"
	@echo "make docs          - build the manual (docs/) into site/, failing on any warning"
	@echo "make docs-serve    - serve the manual at http://127.0.0.1:$(DOCS_PORT)/ while editing it"
	@echo "make messages      - compile the translations (locale/*.po -> .mo)"
	@echo "make makemessages  - collect new strings into locale/zh_Hans/LC_MESSAGES/django.po"

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

migrate: venv messages
	$(DB) $(BIN)/python manage.py migrate --no-input

seed: venv messages
	$(DB) $(MAKE) --no-print-directory serve-demo SERVE=

# One database session for the whole of `make run`: the embedded server starts once,
# and stops when the server ends (Ctrl-C).
run: venv messages
	$(DB) $(MAKE) --no-print-directory serve-demo SERVE=1

# The platform simulator runs beside the server, so profile refreshes work with no other service.
serve-demo:
	$(BIN)/python manage.py migrate --no-input
	@test -n "$$JOURNAL_SIGNING_KEY$$JOURNAL_SIGNING_KEY_FILE" || test -f .journal-dev-key.pem \
	  || $(BIN)/python manage.py journal_create_key .journal-dev-key.pem
	$(BIN)/python manage.py seed_demo --demo-logins --base-url http://$(HOST):$(PORT)
	$(BIN)/python manage.py reindex_history --no-progress >/dev/null
	@if [ -n "$(SERVE)" ]; then \
	  $(BIN)/python manage.py simulate_platform --port $(SIM_PORT) --from-ledger & sim=$$!; \
	  trap 'kill $$sim 2>/dev/null' EXIT INT TERM; \
	  PLATFORM_DEFAULT_URL=$${PLATFORM_DEFAULT_URL:-http://127.0.0.1:$(SIM_PORT)} \
	    $(BIN)/python manage.py runserver $(HOST):$(PORT); \
	fi

simulator: venv
	$(DB) $(BIN)/python manage.py simulate_platform --port $(SIM_PORT)

test: venv messages
	$(DB) $(BIN)/python -m pytest $(PYTEST_ARGS)

# The browser suite (tests/browser/, docs/development.md): Playwright drives Debian's chromium, installed by
# scripts/install-browser.sh, through the admin as a regulator, against Django's live server on a free port.
# Screenshots of every step, and their index.tsv, in artifacts/screenshots/. `make test` leaves it out.
.PHONY: test-browser
test-browser: venv messages
	$(DB) $(BIN)/python -m pytest -m browser tests/browser $(PYTEST_ARGS)

# Stops the embedded PostgreSQL if a killed command left it running.
db-stop: venv
	$(BIN)/python -m core.embedded_db stop

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The import contract in pyproject.toml: apps import downwards only, core imports no app.
lint-imports: venv
	$(BIN)/lint-imports

# mypy with the Django and DRF plugins (configured in pyproject.toml): strict on core/ and the services.
typecheck: venv
	DATABASE_URL=$${DATABASE_URL:-postgres://typecheck@127.0.0.1/none} $(BIN)/mypy  # reads the settings, never connects

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: venv
	$(DB) $(BIN)/python manage.py makemigrations --check --dry-run

schema: venv
	$(DB) $(BIN)/python manage.py spectacular --validate --fail-on-warn --file schema.yaml

# Recommended worker settings (measured with `make bench-refresh`, which starts its workers
# with this target; see docs/benchmarks.md): two processes per CPU core. Gossip and mingle only add
# broker traffic here.
WORKER_POOL ?= prefork
WORKER_CONCURRENCY ?= $(shell $(PYTHON) -c 'import os; print(2 * (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()))')
WORKER_ARGS ?=
worker: venv
	$(DB) $(BIN)/celery -A config worker --pool=$(WORKER_POOL) --concurrency=$(WORKER_CONCURRENCY) \
		--without-gossip --without-mingle --loglevel=INFO $(WORKER_ARGS)

beat: venv
	$(DB) $(BIN)/celery -A config beat --loglevel=INFO

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles site
	@echo "(the demo database in .pgdata/ is kept: remove it by hand to start afresh)"

bench-refresh: venv
	$(DB) $(BIN)/python bench/refresh.py

bench-history: venv
	$(DB) $(BIN)/python bench/history.py

# The manual (mkdocs.yml, docs/): built offline, no fonts or scripts from other hosts.
.PHONY: docs docs-serve
DOCS_PORT ?= 8001
docs: venv
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

docs-serve: venv
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:$(DOCS_PORT)

.PHONY: bench-campaigns
bench-campaigns: venv
	$(DB) $(BIN)/python bench/campaigns.py

# --- Production server (docs/operations/production.md) ----------------------------------------
.PHONY: serve
# gunicorn with config/gunicorn.py: WEB_BIND, WEB_WORKERS, WEB_THREADS, WEB_TIMEOUT, ... from
# the environment. The metrics of all workers are summed through PROMETHEUS_MULTIPROC_DIR,
# emptied at each start.
PROMETHEUS_MULTIPROC_DIR ?= $(CURDIR)/.metrics-web
serve: venv
	rm -rf $(PROMETHEUS_MULTIPROC_DIR) && mkdir -p $(PROMETHEUS_MULTIPROC_DIR)
	$(DB) $(BIN)/python manage.py collectstatic --no-input -v0
	PROMETHEUS_MULTIPROC_DIR=$(PROMETHEUS_MULTIPROC_DIR) $(DB) $(BIN)/gunicorn -c config/gunicorn.py

.PHONY: bench-load
# The API under concurrent clients against `make serve` on loopback (docs/operations/production.md).
bench-load: venv
	$(DB) $(BIN)/python bench/load.py

.PHONY: bench-scale
# The read endpoints and the refresh fan-out on a national ledger scaled by BENCH_SCALE (default 0.1)
# against a small one, in one run (needs PostgreSQL and Redis; docs/operations/production.md).
bench-scale: venv
	$(DB) $(BIN)/python bench/scale.py

# Translations (docs/translating.md). The compiled catalogues (.mo) are built here, never
# committed: `make run` and `make test` depend on them. Compiled by Babel (a pinned Python
# package), so nothing outside .venv is needed; collecting strings (makemessages) needs GNU gettext.
MESSAGES_IGNORE := --ignore=.venv --ignore=tests --ignore=bench --ignore=examples --ignore=staticfiles --ignore=media --ignore=site
PO_FILES := $(wildcard locale/*/LC_MESSAGES/django.po)

messages: $(PO_FILES:.po=.mo)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(VENV)/.installed
	$(BIN)/pybabel -q compile --domain django --directory locale --locale $*

makemessages: venv
	$(DB) $(BIN)/python manage.py makemessages --locale zh_Hans --no-location $(MESSAGES_IGNORE)

# CI: fails when a string is untranslated or fuzzy, or when makemessages would change the catalogue.
check-messages: makemessages
	$(MAKE) --no-print-directory messages  # the catalogue as makemessages left it, compiled for the tests below
	$(DB) $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_translations.py
	git diff --exit-code -- locale/

.PHONY: bench-journal
# 8 writers inserting snapshots with and without the journal's triggers; the sequencer against sha256 (docs/journal.md).
bench-journal: venv
	$(DB) $(BIN)/python bench/journal.py

.PHONY: bench-ingest
# 1,000,000 snapshots and 100,000 reviews through `manage.py ingest`, against a raw COPY (see docs/ingest.md).
bench-ingest: venv
	$(DB) $(BIN)/python bench/ingest.py

.PHONY: schemathesis
# Schemathesis over every API operation with a regulator and an admin token (needs PostgreSQL).
schemathesis: venv
	$(DB) scripts/schemathesis.sh

.PHONY: bench-risk
bench-risk: venv
	$(DB) $(BIN)/python bench/risk.py
