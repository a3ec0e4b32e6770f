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

.PHONY: help venv run serve-demo simulator test lint format migrate seed db-stop check-migrations schema worker beat bench-refresh bench-history clean

help:
	@echo "make run    - install, start PostgreSQL, migrate, load demo data and serve http://$(HOST):$(PORT)/"
	@echo "make test   - install and run the whole test suite"
	@echo "make db-stop - stop the embedded PostgreSQL if a killed command left it running"
	@echo "make lint   - ruff check and format check"
	@echo "make worker - a Celery worker (needs CELERY_BROKER_URL)"
	@echo "make beat   - Celery beat with the schedule kept in the database"
	@echo "make simulator     - the platform simulator on port $(SIM_PORT)"
	@echo "make bench-refresh - refresh throughput against the simulator (needs PostgreSQL and Redis)"
	@echo "make bench-history - influencer history endpoint against hand-written SQL (needs PostgreSQL)"

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

migrate: venv
	$(DB) $(BIN)/python manage.py migrate --no-input

seed: venv
	$(DB) $(MAKE) --no-print-directory serve-demo SERVE=

# One database session for the whole of `make run`: the embedded server starts once,
# and stops when the server ends (Ctrl-C).
run: venv
	$(DB) $(MAKE) --no-print-directory serve-demo SERVE=1

# The platform simulator runs beside the server, so profile refreshes work with no other service.
serve-demo:
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo --demo-logins --base-url http://$(HOST):$(PORT)
	@if [ -n "$(SERVE)" ]; then \
	  $(BIN)/python manage.py simulate_platform --port $(SIM_PORT) --from-ledger & sim=$$!; \
	  trap 'kill $$sim 2>/dev/null' EXIT INT TERM; \
	  PLATFORM_DEFAULT_URL=$${PLATFORM_DEFAULT_URL:-http://127.0.0.1:$(SIM_PORT)} \
	    $(BIN)/python manage.py runserver $(HOST):$(PORT); \
	fi

simulator: venv
	$(DB) $(BIN)/python manage.py simulate_platform --port $(SIM_PORT)

test: venv
	$(DB) $(BIN)/python -m pytest $(PYTEST_ARGS)

# Stops the embedded PostgreSQL if a killed command left it running.
db-stop: venv
	$(BIN)/python -m core.embedded_db stop

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: venv
	$(DB) $(BIN)/python manage.py makemigrations --check --dry-run

schema: venv
	$(DB) $(BIN)/python manage.py spectacular --validate --fail-on-warn --file schema.yaml

# Recommended worker settings (measured with `make bench-refresh`, which starts its workers
# with this target; see README): two processes per CPU core. Gossip and mingle only add
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
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
	@echo "(the demo database in .pgdata/ is kept: remove it by hand to start afresh)"

bench-refresh: venv
	$(DB) $(BIN)/python bench/refresh.py

bench-history: venv
	$(DB) $(BIN)/python bench/history.py

.PHONY: bench-campaigns
bench-campaigns: venv
	$(BIN)/python bench/campaigns.py

.PHONY: bench-risk
bench-risk: venv
	$(DB) $(BIN)/python bench/risk.py
