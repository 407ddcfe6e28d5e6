# Every target bootstraps .venv from pyproject.toml, so a fresh machine needs nothing but python3.
PYTHON ?= python3
VENV ?= .venv
PYTHONS ?= 3.11 3.12 3.13
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo traces test test-all test-mcp1 lint typecheck bench browser js-clients codex-cli prometheus redis phoenix sdk-examples clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) examples/demo.py

# The runs make demo (or any run without an OTLP endpoint) wrote to ./.agents_otel/traces.jsonl, as waterfalls.
# ARGS passes options through: make traces ARGS="-n 1 --events 20"
traces: $(STAMP)
	$(VENV)/bin/agents-otel traces $(ARGS)

# Headless Chromium for the browser test comes from Debian's package (never a browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: install Debian's 'chromium' package to run the browser test"; fi; }

# The official AG-UI and AI SDK clients (npm) that drive /ag-ui and /ai-sdk/chat in the tests, pinned by
# tests/js/package-lock.json. Node 20+ and npm come from Debian's packages when missing (never a download script).
JS_CLIENTS := tests/js/node_modules/.installed-stamp
WEB_AG_UI := examples/web-ag-ui/static/bundle.js
# The real Codex CLI (npm @openai/codex and its platform binary, pinned by tests/codex/package-lock.json) that the
# Codex extension's tests drive against the fake OpenAI server.
CODEX_CLI := tests/codex/node_modules/.installed-stamp

js-clients: $(JS_CLIENTS)

codex-cli: $(CODEX_CLI)

npm:
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	  else echo "npm missing: install Node 20+ (Debian's 'nodejs' and 'npm') to run the protocol client tests"; exit 1; fi; }

$(JS_CLIENTS): tests/js/package.json tests/js/package-lock.json | npm
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CODEX_CLI): tests/codex/package.json tests/codex/package-lock.json | npm
	cd tests/codex && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The examples/web-ag-ui page: its npm packages (package-lock.json) bundled by esbuild into static/bundle.js.
web-ag-ui: $(WEB_AG_UI)

$(WEB_AG_UI): examples/web-ag-ui/package.json examples/web-ag-ui/package-lock.json examples/web-ag-ui/src/main.js | npm
	cd examples/web-ag-ui && npm ci --no-audit --no-fund --loglevel=error && npm run build

# Prometheus and promtool for the alert-rule tests come from Debian's package (2.42 on bookworm; the shipped
# configs and rules are kept valid for it and for the v3 image docker-compose.yaml pins). No recommends: the tests
# need neither node-exporter nor the service, and start their own Prometheus on a free port.
prometheus:
	@command -v promtool >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; \
	  else echo "promtool missing: install Debian's 'prometheus' package to run the alert-rule tests"; fi; }

# A real redis-server for the replica tests comes from Debian's package; each test session starts its own instance.
redis:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else echo "redis-server missing: install Debian's 'redis-server' package to run the replica tests"; fi; }

# Arize Phoenix for tests/test_phoenix.py, from PyPI into a venv of its own (it is large, ~850 MB, and must not
# meet our dependencies). Pinned: docs/tracing-backends.md states what this version shows for our spans.
PHOENIX_PYTHON ?= python3
PHOENIX_VERSION := 20.26.1
PHOENIX_STAMP := .venv-phoenix/.installed-$(PHOENIX_VERSION)

phoenix: $(PHOENIX_STAMP)

$(PHOENIX_STAMP):
	rm -rf .venv-phoenix
	$(PHOENIX_PYTHON) -m venv .venv-phoenix
	.venv-phoenix/bin/python -m pip install -q --upgrade pip
	.venv-phoenix/bin/python -m pip install -q 'arize-phoenix==$(PHOENIX_VERSION)'
	touch $@

# The OpenAI Agents SDK's own example programs, which tests/compat/test_sdk_examples.py runs unchanged on agents_otel:
# the examples/ directory of its source distribution on PyPI (pinned: the SDK release docs/migrating.md follows),
# unpacked into .sdk-examples/examples (git-ignored; the SDK's code is never copied into this repository).
SDK_VERSION := 0.25.0
SDK_EXAMPLES_STAMP := .sdk-examples/.unpacked-$(SDK_VERSION)

