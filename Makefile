# Two commands do everything on a fresh machine: `make serve` and `make test`. `make help` lists the rest.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8080

.PHONY: help serve test browser bench spec clean

help: ## this list
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-7s %s\n", $$1, $$2}'

$(BIN)/sandbox: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

serve: $(BIN)/sandbox ## serve on http://127.0.0.1:8080 with the embedded defaults (make serve PORT=8081 for another port)
	$(BIN)/sandbox serve --port $(PORT)

test: $(BIN)/sandbox browser ## run the whole test suite, one process per core
	$(BIN)/python -m pytest -n auto --durations=10

browser: ## Chromium and chromium-driver for the dashboard's browser tests (apt-get, where missing and root)
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing chromium and chromium-driver for the browser tests"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium chromium-driver >/dev/null; } || echo "apt-get could not install them: the browser tests will be skipped"; \
	else echo "chromium and chromium-driver are missing and this is not root with apt-get: the browser tests will be skipped"; fi

bench: $(BIN)/sandbox ## measure throughput, latency, start-up and memory (benchmarks/bench.py --help)
	$(BIN)/python benchmarks/bench.py

spec: $(BIN)/sandbox ## render the catalogue-derived parts of openapi.yaml
	$(BIN)/sandbox spec

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
