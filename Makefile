# The two quick-start commands: `make run` and `make test`. Each sets up .venv by itself.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app conference
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test lint security audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## Install, migrate, load the VGT 2014 demo on an upcoming November, and serve it at
## http://$(HOST):$(PORT) (make run PORT=5001) with a mail worker that prints every email to this
## terminal. Links in emails (also those seed-demo queues) follow the host and port unless
## BASE_URL is set. Ctrl-C stops the server; the trap then stops the worker, which as a background
## job ignores Ctrl-C (the trap signals the worker alone, so it never triggers itself).
run: export FLASK_RUN_HOST = $(HOST)
run: export FLASK_RUN_PORT = $(PORT)
run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --upcoming --delegates 60
	@echo "Serving http://$(HOST):$(PORT)/  (Ctrl-C stops the server and the mail worker)"
	@$(FLASK) send-mail --watch 3 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' INT TERM EXIT; \
	$(FLASK) run

## Install what the tests need and run the whole suite (SQLite; PostgreSQL with TEST_DATABASE_URL).
test: install-test
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check .

## Bandit on the app's code: fails on a finding above low severity that .ci/bandit-ignored.txt
## does not explain (each reviewed finding there with its reason). CI runs it.
security: install-test
	$(BIN)/python .ci/bandit_check.py

## pip-audit on what .venv holds, for whoever deploys: it needs PyPI's vulnerability data, and
## says plainly when it could not check (exit 2) rather than passing. CI does not run it.
audit: install-test
	$(BIN)/python .ci/dependency_audit.py

clean:
	rm -rf $(VENV) instance test-artifacts
