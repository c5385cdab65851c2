# The README's two commands: `make run` (the app, SQLite, demo data) and `make test` (everything).
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3

# The benchmark scripts (no .py: each runs as a command) are type-checked too: they import the
# app's functions, and a renamed one must fail here, not in the next person's bench run.
BENCH_SCRIPTS := bench/abuse bench/checkin_load bench/cluster bench/dashboard bench/page_weight \
	bench/reminder_fanout bench/soak

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
	$(BIN)/mypy --scripts-are-modules $(BENCH_SCRIPTS)
	node_modules/.bin/tsc -p tsconfig.json
	node_modules/.bin/tsc -p tsconfig.sw.json

test-sqlite: install
	$(BIN)/pytest --db sqlite

# The browser tests drive the app over HTTP and run once, on SQLite; the rest runs on both.
test-postgresql: install
	$(BIN)/pytest --db postgresql -m "not browser"

# The two runs side by side (each has its own database; output kept per run): a run waits on a
# browser or a server about half the time, so together they take little longer than the longer one.
test: lint
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgresql

clean:
	rm -rf $(VENV) node_modules
