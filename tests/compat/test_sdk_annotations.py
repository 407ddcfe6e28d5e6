"""Compatibility: a message's annotations (a web or file search's sources) as the OpenAI Agents SDK keeps them.

On the Responses API the message's ``output_text`` part carries them (``url_citation`` from ``WebSearchTool``,
``file_citation`` from ``FileSearchTool``, ``container_file_citation``, ``file_path``): SDK code reads them from
``MessageOutputItem.raw_item.content[0].annotations`` as the ``openai`` types, ``to_input_list()`` and sessions hold
them, and the next turn sends them back. On Chat Completions the message's ``annotations`` (url citations: OpenAI's
search-preview models, OpenRouter's web search) become Responses ``url_citation`` annotations as SDK 0.24 converts
them: other shapes skipped, in a stream accumulated from any delta once the text has begun, carried by the text
part's ``.done`` events (no event of their own); Chat Completions requests do not send them back. Driven over the
real wire: the official ``openai`` client talking HTTP to the local fake server, which scripts the annotations as
each API sends them.
"""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from openai.types.responses import (
    ResponseOutputMessage,
    ResponseOutputText,
)
from openai.types.responses.response_output_text import (
    AnnotationContainerFileCitation,
    AnnotationFileCitation,
    AnnotationFilePath,
    AnnotationURLCitation,
)
from support import run_in_mode, wire_model

from agents_otel import (
    Agent,
    AssistantMessage,
    ItemHelpers,
    MessageOutputItem,
    RawResponsesStreamEvent,
    Runner,
    RunState,
    SQLiteSession,
    function_tool,
)
from agents_otel.testing import ScriptedModel

TEXT = "Sunny in Paris today."
URL = {"type": "url_citation", "start_index": 0, "end_index": 5, "url": "https://example.com/w", "title": "Weather"}
URL_2 = {"type": "url_citation", "start_index": 9, "end_index": 14, "url": "https://example.com/p", "title": "Paris"}
FILE = {"type": "file_citation", "file_id": "file_1", "filename": "notes.txt", "index": 3}
CONTAINER = {
    "type": "container_file_citation", "container_id": "cntr_1", "file_id": "file_2", "filename": "out.csv",
    "start_index": 6, "end_index": 8,
}
PATH = {"type": "file_path", "file_id": "file_3", "index": 20}
ALL_KINDS = [URL, FILE, CONTAINER, PATH]
TYPES = [AnnotationURLCitation, AnnotationFileCitation, AnnotationContainerFileCitation, AnnotationFilePath]
MODES = ["plain", "streamed"]


@pytest.fixture
async def fake_client_lenient(fake_openai: FakeOpenAIServer) -> Any:
    """The client without strict validation: the ``openai`` types refuse the incomplete citation a provider may send
    (the SDK reads such a payload from a lenient client, and skips it)."""
    async with fake_openai.client(_strict_response_validation=False) as client:
        yield client


async def run(agent: Agent[Any], mode: str, input: Any = "Weather?", **kwargs: Any) -> Any:
    return await run_in_mode(agent, mode, input, **kwargs)


def message_of(result: Any) -> MessageOutputItem:
    (message,) = [item for item in result.new_items if isinstance(item, MessageOutputItem)]
    return message


def annotated(text: str, annotations: list[dict[str, Any]]) -> dict[str, Any]:
    """The assistant message as ``to_input_list()`` gives it, its text part holding ``annotations``."""
    part = {"type": "output_text", "text": text, "annotations": annotations}
    return {"type": "message", "role": "assistant", "content": [part], "status": "completed"}


def dumped(annotations: Any) -> list[dict[str, Any]]:
    """As JSON (an event's ``annotation`` may be the ``openai`` type or the dict, as the installed client parses)."""
    return [a if isinstance(a, dict) else a.model_dump(mode="json") for a in annotations]


# ---- Responses API -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_responses_annotations_are_on_the_raw_item_as_the_openai_types(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, mode: str
) -> None:
    fake_openai.enqueue(TEXT, annotations=ALL_KINDS)
    result = await run(Agent("Searcher", model=wire_model("responses", client)), mode)
    raw = message_of(result).raw_item
    assert isinstance(raw, ResponseOutputMessage) and isinstance(raw.content[0], ResponseOutputText)
    annotations = raw.content[0].annotations
    assert [type(a) for a in annotations] == TYPES
    assert dumped(annotations) == ALL_KINDS
    assert ItemHelpers.text_message_output(message_of(result)) == TEXT
    (output,) = result.raw_responses[0].output
    assert dumped(output.content[0].annotations) == ALL_KINDS


