# PMO Lens. `make run` starts the app on the sample portfolio; `make test` runs every test;
# `make test-fast` is the quick loop (no browser, no slow tests, no PostgreSQL or MariaDB).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
PYTEST_ARGS ?=

.PHONY: run test test-fast seed lint chromium proxy clean docs-shots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements-dev.txt $(VENV)/.deps
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Debian's Chromium: kaleido renders PNGs with it and the browser tests drive it.
# Installed when running as root; never downloaded by a Python package.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "note: /usr/bin/chromium missing (sudo apt-get install chromium); PNG export and browser tests need it"; fi

# Debian's nginx: tests/deploy/ runs the config of deploy/nginx/ in front of two app processes
# (nginx in the foreground from a temporary folder; the package's own service is not used).
proxy:
	@if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	else echo "note: nginx missing (sudo apt-get install nginx); tests/deploy/ needs it"; fi

seed: $(VENV)/.deps
	$(BIN)/python -m sample_data seed

run: $(VENV)/.deps chromium seed
	$(BIN)/python -m ui.serve --server.address 127.0.0.1 --server.port $(PORT) --server.headless true

# The whole suite on TEST_WORKERS processes (pytest-xdist; 2, the cores CI has): serially it
# would take about 27 minutes, too near CI's 30. TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= 2
test: $(VENV)/.dev-deps chromium proxy
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The quick loop (docs/testing.md): SQLite only, no real browser, on two cores. Tests marked
# browser, postgres, mariadb or slow are deselected; a test that needs a server through the pg_url,
# db_url or mariadb_url fixtures is skipped, because the servers are pointed at a closed port
# and PMO_REQUIRE_SERVICES is cleared. `make test` (what CI runs) still runs them all.
FAST_ENV := PMO_REQUIRE_SERVICES= \
	PMO_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:1/test \
	PMO_TEST_MARIADB_URL=mysql+pymysql://root@127.0.0.1:1/test
test-fast: $(VENV)/.dev-deps
	$(FAST_ENV) $(BIN)/python -m pytest -n 2 -m "not browser and not postgres and not mariadb and not slow" $(PYTEST_ARGS)

# Screenshots for the docs (docs/img/*.png) from the sample portfolio, in Debian's Chromium.
docs-shots: $(VENV)/.dev-deps chromium
	$(BIN)/python docs/shots.py

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
