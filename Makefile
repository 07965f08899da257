# Quick start: `make demo` (a sample consultation to ./out/, no Telegram needed) and `make test`
# (the whole suite); `make chat` tries the survey in a terminal, `make run` runs the bot.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo run chat test lint migrate clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(BIN)/rembuk db upgrade

demo: $(STAMP)
	$(BIN)/rembuk demo --out out

run: migrate
	$(BIN)/rembuk run

chat: migrate
	$(BIN)/rembuk chat

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) out .pytest_cache
