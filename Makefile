# Sanctum — make targets. `make run` and `make test` do all set-up themselves.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
SHARED ?= $(abspath ../shared)
export SANCTUM_SHARED ?= $(SHARED)

.PHONY: install install-dev run test lint typecheck reliability bench bench-instructions clean

# The matching core (modules listed in src/sanctum/_native.py) compiled in place by mypyc;
# rebuilt whenever one of its sources changes. Until then the sources run (sanctum._native).
NATIVE := src/sanctum/_native_build.json
NATIVE_SOURCES := setup.py src/sanctum/_native.py src/sanctum/config.py \
	src/sanctum/feature_table.py src/sanctum/index.py src/sanctum/screen.py \
	$(wildcard src/sanctum/match/*.py src/sanctum/names/*.py)

# `make run` installs what Sanctum needs to run, plus mypy, the compiler of the matching
# core; `make test` adds the development tools (the `dev` extra).
install: $(STAMP) $(NATIVE)

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip 'setuptools>=77' wheel 'mypy>=1.10'
	SANCTUM_PURE=1 $(BIN)/pip install --quiet -e .
	touch $(STAMP)

install-dev: $(DEV_STAMP)

$(DEV_STAMP): $(STAMP)
	SANCTUM_PURE=1 $(BIN)/pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

$(NATIVE): $(STAMP) $(NATIVE_SOURCES)
	$(BIN)/python setup.py --quiet build_ext --inplace

run: install
	$(BIN)/sanctum run

# The docs test drives Debian's chromium (Playwright's own browser builds are not used);
# the reconciliation test runs Debian's OpenRefine headless.
test: install install-dev
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	command -v openrefine >/dev/null || (apt-get update -qq && apt-get install -y -qq openrefine)
	$(BIN)/ruff check src tests bench setup.py
	$(BIN)/mypy
	$(BIN)/pytest -q

# The reliability suite's long form (README "Reliability"); its short form runs in `make test`.
# A fuzzed format takes 5-12 min of CPU at 100,000 inputs, past the suite's 600 s per-test
# limit. Half the fuzzed formats (FUZZ_SHARD, ~half the CPU at 2,000 inputs per format) run
# in a second pytest beside the rest of the suite, its output printed after the first's
# (its report, with SANCTUM_RELIABILITY_REPORT set, goes to that file name + .2). Then the
# 10-minute soak of the API (bench/soak.py).
FUZZ_SHARD := test_parser_survives and (au_dfat or us_csl or ofac_sdn or ca_sema or custom_csv)
reliability: install
	log=$$(mktemp); report=$${SANCTUM_RELIABILITY_REPORT:-}; \
	SANCTUM_RELIABILITY=long SANCTUM_RELIABILITY_REPORT=$${report:+$$report.2} \
	  $(BIN)/pytest -q --timeout=7200 tests/reliability/test_fuzz.py -k "$(FUZZ_SHARD)" \
	  >$$log 2>&1 & shard=$$!; \
	SANCTUM_RELIABILITY=long $(BIN)/pytest -q --timeout=7200 tests/reliability \
	  -k "not ($(FUZZ_SHARD))"; status=$$?; \
	wait $$shard; shard_status=$$?; cat $$log; rm -f $$log; \
	test $$status -eq 0 && test $$shard_status -eq 0
	$(BIN)/python bench/soak.py

lint: install install-dev
	$(BIN)/ruff check src tests bench setup.py
	$(BIN)/ruff format --check src tests bench setup.py

typecheck: install install-dev
	$(BIN)/mypy

bench: install
	SANCTUM_PURE=1 $(BIN)/pip install --quiet -e '.[dev,bench]'
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/monitoring.py

# Instructions per query under callgrind (needs the store `make bench` leaves, or SANCTUM_HOME)
bench-instructions: install
	SANCTUM_PURE=1 $(BIN)/pip install --quiet -e '.[dev,bench]'
	command -v valgrind >/dev/null || (apt-get update -qq && apt-get install -y -qq valgrind)
	$(BIN)/python bench/instructions.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
	find src -name '*.so' -delete
	rm -f $(NATIVE)
