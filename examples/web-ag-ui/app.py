"""A page on the official AG-UI client and the Vercel AI SDK: the agents_otel server app under ``/api`` (its
``/ag-ui`` and ``/ai-sdk/chat`` endpoints) and a static page at ``/`` that shows one live progress bar per tool
call, whichever protocol is picked.

Build the page's bundle once (npm ci + esbuild, from this directory's package-lock.json), then serve it::

    make web-ag-ui
    python examples/web-ag-ui/app.py        # offline: a scripted model and slow demo tools; http://127.0.0.1:8000

Tests build the same app around their own agent with :func:`create_web_app`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from agents_otel import RunConfig
from agents_otel.server import AgentSource, create_app

HERE = Path(__file__).parent
STATIC = HERE / "static"


def create_web_app(agent: AgentSource, *, run_config: RunConfig | None = None) -> Starlette:
    """The page and the API on one origin, so the page needs no CORS and finds the API at ``./api``."""
    if not (STATIC / "bundle.js").exists():
        raise FileNotFoundError(f"{STATIC / 'bundle.js'} is missing: run `make web-ag-ui` to build the page")
    api = create_app(agent, run_config=run_config)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await api.runs.aclose()  # mounted apps get no lifespan events of their own

    return Starlette(
        routes=[Mount("/api", app=api), Mount("/", app=StaticFiles(directory=STATIC, html=True))], lifespan=lifespan
    )


def _demo_agent() -> Any:
    """The demo agent of ``examples/web`` (three slow tools in parallel, one an agent with a tool of its own)."""
    spec = importlib.util.spec_from_file_location("web_example_app", HERE.parent / "web" / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.demo_agent


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(create_web_app(_demo_agent()), host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
