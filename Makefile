# Two commands do everything on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test bench spec clean

$(BIN)/sandbox: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

serve: $(BIN)/sandbox
	$(BIN)/sandbox serve

test: $(BIN)/sandbox
	$(BIN)/python -m pytest

bench: $(BIN)/sandbox
	$(BIN)/python benchmarks/bench.py

# render the catalogue-derived parts of openapi.yaml
spec: $(BIN)/sandbox
	$(BIN)/sandbox spec

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
