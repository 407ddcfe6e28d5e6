# Every target bootstraps .venv from pyproject.toml, so a fresh machine needs nothing but python3.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint typecheck bench browser prometheus clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) examples/demo.py

# Headless Chromium for the browser test comes from Debian's package (never a browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: install Debian's 'chromium' package to run the browser test"; fi; }

# Prometheus and promtool for the alert-rule tests come from Debian's package (2.42 on bookworm; the shipped
# configs and rules are kept valid for it and for the v3 image docker-compose.yaml pins). No recommends: the tests
# need neither node-exporter nor the service, and start their own Prometheus on a free port.
prometheus:
	@command -v promtool >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; \
	  else echo "promtool missing: install Debian's 'prometheus' package to run the alert-rule tests"; fi; }

# Lint and types first: the standards (ruff clean, mypy --strict on agents_otel/) are part of passing.
test: $(STAMP) browser prometheus lint
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check agents_otel tests examples benchmarks
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) -m pip install -q -e '.[dev,bench]'
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
