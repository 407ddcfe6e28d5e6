"""Helpers for the UI protocol tests: the official npm clients run by Node, and the agents they talk to.

The npm packages come from ``tests/js/package.json`` + ``package-lock.json`` (``make js-clients`` runs ``npm ci``;
``make test`` depends on it). Each driver script prints one JSON report; the tests assert on it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, Literal

import httpx
from openai.types.responses import (
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
)
from server_support import SAFETY_TIMEOUT, watch
from support import missing

from agents_otel import Agent, ToolContext, WebSearchTool, function_tool
from agents_otel.items import AssistantMessage, FunctionCall, FunctionCallOutput, RawInputItem, UserMessage
from agents_otel.models.interface import Model, ModelRequest, ModelResponse, ModelStreamEvent, ProviderEvent, TextDelta
from agents_otel.testing import ScriptedModel, assistant_message, function_call

JS_DIR = Path(__file__).resolve().parent / "js"
NODE = shutil.which("node") or "node"


def index_of(events: list[dict[str, Any]], kind: str, call_id: str) -> int:
    """Where the one event of ``kind`` for tool call ``call_id`` is (both protocols name it ``toolCallId``)."""
    (index,) = [i for i, e in enumerate(events) if e["type"] == kind and e.get("toolCallId") == call_id]
    return index


def require_node_clients() -> None:
    if shutil.which("node") and (JS_DIR / "node_modules" / "@ag-ui" / "client").is_dir():
        return
    message = "the npm clients are not installed: run `make js-clients` (npm ci in tests/js; needs Node 20+)"
    missing(message)


def drive(driver: str, scenario: dict[str, Any]) -> dict[str, Any]:
    """Run ``tests/js/<driver>`` with the scenario; its JSON report."""
    done = subprocess.run(
        [NODE, str(JS_DIR / driver), json.dumps(scenario)],
        cwd=JS_DIR,
        capture_output=True,
        text=True,
        timeout=SAFETY_TIMEOUT * 2,
        check=False,
    )
    assert done.returncode == 0, f"{driver} failed ({done.returncode}):\n{done.stderr}"
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def final_event(base_url: str, run_id: str) -> dict[str, Any]:
    """The run's last ``/runs`` event, waiting for the run to end (on its events, not on time)."""
    with httpx.Client(base_url=base_url, timeout=SAFETY_TIMEOUT) as client:
        events = list(watch(client, f"/runs/{run_id}/events"))
    return events[-1]


def walk(value: Any) -> Iterator[Any]:
    """Every value nested in a JSON document."""
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


@function_tool
async def count(ctx: ToolContext[Any], n: int) -> str:
    """Count to n, reporting each step."""
    for i in range(1, n + 1):
        ctx.send_progress({"done": i, "of": n})
        await asyncio.sleep(0)  # let the other calls run between steps
    return f"counted to {n}"


@function_tool
def explode() -> str:
    """Always fails."""
    raise ValueError("boom")


class Scenario:
    """Per run: text, two parallel ``count`` calls, an agent used as a tool (whose own ``count`` call is nested)
    and a failing call in one turn, then an answer. Call ids carry the run number so a conversation's runs never
    reuse one; every model request is kept, so a test can check that history continued."""

    def __init__(self) -> None:
        self.runs = 0
        self.requests: list[ModelRequest] = []

    def ids(self, run: int) -> dict[str, str]:
        return {k: f"r{run}_{k}" for k in ("a", "b", "nested", "inner", "err")}

    def agent(self) -> Agent[Any]:
        self.runs += 1
        ids = self.ids(self.runs)
        run = self.runs
        inner = Agent(
            name="Researcher",
            tools=[count],
            model=ScriptedModel(
                [[function_call("count", {"n": 2}, call_id=ids["inner"])], [assistant_message("found it")]]
            ),
        )

        def first(request: ModelRequest) -> list[Any]:
            self.requests.append(request)
            return [
                assistant_message("Working on it."),
                function_call("count", {"n": 3}, call_id=ids["a"]),
                function_call("count", {"n": 3}, call_id=ids["b"]),
                function_call("research", {"input": "dig"}, call_id=ids["nested"]),
                function_call("explode", {}, call_id=ids["err"]),
            ]

        def answer(request: ModelRequest) -> list[Any]:
            self.requests.append(request)
            return [assistant_message(f"Answer {run}.")]

        return Agent(
            name="Main",
            tools=[count, explode, inner.as_tool("research", "Ask the researcher.")],
            model=ScriptedModel([first, answer]),
        )

    def assert_second_run_continued(self) -> None:
        """The second run's model saw the first run's conversation as the client sent it back: the user's text,
        the assistant's messages, the calls and their results, but not the calls the subagent made."""
        ids = self.ids(1)
        history = self.requests[2].input
        assert history[0] == UserMessage("Hello")
        assert AssistantMessage("Working on it.") in history and AssistantMessage("Answer 1.") in history
        assert FunctionCall("count", '{"n": 3}', ids["a"]) in history
        assert FunctionCallOutput(ids["a"], "counted to 3") in history
        assert history[-1] == UserMessage("And again")
        assert not any(isinstance(item, FunctionCall) and item.call_id == ids["inner"] for item in history)


