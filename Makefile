# salesbrain: `make demo` and `make test` each set up what they need on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# The CPU build of torch is pinned first, so nothing later pulls the CUDA wheels.
TORCH  := torch==2.13.0

.PHONY: setup test test-fast lint typecheck unit duplicates demo bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q $(TORCH)
	$(BIN)/python -m pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

lint: setup
	$(BIN)/ruff check src service training eval tests

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/python -m pytest -n 2 --dist loadfile -p no:cacheprovider

test: lint typecheck unit duplicates

# Code written twice, listed for a look (the tool reports and never fails the build).
duplicates:
	@if command -v duplicates >/dev/null; then duplicates --most 20; \
	else echo "duplicates: command not installed here, skipped"; fi

# The quick loop: everything but the tests that train models (marked slow); `make test` runs all.
test-fast: setup
	$(BIN)/python -m pytest -n 2 --dist loadfile -p no:cacheprovider -m "not slow"

demo: setup
	$(BIN)/salesbrain demo

bench: setup
	$(BIN)/python -m eval.bench_ingest
	$(BIN)/python -m eval.bench_encoder
	$(BIN)/python -m eval.bench_suggest --no-abstention
	$(BIN)/python -m eval.bench_analyze

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
