# The two commands: `make run` (install, migrate, demo data once, serve) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DEBUG ?= 1

.PHONY: run test install install-test serve lint format messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# The task worker (deadline warnings, messages) runs beside gunicorn and stops when gunicorn does. The
# static files are collected and compressed as in production, and served so (decision 0040).
run: install
	$(BIN)/bangban migrate --no-input
	$(BIN)/bangban collectstatic --no-input --verbosity 0
	$(BIN)/bangban demo --once --host $(HOST) --port $(PORT)
	$(BIN)/bangban run_huey & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; \
	BANGBAN_STATIC_COLLECTED=1 $(BIN)/gunicorn bangban.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile -

# The suite runs on every core (pytest-xdist, one test database per worker); `PYTEST_WORKERS=0` runs it
# in one process, `PYTEST_ARGS` adds pytest's own options.
PYTEST_WORKERS ?= auto
test: install-test
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	cd src/bangban && ../../$(BIN)/bangban makemessages -l en --no-obsolete --no-location && ../../$(BIN)/bangban compilemessages -l en

clean:
	rm -rf $(VENV) var
