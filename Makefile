# Shortcuts for the scripts in scripts/ and .ci/run.
.PHONY: setup demo test lint format ci

setup:
	bash scripts/setup

demo:
	bash scripts/demo

test:
	bash scripts/test

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

ci:
	bash .ci/run
