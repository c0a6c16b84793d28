# One-command entry points; each creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: test demo wheel-demo lint check-config clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

test: $(BIN)/.installed
	$(BIN)/pytest -q

# The embedded default: the whole story on local fakes (no AWS account, no Slack workspace).
demo: $(BIN)/.installed
	$(BIN)/python -m bot demo

# The demo as `pip install 'modelcard-bot[demo]'` gives it: wheel, fresh venv, empty folder.
wheel-demo: $(BIN)/.installed
	.ci/wheel-demo

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

check-config: $(BIN)/.installed
	$(BIN)/python -m bot check-config config/governance.example.yml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
