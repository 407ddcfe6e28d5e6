"""Where a streamed tool call's time goes above a run nobody streams: pieces of the stream path patched out of the
installed package, each measured against an unpatched copy of a commit and the floor in one process, as ``ab.py``
does (``docs/benchmarks.md`` reports a run).

    .venv-3.12/bin/python benchmarks/ablation_streamed.py noemit --rounds 30
    # variants: none, nochunk, noemit, noevents, nolisten (see VARIANTS)

Each variant breaks the streamed API on purpose (its consumer sees fewer events): read them as a breakdown,
never as a runtime.
"""

from __future__ import annotations

import argparse
import asyncio
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import ab

import agents_otel.tool_events as tool_events
from agents_otel import run_runtime, testing
from agents_otel.items import AssistantMessage, new_tool_call_item, new_tool_call_output_item
from agents_otel.models.interface import TextDelta
from agents_otel.stream_events import new_run_item_event
from agents_otel.tool_call import ToolCall


def _placeholders(call: Any, span_context: Any = None) -> bool:
    """The items left as placeholders, as a run nobody streams leaves them: no item, identity or event built."""
    if span_context is None:
        if call.end_reported:
            return False
        call.end_reported = True
    else:
        if call.start_reported:
            return False
        call.start_reported = True
        call.span_context = span_context
    call.run.items.append(call)
    call.run.pending_items = True
    return True


def _started_unsent(call: Any, span_context: Any) -> bool:
    """The items and events built, never put on the stream."""
    if call.start_reported:
        return False
    call.start_reported = True
    call.span_context = span_context
    item = new_tool_call_item(call.identified(), call.arguments)
    call.run.items.append(item)
    new_run_item_event("tool_called", item)
    return True


def _ended_unsent(call: Any) -> None:
    if call.end_reported:
        return
    call.end_reported = True
    item = new_tool_call_output_item(call.identity, call.output, call.error_type)
    item.custom_data = call.custom_data
    call.run.items.append(item)
    new_run_item_event("tool_output", item)


def _lifecycle(started: Callable[..., bool], ended: Callable[..., Any]) -> Callable[[], None]:
    def patch() -> None:
        tool_events.started, tool_events.ended = started, ended  # type: ignore[assignment]
        ToolCall.span_started, ToolCall.span_ended = started, ended  # type: ignore[assignment]

    return patch


def _no_chunk() -> None:
    async def stream_response(self: Any, request: Any) -> AsyncIterator[Any]:
        response = self._respond(request, self._take(request, True))  # the list-of-lists steps W1 uses
        for item in response.output:
            if isinstance(item, AssistantMessage):
                for piece in re.findall(r"\S+\s*|\s+", item.content):
                    yield TextDelta(piece)
        yield response

    testing.ScriptedModel.stream_response = stream_response  # type: ignore[method-assign]


def _not_listening() -> None:
    made = run_runtime.RunRuntime.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        made(self, *args, **kwargs)
        self.listening = False

    run_runtime.RunRuntime.__init__ = init  # type: ignore[method-assign]


VARIANTS: dict[str, Callable[[], None] | None] = {
    "none": None,  # the harness's own noise
    "nochunk": _no_chunk,  # the scripted model's chunk per call
    "noemit": _lifecycle(_started_unsent, _ended_unsent),  # items and events built, not streamed
    "noevents": _lifecycle(_placeholders, lambda call: _placeholders(call)),  # nothing built per call
    "nolisten": _not_listening,  # and no processor forwarding: the run's tool path as if nobody streamed
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("variant", choices=sorted(VARIANTS))
    parser.add_argument("--base", default="HEAD")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    patch = VARIANTS[args.variant]
    if patch is not None:
        patch()
    base, new = ab.load_copies(args.base, "agents_otel")
    print(f"variant {args.variant}")
    print(asyncio.run(ab.compare(base, new, ["s"], args.rounds, "collect")))


if __name__ == "__main__":
    main()
