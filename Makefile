# Paid Review Ledger: the two commands of the quick start are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
SIM_PORT ?= 8765

.PHONY: help venv run simulator test lint format migrate seed check-migrations schema worker beat bench-refresh bench-history clean

help:
	@echo "make run    - install, migrate, load demo data and serve http://$(HOST):$(PORT)/"
	@echo "make test   - install and run the whole test suite"
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
	$(BIN)/python manage.py migrate --no-input

seed: migrate
	$(BIN)/python manage.py seed_demo --demo-logins

# The platform simulator runs beside the server, so profile refreshes work with no other service.
run: seed
	$(BIN)/python manage.py simulate_platform --port $(SIM_PORT) & sim=$$!; \
	trap 'kill $$sim 2>/dev/null' EXIT INT TERM; \
	PLATFORM_DEFAULT_URL=$${PLATFORM_DEFAULT_URL:-http://127.0.0.1:$(SIM_PORT)} $(BIN)/python manage.py runserver $(HOST):$(PORT)

simulator: venv
	$(BIN)/python manage.py simulate_platform --port $(SIM_PORT)

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: venv
	$(BIN)/python manage.py makemigrations --check --dry-run

schema: venv
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file schema.yaml

# Recommended worker settings (measured with `make bench-refresh`, which starts its workers
# with this target; see README): two processes per CPU core. Gossip and mingle only add
# broker traffic here.
WORKER_POOL ?= prefork
WORKER_CONCURRENCY ?= $(shell $(PYTHON) -c 'import os; print(2 * (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()))')
WORKER_ARGS ?=
worker: venv
	$(BIN)/celery -A config worker --pool=$(WORKER_POOL) --concurrency=$(WORKER_CONCURRENCY) \
		--without-gossip --without-mingle --loglevel=INFO $(WORKER_ARGS)

beat: venv
	$(BIN)/celery -A config beat --loglevel=INFO

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles

bench-refresh: venv
	$(BIN)/python bench/refresh.py

bench-history: venv
	$(BIN)/python bench/history.py

.PHONY: schemathesis
# Schemathesis over every API operation with a regulator and an admin token (needs PostgreSQL).
schemathesis: venv
	scripts/schemathesis.sh