def failing_agent() -> Agent[Any]:
    return Agent(name="Broken", model=ScriptedModel([RuntimeError("model down")]))


REASONING_SUMMARY = "The user greets me; answer briefly."


def reasoning_agent() -> Agent[Any]:
    """A reasoning model's answer: a reasoning item with a summary, then the message (the Responses API's order)."""
    reasoning = {"id": "rs_1", "type": "reasoning", "summary": [{"type": "summary_text", "text": REASONING_SUMMARY}]}
    return Agent(name="Thinker", model=ScriptedModel([[RawInputItem(reasoning), assistant_message("Hello there.")]]))


def handoff_agent() -> Agent[Any]:
    """Triage hands the conversation to Specialist, whose ``count`` call reports progress, then answers."""
    specialist = Agent(
        name="Specialist",
        tools=[count],
        model=ScriptedModel(
            [[function_call("count", {"n": 2}, call_id="call_specialist")], [assistant_message("Specialist here.")]]
        ),
    )
    return Agent(
        name="Triage",
        handoffs=[specialist],
        model=ScriptedModel([[function_call("transfer_to_specialist", {}, call_id="call_handoff")]]),
    )


WEB_SEARCH_CALL = {
    "id": "ws_1",
    "type": "web_search_call",
    "status": "completed",
    "action": {"type": "search", "query": "agents_otel"},
}


def hosted_agent() -> Agent[Any]:
    """A hosted web search the provider ran inside the model call, then the answer that used it."""
    return Agent(
        name="Searcher",
        tools=[WebSearchTool()],
        model=ScriptedModel([[RawInputItem(dict(WEB_SEARCH_CALL)), assistant_message("Found it.")]]),
    )


class ApprovalScenario:
    """One turn asking to delete ``a.txt`` and ``b.txt`` (call ids ``call_a``, ``call_b``), each call needing
    approval; then an answer, and one to a follow-up. ``deleted``: what the tool really did. ``streamed``: the
    calls' arguments stream as the model writes them (``StreamedCallsModel``)."""

    def __init__(self, *, streamed: bool = False) -> None:
        self.deleted: list[str] = []

        @function_tool(needs_approval=True)
        def delete_file(path: str) -> str:
            """Delete a file."""
            self.deleted.append(path)
            return f"deleted {path}"

        calls = [function_call("delete_file", {"path": f"{p}.txt"}, call_id=f"call_{p}") for p in ("a", "b")]
        steps: list[Any] = [calls, [assistant_message("done")], [assistant_message("bye")]]
        streaming = StreamedCallsModel(steps) if streamed else None
        self.model = streaming.inner if streaming is not None else ScriptedModel(steps)
        self.agent = Agent(name="Janitor", tools=[delete_file], model=streaming or self.model)

    def told(self, call: int = -1) -> dict[str, Any]:
        """The tool outputs in the ``call``-th model request's input."""
        return {i.call_id: i.output for i in self.model.calls[call].input if isinstance(i, FunctionCallOutput)}


STREAM_BROKE = "the model's stream broke off"


