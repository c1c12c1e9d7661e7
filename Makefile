# Azura: `make demo` runs the offline sandbox, `make test` runs every check CI runs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv test test-fast lint typecheck proto proto-check demo run requirements clean bench

venv: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

proto: $(STAMP)
	$(PY) buildproto.py

proto-check: $(STAMP)
	$(PY) buildproto.py --check

lint: $(STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy --strict azura_common azura_parent azura_child azura_cluster

# Tests write their bytecode caches even where the environment says not to: importing discord.py,
# wavelink and grpc from source on every run doubles the fast lane's time.
PYTEST := PYTHONDONTWRITEBYTECODE= $(VENV)/bin/pytest

test: proto-check lint typecheck
	$(PYTEST) -q

test-fast: $(STAMP)
	$(PYTEST) -q -m "not slow"

demo: $(STAMP)
	$(PY) -m azura_sandbox

run: $(STAMP)
	@test -f .env || { echo "make run needs a .env with your bot tokens and LAVALINK_URI: cp .env.example .env"; exit 1; }
	set -a && . ./.env && set +a && PATH="$(CURDIR)/$(VENV)/bin:$$PATH" \
		$(VENV)/bin/honcho start -c parent=1,child=$${AZURA_CHILD_COUNT:-2},worker=0,web=0

# Every benchmark (bench/run_all.py: about 13 minutes on 2 cores, the soak AZURA_SOAK_S seconds, 180 unless set),
# then BENCHMARKS.md, bench/plots/*.png and the README's figures. Never part of make test.
AZURA_SOAK_S ?= 180
bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	AZURA_SOAK_S=$(AZURA_SOAK_S) $(PY) bench/run_all.py

# requirements.txt: the pinned runtime dependencies (Heroku, the Dockerfile), regenerated from setup.cfg
requirements: $(STAMP)
	$(PY) deploy/lock_requirements.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
