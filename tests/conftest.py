"""Shared pytest fixtures.

``fake_openai`` (a scripted OpenAI-compatible server, handle with ``.base_url``), ``client`` (the official openai
client talking to it) and ``refused_openai_base_url``: see ``tests/fake_openai``.
"""

import atexit
import os
import shutil
import tempfile

# LiteLLM fetches its model price map from the web when imported; the network is closed here (and on CI), so the tests
# (and the docs blocks they run in subprocesses, which inherit this) read the copy the package ships.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

try:  # ``tests/`` is on sys.path (rootdir-relative imports, no tests/__init__.py)
    from fake_openai.fixtures import client, fake_openai, refused_openai_base_url
except ImportError:  # pragma: no cover - if tests/ ever becomes a package
    from tests.fake_openai.fixtures import client, fake_openai, refused_openai_base_url

from mcp_support.fixtures import http_url, sse_url, transport
from otlp_receivers import otlp_grpc_receiver, otlp_http_receiver, refused_port
from support import meter, tracing

from agents_otel.tracing.setup import disable_auto_configure

# Every temporary file of the session (ours, pytest's tmp_path, the sandboxes' workspaces, the subprocesses' and
# Chromium's, which inherit TMPDIR) goes under one directory, removed when the session ends: a test that forgets to
# clean up leaves nothing in /tmp across runs.
_SESSION_TMP = tempfile.mkdtemp(prefix="agents-otel-tests-")
os.environ["TMPDIR"] = tempfile.tempdir = _SESSION_TMP
atexit.register(shutil.rmtree, _SESSION_TMP, True)

# A run without RunConfig(tracer_provider=...) must not install a process-wide provider (and write
# ./.agents_otel/traces.jsonl) in the test process; zero-config is tested in subprocesses (test_export_*).
disable_auto_configure()

__all__ = [
    "client",
    "fake_openai",
    "http_url",
    "meter",
    "otlp_grpc_receiver",
    "otlp_http_receiver",
    "refused_openai_base_url",
    "refused_port",
    "sse_url",
    "tracing",
    "transport",
]
