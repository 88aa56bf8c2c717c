# innolink: `make demo` and `make test` are all a new user needs; both set up first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
JARS := jars
# Stamps carry a hash of what they were built from, so setup redoes only what changed.
PY_STAMP := $(VENV)/.setup-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
JAR_STAMP := $(JARS)/.setup-$(shell cat deploy/pom.xml | sha1sum | cut -c1-12)

.PHONY: help setup browser demo report-screenshot test lint fmt ui bench clean distclean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' Makefile | sed -E 's/:.*## /\t/'

setup: $(PY_STAMP) $(JAR_STAMP) ## install the pinned Python packages and JVM jars (idempotent)

$(PY_STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
	  { echo "innolink needs Python 3.11 (found $(PYTHON))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.setup-* && touch $@

$(JAR_STAMP): deploy/pom.xml $(PY_STAMP)
	rm -rf $(JARS) && mkdir -p $(JARS)
	mvn -B -q -f deploy/pom.xml dependency:copy-dependencies \
	  -DincludeScope=runtime -DoutputDirectory=$(abspath $(JARS))
	$(BIN)/python deploy/prune_jars.py $(JARS)
	touch $@

# Debian's Chromium: the report test opens reports/index.html in a real headless browser.
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser: $(CHROMIUM) ## install Debian's chromium (headless report rendering)

$(CHROMIUM):
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium || \
	  { $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium; }

DEMO_WORLD := data/generated/demo

demo: setup ## run every stage on the bundled samples and the synthetic demo world
	test -f $(DEMO_WORLD)/MANIFEST.json || \
	  $(BIN)/innolink generate --scale demo --seed 1 --out $(DEMO_WORLD)
	$(BIN)/innolink run all --env local
	$(BIN)/innolink report --tables --env local
	@echo "MLflow runs: 'make ui', then open http://127.0.0.1:5000"

report-screenshot: setup browser ## docs/report.png from the demo's report (run make demo first)
	$(BIN)/innolink report --env local --screenshot docs/report.png

test: setup browser ## run the test suite
	$(BIN)/python -m pytest -q tests

lint: setup ## static checks: ruff, and no pretrained model downloads
	$(BIN)/ruff check libs jobs tests benchmarks deploy
	$(BIN)/ruff format --check libs jobs tests benchmarks deploy
	@! grep -rn --include='*.py' '\.pretrained(' libs jobs tests benchmarks || \
	  { echo "Spark NLP pretrained models cannot be downloaded here: use trainable annotators"; exit 1; }

fmt: setup ## format the code
	$(BIN)/ruff format libs jobs tests benchmarks deploy
	$(BIN)/ruff check --fix libs jobs tests benchmarks deploy

ui: setup ## MLflow UI on 127.0.0.1:5000 over the configured tracking store
	$(BIN)/innolink ui --env local

bench: setup ## run benchmarks/ (BENCH="patents pages" for some; SCALE=M|demo|L: every stage on that world), write benchmarks/results/*.json and BENCHMARKS.md
	BENCH_PIPELINE_SCALE=$(or $(SCALE),M) $(BIN)/python benchmarks/run.py $(BENCH) $(if $(SCALE),$(if $(BENCH),,pipeline))

clean: ## remove generated data (warehouse, MLflow store, caches)
	rm -rf warehouse .mlflow data/generated dist build spark-warehouse metastore_db derby.log .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './.venv/*' -exec rm -rf {} +

distclean: clean ## also remove the virtualenv and the jars
	rm -rf $(VENV) $(JARS)
