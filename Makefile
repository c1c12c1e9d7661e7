# Azura: `make demo` runs the offline sandbox, `make test` runs every check CI runs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv test test-fast lint typecheck proto proto-check demo run requirements clean bench browser

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
	$(VENV)/bin/mypy --strict azura_common azura_parent azura_child azura_cluster azura_sandbox

# Tests write their bytecode caches even where the environment says not to: importing discord.py,
# wavelink and grpc from source on every run doubles the fast lane's time.
PYTEST := PYTHONDONTWRITEBYTECODE= $(VENV)/bin/pytest
# The whole suite in parallel: its end-to-end tests mostly wait on real processes, so three workers on two cores
# halve the wall time. A file stays on one worker (its module-scoped cluster is started once).
TEST_WORKERS ?= 3

# The dashboard's browser tests drive Debian's Chromium (Playwright cannot download its own here): installed as
# root when missing (with an emoji font for the screenshots), else the step says what to install. Never skipped.
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji; \
		else \
			echo "make test needs Debian's Chromium at $(CHROMIUM) for the dashboard's browser tests:"; \
			echo "  sudo apt-get install chromium fonts-noto-color-emoji"; exit 1; \
		fi; }

test: proto-check lint typecheck browser
	$(PYTEST) -q -n $(TEST_WORKERS) --dist loadfile

test-fast: $(STAMP)
	$(PYTEST) -q -m "not slow"

# make demo KEEP=1: the cluster and its web dashboard stay up after the story (Ctrl+C stops them)
demo: $(STAMP)
	$(PY) -m azura_sandbox $(if $(KEEP),--keep)

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
