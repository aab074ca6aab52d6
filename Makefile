# Loomline developer entry points. `make` alone lists them.

# scripts/bootstrap.sh may install uv with `pip install --user`, which lands
# in ~/.local/bin: put it on PATH for every recipe, even on a fresh machine.
export PATH := $(HOME)/.local/bin:$(PATH)

UV   ?= uv
# Never re-resolve during make: the committed uv.lock is what runs (update it with `uv lock`).
export UV_FROZEN := 1
HOST ?= 127.0.0.1
PORT ?= 8000
ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help bootstrap run demo test lint types imports check fmt migrate revision bench

help: ## list targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z]+:.*## / {printf "  make %-9s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

bootstrap: ## install uv + SpatiaLite if missing, sync the locked venv
	@bash scripts/bootstrap.sh

run: bootstrap ## migrate, seed the demo client, serve (HOST=127.0.0.1 PORT=8000)
	$(UV) run loomline db upgrade
	$(UV) run loomline demo
	$(UV) run loomline serve --host $(HOST) --port $(PORT)

demo: bootstrap ## migrate and print the demo client credentials
	$(UV) run loomline db upgrade
	$(UV) run loomline demo

test: bootstrap ## run the test suite (extra pytest args: ARGS="-k token")
	$(UV) run pytest $(ARGS)

lint: ## ruff lint + format check
	$(UV) run ruff check .
	$(UV) run ruff format --check .

types: ## mypy
	$(UV) run mypy

imports: ## import-linter layer contracts
	$(UV) run lint-imports

check: bootstrap ## everything CI checks: lint, types, imports, tests
	@$(MAKE) --no-print-directory lint types imports
	$(UV) run pytest $(ARGS)

fmt: ## reformat and apply safe lint fixes
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

migrate: bootstrap ## apply database migrations
	$(UV) run loomline db upgrade

# Autogenerate must diff against PostGIS: SpatiaLite reflects geometry
# columns and indexes differently and would produce bogus migrations.
revision: ## new migration: make revision m="add supplier tiers" (needs PostGIS)
	@case "$${LOOMLINE_DATABASE_URL:-}" in \
	  postgresql*) ;; \
	  *) echo "make revision: autogenerate must run against PostGIS;" \
	          "set LOOMLINE_DATABASE_URL=postgresql+psycopg://USER@HOST:5432/DB" >&2; exit 1 ;; \
	esac
	@[ -n "$(m)" ] || { echo 'make revision: describe it with m="..."' >&2; exit 1; }
	$(UV) run alembic revision --autogenerate -m "$(m)"

bench: bootstrap ## token endpoint benchmark
	$(UV) run python benchmarks/token_endpoint.py