sdk-examples: $(SDK_EXAMPLES_STAMP) .sdk-examples/node_modules

# The MCP examples' `npx -y @modelcontextprotocol/server-filesystem` finds the package in this local tree (offline).
.sdk-examples/node_modules: | $(SDK_EXAMPLES_STAMP) $(JS_CLIENTS)
	ln -sfn ../tests/js/node_modules $@

$(SDK_EXAMPLES_STAMP): | $(STAMP)
	rm -rf .sdk-examples
	mkdir -p .sdk-examples/download
	$(PY) -m pip download -q --no-deps --no-binary :all: 'openai-agents==$(SDK_VERSION)' -d .sdk-examples/download
	tar -xzf .sdk-examples/download/openai_agents-$(SDK_VERSION).tar.gz -C .sdk-examples --strip-components=1 \
	  openai_agents-$(SDK_VERSION)/examples
	rm -rf .sdk-examples/download
	touch $@

# Lint and types first: the standards (ruff clean, mypy --strict on agents_otel/) are part of passing.
# The suite runs in TEST_WORKERS processes (pytest-xdist): most tests wait on a subprocess, a server or a browser, so
# three workers halve the time even on two cores. TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= 3

test: $(STAMP) browser js-clients codex-cli web-ag-ui prometheus redis phoenix sdk-examples lint
	$(PY) -m pytest -q -n $(TEST_WORKERS)
	$(MAKE) test-mcp1

# The MCP client tests again on the last 1.x release of the official SDK (the dev venv has 2.x), in a venv of its own.
MCP1_VENV := $(VENV)-mcp1
MCP1_STAMP := $(MCP1_VENV)/.installed-stamp

$(MCP1_STAMP): pyproject.toml
	$(PYTHON) -m venv $(MCP1_VENV)
	$(MCP1_VENV)/bin/python -m pip install -q --upgrade pip
	$(MCP1_VENV)/bin/python -m pip install -q -e '.[server]' 'mcp==1.30.0' 'pytest>=8' 'pytest-asyncio>=0.24' \
	  'pytest-timeout>=2.3' 'httpx>=0.27' 'pyyaml>=6'
	touch $@

test-mcp1: $(MCP1_STAMP)
	$(MCP1_VENV)/bin/python -m pytest -q -p no:cacheprovider tests/test_mcp_client.py \
		tests/compat/test_sdk_mcp_http_client_factory.py

# What CI runs: the whole of `make test` on every supported Python, each in its own venv (.ci/run).
test-all:
	PYTHONS="$(PYTHONS)" bash .ci/run

lint: $(STAMP)
	@! git grep -nE '^(<<<<<<<|>>>>>>>)( |$$)|^=======$$' -- ':!*.md' 2>/dev/null || { echo "merge conflict markers left in the files above"; exit 1; }
	$(VENV)/bin/ruff check agents_otel tests examples benchmarks
	$(VENV)/bin/mypy

# W1's peers run in venvs of their own, so their dependencies never meet ours (benchmarks/peer_common.py); one set
# per Python, so `make bench PYTHON=python3.13 VENV=.venv-3.13` compares runtimes on the same interpreter.
PYVER = $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
BENCH_VENVS = .venv-bench/$(PYVER)
BENCH_PEERS = $(BENCH_VENVS)/pydantic-ai/.stamp $(BENCH_VENVS)/langgraph/.stamp
.venv-bench/%/pydantic-ai/.stamp:
	$(PYTHON) -m venv .venv-bench/$*/pydantic-ai
	.venv-bench/$*/pydantic-ai/bin/pip install -q 'pydantic-ai-slim==2.78.0' 'opentelemetry-sdk>=1.30'
	touch $@
.venv-bench/%/langgraph/.stamp:
	$(PYTHON) -m venv .venv-bench/$*/langgraph
	.venv-bench/$*/langgraph/bin/pip install -q 'langgraph==1.2.24' 'opentelemetry-sdk>=1.30'
	touch $@

bench: $(STAMP) $(BENCH_PEERS) redis
	$(PY) -m pip install -q -e '.[dev,bench]'
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) .venv-3.* .venv-bench .venv-phoenix .sdk-examples $(MCP1_VENV) .pytest_cache .mypy_cache .ruff_cache
