# Quick start: `make serve` serves the data, `make test` runs every check. Both set up .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Serve the IRIs on the address you browse, so every link and IRI dereferences locally;
# `make serve BASE_URI=` serves the canonical https://w3id.org/oas-ssm/ IRIs unchanged.
BASE_URI ?= http://$(HOST):$(PORT)/

.PHONY: serve test lint build check validate bench soak browser-deps clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

serve: $(STAMP)
	$(BIN)/ssm serve --host $(HOST) --port $(PORT) $(if $(BASE_URI),--base-uri $(BASE_URI))

build: $(STAMP)
	$(BIN)/ssm build

check: $(STAMP)
	$(BIN)/ssm build --check

validate: $(STAMP)
	$(BIN)/ssm validate

lint: $(STAMP)
	$(BIN)/ruff check scripts server tests bench

test: $(STAMP)
	@bash scripts/ensure_system_deps.sh
	$(BIN)/ruff check scripts server tests bench
	$(BIN)/ssm build --check
	$(BIN)/ssm validate
	$(BIN)/python -m pytest

bench: $(STAMP)
	@bash scripts/ensure_system_deps.sh --bench
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench
	$(BIN)/python -m bench.footprint

# The robustness campaign (load, slowloris, kills, reloads, SIGTERM): SOAK_DURATION seconds.
SOAK_DURATION ?= 600
soak: $(STAMP)
	$(BIN)/python -m bench.soak --duration $(SOAK_DURATION)

clean:
	rm -rf $(VENV) build *.egg-info
