# Fuzhi: `make run` serves the demo at http://127.0.0.1:8000, `make test` runs the suite,
# `make test-fast` all but its slow lanes.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install run test test-fast lint messages frontend po system compose-tool clean bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) messages frontend

# Front-end packages come from the npm registry at the versions pinned in
# frontend/package-lock.json; esbuild bundles them into webapp/static/dist (build output).
FRONTEND_STAMP := frontend/node_modules/.installed
$(FRONTEND_STAMP): frontend/package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	  else echo "install Node.js and npm: apt-get install nodejs npm" >&2; exit 1; fi; fi
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $(FRONTEND_STAMP)

frontend: $(FRONTEND_STAMP)
	cd frontend && node build.mjs

# Refresh the catalogue from the code, then fill Chinese from every map in
# webapp/locale/zh_Hans/maps/*.json (one map per area, so parallel work does not collide).
po: $(STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=frontend --ignore=var --no-obsolete --verbosity 0
	$(BIN)/python scripts/po_fill.py webapp/locale/zh_Hans/LC_MESSAGES/django.po webapp/locale/zh_Hans/maps/*.json

# Compiled translations are build output (gettext's msgfmt), not committed.
messages: $(STAMP)
	$(BIN)/python manage.py compilemessages --verbosity 0 --ignore=.venv

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_models
	$(BIN)/python manage.py seed_workdays
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@# The Celery worker and beat run beside the web server on the disk broker (no Redis),
	@# so timers and scheduled jobs fire in the embedded setting too; both stop together.
	trap 'kill 0' EXIT INT TERM; \
	$(BIN)/celery -A webapp.config worker --beat --pool=solo --loglevel=warning & \
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

# Debian's chromium drives the browser tests (Playwright never downloads a browser here);
# Debian's redis-server is the real broker of the scheduling tests; Debian's docker-compose
# validates docker-compose.yml (tests/webapp/test_compose.py; no Docker engine is needed).
SYSTEM_PACKAGES := chromium fonts-noto-cjk redis-server docker-compose
system:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1 \
	  || ! command -v docker-compose >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	  else echo "install Debian's packages: apt-get install $(SYSTEM_PACKAGES)" >&2; exit 1; fi; fi

# test-fast validates docker-compose.yml too, so it needs Debian's docker-compose.
compose-tool:
	@if ! command -v docker-compose >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; \
	  else echo "install Debian's docker-compose: apt-get install docker-compose" >&2; exit 1; fi; fi

test: install system lint
	$(BIN)/python manage.py makemigrations --check --dry-run --verbosity 0
	$(BIN)/pytest $(PYTEST_ARGS)

# Every test but the slow lanes (markers given in tests/conftest.py): no browser, no
# PostgreSQL, no live or gunicorn server, no load test, no API fuzzing, no Redis or Celery
# worker; no lint either. Spread over one worker per core (pytest-xdist, each worker with
# its own test database). `make test` still runs everything.
FAST_LANES := not (browser or postgres or live_server or load or api_fuzz or celery_worker)
TEST_WORKERS ?= auto
test-fast: install compose-tool
	$(BIN)/pytest -m "$(FAST_LANES)" -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The layers (pyproject.toml [tool.importlinter], drawn in docs/architecture.md) and
# imports kept at the top of modules are checked here, so a new cycle fails the build.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy processes webapp
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_local_imports.py processes webapp

# Benchmarks, not part of `make test` (docs/performance.md): a throwaway PostgreSQL on port
# 55499, a generated database (BENCH_SCALE=1 is the province: 1,000,000 cases; 0.01 a
# city), then every benchmark, printed as one table. Needs redis-server (make system).
BENCH_SCALE ?= 1
BENCH_ARGS ?=
bench: $(STAMP)
	@eval "$$(scripts/pg_throwaway.sh start 55499)"; \
	trap 'scripts/pg_throwaway.sh stop "$$FUZHI_PGDATA"' EXIT; \
	$(BIN)/python -m bench.generate --scale $(BENCH_SCALE) --jobs 2 && \
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var frontend/node_modules webapp/static/dist
