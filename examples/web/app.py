"""A live progress page for an agent: the agents_otel server app under ``/api`` and a static page at ``/``.

Run it with ``python examples/web/app.py`` (offline: a scripted model and slow demo tools) and open
http://127.0.0.1:8000. Without a trace backend the page draws each run's trace itself (from
``/api/runs/{id}/trace``) once the run ends; set ``TRACE_URL_TEMPLATE`` (e.g. Jaeger's
``http://localhost:16686/trace/{trace_id}``) to point the "open trace" links at a backend instead. Tests build
the same app around their own agent with :func:`create_web_app`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from agents_otel import Agent, RunConfig, ToolContext, function_tool
from agents_otel.server import AgentSource, create_app
from agents_otel.testing import ScriptedModel, assistant_message, function_call

STATIC = Path(__file__).parent / "static"


def create_web_app(
    agent: AgentSource,
    *,
    run_config: RunConfig | None = None,
    trace_url_template: str | None = None,
    **server_options: Any,
) -> Starlette:
    """The page and the API on one origin, so the page needs no CORS and finds the API at ``./api``.

    ``server_options`` go to ``create_app`` (e.g. ``auth=`` reading a session cookie: the page's ``fetch`` calls
    and its ``EventSource`` send the cookie by themselves, same-origin)."""
    api = create_app(agent, run_config=run_config, trace_url_template=trace_url_template, **server_options)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await api.runs.aclose()  # mounted apps get no lifespan events of their own

    return Starlette(
        routes=[Mount("/api", app=api), Mount("/", app=StaticFiles(directory=STATIC, html=True))], lifespan=lifespan
    )


# ---- the offline demo agent: three slow tools in parallel, one of them an agent with a tool of its own ------


async def _steps(ctx: ToolContext[Any], steps: int, seconds: float, label: str) -> None:
    for i in range(1, steps + 1):
        await asyncio.sleep(seconds)
        ctx.send_progress({"progress": i / steps, "status": f"{label} {i}/{steps}"})


@function_tool
async def fetch_dataset(ctx: ToolContext[Any], name: str) -> str:
    """Download a dataset.

    Args:
        name: Which dataset.
    """
    await _steps(ctx, 12, 0.25, "chunk")
    return f"{name}: 144 MB downloaded"


@function_tool
async def crawl_site(ctx: ToolContext[Any], url: str) -> str:
    """Crawl a website.

    Args:
        url: Where to start.
    """
    await _steps(ctx, 8, 0.4, "page")
    return f"crawled 8 pages of {url}"


@function_tool
async def search_papers(ctx: ToolContext[Any], topic: str) -> str:
    """Search papers on a topic.

    Args:
        topic: What to search for.
    """
    await _steps(ctx, 6, 0.35, "batch")
    return f"3 relevant papers on {topic}"


def demo_agent() -> Agent[Any]:
    """A fresh agent per run: a ScriptedModel's script is per run, so concurrent runs must not share one."""
    researcher = Agent(
        name="Researcher",
        tools=[search_papers],
        model=ScriptedModel(
            [
                [function_call("search_papers", {"topic": "tool latency"})],
                [assistant_message("Three papers; the key one measures p99 tail effects.")],
            ]
        ),
    )
    return Agent(
        name="Orchestrator",
        tools=[fetch_dataset, crawl_site, researcher.as_tool("researcher", "Ask the research agent.")],
        model=ScriptedModel(
            [
                [
                    function_call("fetch_dataset", {"name": "sales-q4"}),
                    function_call("crawl_site", {"url": "https://example.com"}),
                    function_call("researcher", {"input": "What drives tool latency?"}),
                ],
                [assistant_message("Done: the Q4 data is downloaded, 8 pages crawled, and 3 papers found.")],
            ]
        ),
    )


app = create_web_app(demo_agent, trace_url_template=os.environ.get("TRACE_URL_TEMPLATE") or None)

if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
