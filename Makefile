# Survey warehouse: `make build` then `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RAW_DIR ?= data/sample
WAREHOUSE ?= warehouse/survey.duckdb
# make sample: WAVE (2023 or 2024), N kept respondents and SEED default to the wave's own (waves.csv, samplegen)
WAVE ?= 2023
N ?=
SEED ?=
OUT ?= data/sample
PORT ?= 8501
MIN_CELL ?= 5
# make docs: the dbt docs catalogue of $(WAREHOUSE), generated into docs/ beside it and served on this port;
# SERVE=0 (or make docs-generate) only generates it.
DOCS_PORT ?= 8080
SERVE ?= 1

.PHONY: setup build test sql sample app stats bench lint clean codebook-check docs docs-generate export

# The virtual environment is rebuilt whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

build: setup
	@$(PY) -m pipeline build --raw-dir "$(RAW_DIR)" --warehouse "$(WAREHOUSE)" || { code=$$?; \
		echo "build: exit code $$code (1 refused by a stage, 2 bad input, 3 environment, 4 internal; see README)" >&2; \
		exit $$code; }

test: setup
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .

sql: setup
	@test -f "$(WAREHOUSE)" || { echo "No warehouse at $(WAREHOUSE): run 'make build' first." >&2; exit 1; }
	$(VENV)/bin/duckdb -readonly "$(WAREHOUSE)"

codebook-check: setup
	@test -n "$(LSS)" || { echo "usage: make codebook-check LSS=<file.lss> (LimeSurvey's survey structure export)" >&2; exit 2; }
	$(PY) -m codebook check-lss "$(LSS)"

sample: setup
	$(PY) -m samplegen --wave "$(WAVE)" $(if $(N),--respondents "$(N)") $(if $(SEED),--seed "$(SEED)") --out "$(OUT)"

stats: setup
	$(PY) -m stats --warehouse "$(WAREHOUSE)"

app: setup
	$(VENV)/bin/streamlit run app/main.py --server.port $(PORT) --server.address 127.0.0.1 --server.headless true \
		--browser.gatherUsageStats false --client.toolbarMode viewer -- --warehouse "$(WAREHOUSE)" --min-cell $(MIN_CELL)

docs: setup
	@$(PY) -m pipeline.docs --warehouse "$(WAREHOUSE)" --port "$(DOCS_PORT)" $(if $(filter 0,$(SERVE)),--no-serve)

docs-generate: setup
	@$(PY) -m pipeline.docs --warehouse "$(WAREHOUSE)" --no-serve

bench: setup
	$(PY) -m bench

# make export FORMAT=sav|dta|parquet|xlsx OUT=<folder> [WAVE=2023]: labelled files of $(WAREHOUSE) for R, SPSS,
# Stata and spreadsheets (README.md). OUT and WAVE count only when given: their defaults above are make sample's.
export: setup
	@$(PY) -m export --warehouse "$(WAREHOUSE)" $(if $(FORMAT),--format "$(FORMAT)") \
		$(if $(filter command line environment,$(origin OUT)),--out "$(OUT)") \
		$(if $(filter command line environment,$(origin WAVE)),--wave "$(WAVE)")

clean:
	rm -rf warehouse dbt_project/target dbt_project/logs .pytest_cache
