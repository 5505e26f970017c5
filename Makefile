# Two commands on a fresh machine: `make demo` and `make test`. Each installs first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help install test demo up protos lint lock clean

help:
	@echo "make demo    install, then run the demo"
	@echo "make test    install, then run every test"
	@echo "make up      install, then start both simulated sites, every draas service and Horizon, and leave them running"
	@echo "make protos  regenerate the gRPC code from protos/"
	@echo "make lint    ruff, mypy and the generated-code check"
	@echo "make lock    re-resolve constraints.txt from pyproject.toml"

$(STAMP): pyproject.toml dashboard/pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt \
		-e '.[dev]' -e ./dashboard
	@touch $@

install: $(STAMP)

# Tests spend most of their time waiting on sockets and processes, so two workers (one per core
# here) halve the run; a test file stays on one worker, with its module's fixtures.
TEST_WORKERS ?= 2
# pytest exits 5 when it collects nothing; that alone is not a failure.
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS) || [ $$? -eq 5 ]

demo: install
	$(BIN)/python -m tools.demo

up: install
	$(BIN)/python -m tools.up

protos: install
	$(BIN)/python -m tools.protos

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m tools.protos --check

# Resolve the newest versions that the pins in pyproject.toml allow, in a scratch environment.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' -e ./dashboard
	.lock-venv/bin/python -m pip freeze --exclude-editable --disable-pip-version-check > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache *.egg-info
