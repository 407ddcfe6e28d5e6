"""The demo's slow tools: two async tools in parallel, a sync tool in a worker thread, and an agent used as a tool.

Shared by ``demo.py`` (offline or real model) so the tools are the same whichever model drives them.
"""

from __future__ import annotations

import asyncio
import time

from agents_otel import Agent, ToolContext, function_tool
from agents_otel.testing import ScriptedModel, assistant_message, function_call

STEPS = 10
STEP_SECONDS = 0.15


@function_tool
async def fetch_dataset(ctx: ToolContext, name: str) -> str:
    """Download a dataset.

    Args:
        name: Which dataset to download.
    """
    for i in range(1, STEPS + 1):
        await asyncio.sleep(STEP_SECONDS)
        ctx.send_progress({"status": f"downloading {name}", "progress": i / STEPS, "mb": i * 12})
    return f"{name}: {STEPS * 12} MB downloaded"


@function_tool
async def crawl_site(ctx: ToolContext, url: str, pages: int = 8) -> str:
    """Crawl a website.

    Args:
        url: Where to start.
        pages: How many pages to fetch.
    """
    for i in range(1, pages + 1):
        await asyncio.sleep(STEP_SECONDS * 1.3)
        ctx.send_progress({"status": f"page {i}/{pages}", "progress": i / pages})
    return f"crawled {pages} pages of {url}"


@function_tool
def compress_archive(ctx: ToolContext, files: int) -> str:
    """Compress files into an archive (a plain sync function: it runs in a worker thread).

    Args:
        files: How many files to compress.
    """
    for i in range(1, files + 1):
        time.sleep(STEP_SECONDS * 0.9)  # blocking work, off the event loop
        ctx.send_progress({"status": f"file {i}/{files}", "progress": i / files})
    return f"{files} files compressed"


@function_tool
async def search_papers(ctx: ToolContext, topic: str) -> str:
    """Search papers on a topic.

    Args:
        topic: What to search for.
    """
    for i in range(1, 6):
        await asyncio.sleep(STEP_SECONDS * 1.2)
        ctx.send_progress({"status": f"searched {i * 20} papers", "progress": i / 5})
    return f"3 relevant papers on {topic}"


def researcher(model: object | None = None) -> Agent:
    offline = ScriptedModel(
        [
            [function_call("search_papers", {"topic": "tool latency"}, call_id="call_research_1")],
            [assistant_message("Found 3 papers on tool latency; the key one measures p99 tail effects.")],
        ],
        repeat=True,
    )
    return Agent(
        name="Researcher",
        instructions="Research the question with search_papers, then answer in one sentence.",
        tools=[search_papers],
        model=model if model is not None else offline,  # type: ignore[arg-type]
    )


def offline_orchestrator_model() -> ScriptedModel:
    return ScriptedModel(
        [
            [
                function_call("fetch_dataset", {"name": "sales-q4"}, call_id="call_fetch_1"),
                function_call("crawl_site", {"url": "https://example.com", "pages": 8}, call_id="call_crawl_1"),
                function_call("compress_archive", {"files": 9}, call_id="call_compress_1"),
                function_call("researcher", {"input": "What drives tool latency?"}, call_id="call_research_0"),
            ],
            [
                assistant_message(
                    "Done: the Q4 sales data is downloaded (120 MB), 8 pages are crawled, 9 files are "
                    "compressed, and the research found 3 papers on tool latency."
                )
            ],
        ],
        repeat=True,
    )