class StreamedCallsModel(Model):
    """A ``ScriptedModel`` whose function calls stream as a provider streams them: ``response.output_item.added``
    (name and call id), the arguments in ``pieces`` ``function_call_arguments.delta`` events, then
    ``function_call_arguments.done`` (unless ``arguments_done=False``, as a converted Chat Completions stream) and
    ``response.output_item.done`` (unless ``item_done=False``, a stream that never says the call is complete).
    ``interleave``: parallel calls' deltas alternate. Every event's ``item_id`` is
    the same (as in a converted Chat Completions stream), so only ``output_index`` tells the calls apart.
    ``cut``: the stream stops after the first call's first delta, to wait until cancelled (``"hang"``) or raise
    ``STREAM_BROKE`` (``"fail"``)."""

    model_name = "streamed-calls"

    def __init__(
        self,
        steps: list[Any],
        *,
        pieces: int = 4,
        interleave: bool = False,
        arguments_done: bool = True,
        item_done: bool = True,
        cut: Literal["hang", "fail"] | None = None,
    ) -> None:
        self.inner = ScriptedModel(steps)
        self.cut = cut
        self.pieces = pieces
        self.interleave = interleave
        self.arguments_done = arguments_done
        self.item_done = item_done

    async def get_response(self, request: ModelRequest) -> ModelResponse:
        return await self.inner.get_response(request)

    async def stream_response(self, request: ModelRequest) -> AsyncIterator[ModelStreamEvent]:
        response: ModelResponse | None = None
        async for event in self.inner.stream_response(request):
            if isinstance(event, ModelResponse):
                response = event
            elif not (isinstance(event, TextDelta) and not event.delta and event.raw is None):  # a call's placeholder
                yield event
        assert response is not None
        streams = [
            self._call_events(index, item) for index, item in enumerate(response.output) if type(item) is FunctionCall
        ]
        if self.cut is not None:
            for event in streams[0][:2]:
                yield ProviderEvent(event)
            if self.cut == "fail":
                raise RuntimeError(STREAM_BROKE)
            await asyncio.get_running_loop().create_future()
        if self.interleave:
            for group in itertools.zip_longest(*streams):
                for event in group:
                    if event is not None:
                        yield ProviderEvent(event)
        else:
            for stream in streams:
                for event in stream:
                    yield ProviderEvent(event)
        yield response

    def _call_events(self, index: int, call: FunctionCall) -> list[Any]:
        """Added, the deltas, done: one list per call, each delta its own element (what ``interleave`` alternates)."""
        ids = {"item_id": "__fake_id__", "output_index": index, "sequence_number": 0}
        item = {"type": "function_call", "id": "__fake_id__", "call_id": call.call_id, "name": call.name}
        size = max(1, -(-len(call.arguments) // self.pieces))
        deltas = [call.arguments[i : i + size] for i in range(0, len(call.arguments), size)]
        events: list[Any] = [
            ResponseOutputItemAddedEvent.model_validate(
                {"type": "response.output_item.added", "item": {**item, "arguments": ""}, **ids}
            ),
            *(
                ResponseFunctionCallArgumentsDeltaEvent(type="response.function_call_arguments.delta", delta=d, **ids)
                for d in deltas
            ),
        ]
        if self.arguments_done:
            events.append(
                ResponseFunctionCallArgumentsDoneEvent.model_validate(
                    {"type": "response.function_call_arguments.done", "arguments": call.arguments, "name": call.name}
                    | ids
                )
            )
        if self.item_done:
            done = {"type": "response.output_item.done", "item": {**item, "arguments": call.arguments}, **ids}
            events.append(ResponseOutputItemDoneEvent.model_validate(done))
        return events


LONG_CONTENT = "def main() -> None:\n    print('streamed, piece by piece')\n" * 3


@function_tool
def write_file(path: str, content: str) -> str:
    """Write a file."""
    return f"wrote {len(content)} characters to {path}"


def streamed_calls_agent(**options: Any) -> Agent[Any]:
    """One turn of text and two parallel ``write_file`` calls (``call_w1``, ``call_w2``) whose arguments stream in
    pieces, then an answer."""
    calls = [
        function_call("write_file", {"path": f"{name}.py", "content": LONG_CONTENT}, call_id=f"call_{name}")
        for name in ("w1", "w2")
    ]
    model = StreamedCallsModel([[assistant_message("Writing."), *calls], [assistant_message("Written.")]], **options)
    return Agent(name="Writer", tools=[write_file], model=model)


def streamed_arguments(call_id: str) -> str:
    """The arguments text ``streamed_calls_agent`` streams for ``call_id``."""
    name = call_id.removeprefix("call_")
    return function_call("write_file", {"path": f"{name}.py", "content": LONG_CONTENT}, call_id=call_id).arguments


def bad_call_agent(name: str, arguments: str) -> Agent[Any]:
    """A ``Writer`` whose model streams one call (``call_bad``) it should not have made: to ``name`` (a tool the agent
    lacks, unless ``write_file``) with ``arguments`` (maybe not JSON), then answers ``Done.``."""
    model = StreamedCallsModel([[FunctionCall(name, arguments, "call_bad")], [assistant_message("Done.")]])
    model.inner.check_calls = False
    return Agent(name="Writer", tools=[write_file], model=model)