@pytest.mark.parametrize("mode", MODES)
async def test_responses_annotations_go_back_to_the_model_on_the_next_turn(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, mode: str
) -> None:
    fake_openai.enqueue(TEXT, annotations=[URL, FILE])
    fake_openai.enqueue("You're welcome.")
    agent = Agent("Searcher", model=wire_model("responses", client))
    first = await run(agent, mode)
    assert first.to_input_list()[1] == annotated(TEXT, [URL, FILE])
    await run(agent, mode, [*first.to_input_list(), {"role": "user", "content": "Thanks"}])
    assert fake_openai.requests[1].body["input"][1] == annotated(TEXT, [URL, FILE])


async def test_a_responses_stream_passes_the_annotation_added_events_on(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(TEXT, annotations=[URL, FILE])
    result = Runner.run_streamed(Agent("Searcher", model=wire_model("responses", client)), "Weather?")
    added = [
        event.data
        async for event in result.stream_events()
        if isinstance(event, RawResponsesStreamEvent) and event.data.type == "response.output_text.annotation.added"
    ]
    assert [e.annotation_index for e in added] == [0, 1]
    assert dumped(e.annotation for e in added) == [URL, FILE]


async def test_an_answer_without_annotations_keeps_its_shape(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    """The usual turn pays nothing: an empty tuple on the record, no key in a RunState, the usual repr."""
    fake_openai.enqueue(TEXT)
    result = await Runner.run(Agent("Searcher", model=wire_model("responses", client)), "Weather?")
    message = message_of(result)
    assert message.annotations == () and message.raw_item.content[0].annotations == []
    assert repr(AssistantMessage(TEXT)) == f"AssistantMessage(content={TEXT!r}, refusal='', type='assistant_message')"
    assert "annotations" not in result.to_state().to_string()


# ---- Chat Completions --------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_chat_url_citations_become_responses_url_citations(
    fake_openai: FakeOpenAIServer, fake_client_lenient: openai.AsyncOpenAI, mode: str
) -> None:
    """As the SDK converts them: each url citation, in order; another type and an incomplete citation skipped."""
    incomplete = {"type": "url_citation", "url_citation": {"url": "https://example.com/partial"}}
    fake_openai.enqueue(TEXT, annotations=[URL, FILE, incomplete, URL_2])
    result = await run(Agent("Searcher", model=wire_model("chat", fake_client_lenient)), mode)
    annotations = message_of(result).raw_item.content[0].annotations
    assert [type(a) for a in annotations] == [AnnotationURLCitation, AnnotationURLCitation]
    assert dumped(annotations) == [URL, URL_2]
    assert result.to_input_list()[1] == annotated(TEXT, [URL, URL_2])


@pytest.mark.parametrize(("on", "kept"), [("with_text", [URL]), ("after", [URL, URL_2]), ("before", [])])
async def test_streamed_chat_citations_count_once_the_text_has_begun(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, on: str, kept: list[dict[str, Any]]
) -> None:
    """On the last text delta or on later deltas (accumulated), as the SDK keeps them; before any text: dropped."""
    fake_openai.enqueue(TEXT, annotations=kept or [URL], annotations_on=on)
    result = await run(Agent("Searcher", model=wire_model("chat", client)), "streamed")
    assert dumped(message_of(result).raw_item.content[0].annotations) == kept


async def test_streamed_chat_citations_ride_on_the_text_parts_done_events(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(TEXT, annotations=[URL, URL_2])
    result = Runner.run_streamed(Agent("Searcher", model=wire_model("chat", client)), "Weather?")
    events = [e.data async for e in result.stream_events() if isinstance(e, RawResponsesStreamEvent)]
    assert not [e for e in events if e.type == "response.output_text.annotation.added"]
    (added,) = [e for e in events if e.type == "response.content_part.added"]
    assert added.part.annotations == []
    (part_done,) = [e for e in events if e.type == "response.content_part.done"]
    (item_done,) = [e for e in events if e.type == "response.output_item.done"]
    (completed,) = [e for e in events if e.type == "response.completed"]
    for part in (part_done.part, item_done.item.content[0], completed.response.output[0].content[0]):
        assert dumped(part.annotations) == [URL, URL_2]


@pytest.mark.parametrize("mode", MODES)
async def test_chat_completions_requests_do_not_send_annotations_back(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, mode: str
) -> None:
    fake_openai.enqueue(TEXT, annotations=[URL])
    fake_openai.enqueue("You're welcome.")
    agent = Agent("Searcher", model=wire_model("chat", client))
    first = await run(agent, mode)
    await run(agent, mode, [*first.to_input_list(), {"role": "user", "content": "Thanks"}])
    assert fake_openai.requests[1].body["messages"][1] == {"role": "assistant", "content": TEXT}


# ---- RunState, sessions, input lists -----------------------------------------------------------------------


async def test_annotations_survive_run_state_json(fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI) -> None:
    @function_tool(needs_approval=True)
    def save_report(name: str) -> str:
        """Save the report."""
        return f"saved {name}"

    fake_openai.enqueue(TEXT, annotations=[URL, FILE], tool_calls=[("save_report", {"name": "w"}, "c1")])
    fake_openai.enqueue("Saved.")
    agent = Agent("Searcher", tools=[save_report], model=wire_model("responses", client))
    state = (await Runner.run(agent, "Weather?")).to_state()
    restored = await RunState.from_json(agent, json.loads(state.to_string()))
    restored.approve(restored.interruptions[0])
    result = await Runner.run(agent, restored)
    assert result.final_output == "Saved."
    (message, _) = [item for item in result.new_items if isinstance(item, MessageOutputItem)]
    assert dumped(message.raw_item.content[0].annotations) == [URL, FILE]
    assert fake_openai.requests[1].body["input"][1] == annotated(TEXT, [URL, FILE])


@pytest.mark.parametrize("api", ["responses", "chat"])
async def test_a_session_keeps_the_annotations(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, api: str
) -> None:
    fake_openai.enqueue(TEXT, annotations=[URL])
    fake_openai.enqueue("You're welcome.")
    session = SQLiteSession("citations")
    agent = Agent("Searcher", model=wire_model(api, client))
    await Runner.run(agent, "Weather?", session=session)
    assert (await session.get_items())[1] == annotated(TEXT, [URL])
    await Runner.run(agent, "Thanks", session=session)
    if api == "responses":
        assert fake_openai.requests[1].body["input"][1] == annotated(TEXT, [URL])
    assert (await session.get_items())[1] == annotated(TEXT, [URL])


def test_input_to_new_input_list_copies_the_annotations() -> None:
    message = AssistantMessage(TEXT, annotations=(URL,))
    copied = ItemHelpers.input_to_new_input_list([message])
    assert copied == [annotated(TEXT, [URL])]
    copied[0]["content"][0]["annotations"][0]["title"] = "changed"
    assert message.annotations[0]["title"] == "Weather"


async def test_several_text_parts_become_one_with_the_annotations_moved_onto_the_joined_text() -> None:
    """Our record joins a message's text parts (docs/migrating.md): each annotation still points at its words."""
    parts = [
        {"type": "output_text", "text": "Sunny ", "annotations": [{**URL, "start_index": 0, "end_index": 5}]},
        {"type": "output_text", "text": "in Paris.", "annotations": [{**URL_2, "start_index": 3, "end_index": 8}]},
    ]
    message = ResponseOutputMessage.model_validate(
        {"id": "msg_1", "type": "message", "role": "assistant", "status": "completed", "content": parts}
    )
    result = await Runner.run(Agent("Searcher", model=ScriptedModel([[message]])), "Weather?")
    (text,) = message_of(result).raw_item.content
    cited = [text.text[a.start_index : a.end_index] for a in text.annotations]  # type: ignore[union-attr]
    assert text.text == "Sunny in Paris." and cited == ["Sunny", "Paris"]


async def test_the_scripted_model_streams_a_messages_annotations() -> None:
    """``assistant_message`` records with annotations stream them as the SDK's ScriptedModel does."""
    from agents_otel.testing import ModelStep

    step = ModelStep(output=[AssistantMessage(TEXT, annotations=(URL, PATH))])
    result = Runner.run_streamed(Agent("Searcher", model=ScriptedModel([step])), "Weather?")
    added = [
        event.data
        async for event in result.stream_events()
        if isinstance(event, RawResponsesStreamEvent) and event.data.type == "response.output_text.annotation.added"
    ]
    assert dumped(e.annotation for e in added) == [URL, PATH]
