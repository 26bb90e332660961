# regviz: `make run` serves the app, `make test` runs every test (browser tests included).
# Both create .venv and install what they need on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501

.PHONY: run test test-fast test-deploy bench screenshots lint format clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(PY) -m streamlit run app.py --server.port $(PORT)

test: $(VENV)/.dev
	./scripts/ensure-chromium.sh
	./scripts/ensure-nginx.sh
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

# The edit loop: numerics, charts, settings and the page under AppTest; no browser, no nginx.
test-fast: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m pytest -m "not browser and not deploy and not slow" -q -n 2

# nginx in front of two app replicas: sticky sessions and failover (docs/deploy.md).
test-deploy: $(VENV)/.dev
	./scripts/ensure-nginx.sh
	$(PY) -m pytest tests/test_deploy.py

bench: $(VENV)/.dev
	$(PY) -m benchmarks

# docs/screenshots/: the page in headless Chromium (the README shows them): the default page at
# 1280x720, 1400x1000 and 390x844, every view, each tour step, the λ drag. Only some groups:
# `make screenshots SHOTS="default views"` (default, views, tour, drag).
SHOTS ?=
screenshots: $(VENV)/.dev
	./scripts/ensure-chromium.sh
	$(PY) scripts/screenshots.py $(SHOTS)

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
