# The README's two commands: `make run` (the app, SQLite, demo data) and `make test` (everything).
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: run test install lint test-sqlite test-postgresql bench clean

$(BIN)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/.installed node_modules/.installed

run: install
	$(BIN)/pux serve --migrate

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy backend
	node_modules/.bin/tsc -p tsconfig.json
	node_modules/.bin/tsc -p tsconfig.sw.json

test-sqlite: install
	$(BIN)/pytest --db sqlite

# The browser tests drive the app over HTTP and run once, on SQLite; the rest runs on both.
test-postgresql: install
	$(BIN)/pytest --db postgresql -m "not browser"

test: lint test-sqlite test-postgresql

clean:
	rm -rf $(VENV) node_modules
