# The doors into the project. See README.md.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: setup run test lint migrations-check messages bench

setup:
	./scripts/setup.sh

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --url http://127.0.0.1:$(PORT)/
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup
	./scripts/test.sh

lint:
	$(VENV)/bin/ruff check .

migrations-check:
	$(PY) manage.py makemigrations --check --dry-run

messages:
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var

# The benchmark (README, "Benchmarks"): needs DATABASE_URL on PostgreSQL with `manage.py seed_scale` data.
bench:
	$(PY) -m bench
