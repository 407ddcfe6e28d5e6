"""A page on the official AG-UI client and the Vercel AI SDK: the agents_otel server app under ``/api`` (its
``/ag-ui`` and ``/ai-sdk/chat`` endpoints) and a static page at ``/`` that shows, whichever protocol is picked, one
live progress bar per tool call with the call's arguments as the model writes them, the model's reasoning summary
as it streams (a collapsible block), and the answer with its sources as links.

The offline demo agent is the one of ``examples/web`` (the same slow tools) with a model whose turns stream as the
Responses API streams them (:func:`streamed_turn`: ``agents_otel.testing.ModelStep.stream`` with the exact events),
so the page has reasoning deltas, argument deltas and ``url_citation`` annotations to show.

Build the page's bundle once (npm ci + esbuild, from this directory's package-lock.json), then serve it::

    make web-ag-ui
    python examples/web-ag-ui/app.py        # offline: a scripted model and slow demo tools; http://127.0.0.1:8000

Tests build the same app around their own agent with :func:`create_web_app` (and their own turns with
:func:`streamed_turn`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib.util
import itertools
import os
import re
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent,
    ResponseFunctionToolCall,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseOutputMessage,
    ResponseReasoningItem,
    ResponseReasoningSummaryTextDeltaEvent,
    ResponseTextDeltaEvent,
)
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from agents_otel import Agent, RunConfig
from agents_otel.items import FunctionCall
from agents_otel.server import AgentSource, create_app
from agents_otel.testing import ModelCall, ModelStep, ScriptedModel, assistant_message, function_call

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


# ---- the offline demo: a model turn streamed as the Responses API streams it -----------------------------------

PAUSE = 0.05
"""Seconds between two stream events of a demo turn, so the page visibly fills as the model "writes"."""


def streamed_turn(
    *,
    reasoning: Sequence[str] = (),
    message: str | None = None,
    sources: Sequence[tuple[str, str]] = (),
    calls: Sequence[FunctionCall] = (),
    pause: float = PAUSE,
) -> ModelStep:
    """One scripted model turn whose exact Responses stream events the run reads as from the real API (the public
    ``ModelStep.stream``; ``ScriptedModel``'s automatic stream sends each text whole, in one delta): a reasoning item
    whose summary parts (``reasoning``) stream word by word, then ``message`` word by word with one ``url_citation``
    annotation per ``(url, title)`` of ``sources`` (each citing the whole text), then ``calls`` with their
    arguments in pieces of a few characters; ``pause`` seconds before each delta."""
    items: list[Any] = []
    if reasoning:
        summary = [{"type": "summary_text", "text": text} for text in reasoning]
        items.append(ResponseReasoningItem.model_validate({"id": "rs_demo", "type": "reasoning", "summary": summary}))
    if message is not None:
        annotations = [
            {"type": "url_citation", "url": url, "title": title, "start_index": 0, "end_index": len(message)}
            for url, title in sources
        ]
        text = {"type": "output_text", "text": message, "annotations": annotations, "logprobs": []}
        items.append(
            ResponseOutputMessage.model_validate(
                {"id": "msg_demo", "type": "message", "role": "assistant", "status": "completed", "content": [text]}
            )
        )
    for call in calls:
        data = {"type": "function_call", "id": f"fc_{call.call_id}", "call_id": call.call_id, "name": call.name}
        items.append(ResponseFunctionToolCall.model_validate({**data, "arguments": call.arguments}))

    async def events(_: ModelCall) -> AsyncIterator[Any]:
        number = itertools.count()
        for index, item in enumerate(items):
            yield ResponseOutputItemAddedEvent(
                type="response.output_item.added", item=_opened(item), output_index=index, sequence_number=next(number)
            )
            for event in _deltas(item, index):
                await asyncio.sleep(pause)
                event.sequence_number = next(number)
                yield event
            yield ResponseOutputItemDoneEvent(
                type="response.output_item.done", item=item, output_index=index, sequence_number=next(number)
            )
        response = Response(
            id="resp_demo", created_at=0, model="scripted", object="response", output=items, tool_choice="auto",
            tools=[], top_p=None, parallel_tool_calls=True, status="completed",
        )
        yield ResponseCompletedEvent(type="response.completed", response=response, sequence_number=next(number))

    return ModelStep.stream(events, output=items)


def _opened(item: Any) -> Any:
    """The item as ``response.output_item.added`` carries it: nothing of its content yet."""
    if isinstance(item, ResponseReasoningItem):
        return item.model_copy(update={"summary": []})
    if isinstance(item, ResponseOutputMessage):
        return item.model_copy(update={"content": [], "status": "in_progress"})
    return item.model_copy(update={"arguments": "", "status": "in_progress"})


def _deltas(item: Any, index: int) -> Iterator[Any]:
    ids: dict[str, Any] = {"item_id": item.id, "output_index": index, "sequence_number": 0}
    if isinstance(item, ResponseReasoningItem):
        for part, summary in enumerate(item.summary):
            for word in re.findall(r"\S+\s*", summary.text):
                yield ResponseReasoningSummaryTextDeltaEvent(
                    type="response.reasoning_summary_text.delta", delta=word, summary_index=part, **ids
                )
    elif isinstance(item, ResponseOutputMessage):
        for word in re.findall(r"\S+\s*", item.content[0].text):  # type: ignore[union-attr]
            yield ResponseTextDeltaEvent(
                type="response.output_text.delta", delta=word, content_index=0, logprobs=[], **ids
            )
    else:
        arguments = item.arguments
        for i in range(0, len(arguments), 6):
            yield ResponseFunctionCallArgumentsDeltaEvent(
                type="response.function_call_arguments.delta", delta=arguments[i : i + 6], **ids
            )
        yield ResponseFunctionCallArgumentsDoneEvent.model_validate(
            {"type": "response.function_call_arguments.done", "arguments": arguments, "name": item.name, **ids}
        )


@functools.cache
def _web_example() -> Any:
    """examples/web/app.py, for its slow demo tools (loaded once)."""
    spec = importlib.util.spec_from_file_location("web_example_app", HERE.parent / "web" / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def demo_agent() -> Agent[Any]:
    """The demo of ``examples/web`` (three slow tools in parallel, one an agent with a tool of its own), its
    orchestrator reasoning before each turn, its calls' arguments streamed and its answer citing sources. A fresh
    agent per run: a ScriptedModel's script is per run, so concurrent runs must not share one."""
    web = _web_example()
    researcher: Agent[Any] = Agent(
        name="Researcher",
        tools=[web.search_papers],
        model=ScriptedModel(
            [
                [function_call("search_papers", {"topic": "tool latency"})],
                [assistant_message("Three papers; the key one measures p99 tail effects.")],
            ]
        ),
    )
    plan = (
        "**Splitting the work**\n\nThe user wants the Q4 data and the research on tool latency. "
        "The download, the crawl and the literature search do not depend on each other, so I start all three at once.",
    )
    summary = ("**Summing up**\n\nAll three calls succeeded; I report what each found and cite the pages used.",)
    return Agent(
        name="Orchestrator",
        tools=[web.fetch_dataset, web.crawl_site, researcher.as_tool("researcher", "Ask the research agent.")],
        model=ScriptedModel(
            [
                streamed_turn(
                    reasoning=plan,
                    calls=[
                        function_call("fetch_dataset", {"name": "sales-q4"}, call_id="call_fetch"),
                        function_call("crawl_site", {"url": "https://example.com"}, call_id="call_crawl"),
                        function_call("researcher", {"input": "What drives tool latency?"}, call_id="call_research"),
                    ],
                ),
                streamed_turn(
                    reasoning=summary,
                    message="Done: the Q4 data is downloaded, 8 pages crawled, and 3 papers found.",
                    sources=[
                        ("https://example.com/", "Example Domain (crawled)"),
                        ("https://example.org/papers/tool-latency", "Tool latency: p99 tail effects"),
                    ],
                ),
            ]
        ),
    )


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(create_web_app(demo_agent), host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
