"""A message's annotations (a web or file search's citations) on the front-end endpoints: the AI SDK's source parts
(made as its own OpenAI provider makes them), AG-UI's ``TEXT_MESSAGE_END.metadata`` (merged into the client's
message), ``/runs``' ``message_output_created``. Driven by the official npm clients, over a scripted model and the
Responses API's real wire; a follow-up request sending the annotated message back (the AI SDK's source parts, the
AG-UI message's metadata) is accepted and reaches the model as the text; a watcher on another replica gets the
annotations through Redis."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fake_openai.server import FakeOpenAIServer
from server_support import LiveServer, watch
from ui_protocol_support import drive, require_node_clients

from agents_otel import Agent, AssistantMessage, MessageOutputItem
from agents_otel.models.openai_responses import OpenAIResponsesModel
from agents_otel.server import create_app
from agents_otel.server.ag_ui import AgUiMapping
from agents_otel.server.ai_sdk import AiSdkMapping, sources
from agents_otel.server.event_json import event_to_json
from agents_otel.stream_events import RawResponsesStreamEvent, RunItemStreamEvent
from agents_otel.testing import ScriptedModel

TEXT = "Sunny in Paris today."
URL = {"type": "url_citation", "start_index": 0, "end_index": 5, "url": "https://example.com/w", "title": "Weather"}
FILE = {"type": "file_citation", "file_id": "file_1", "filename": "notes.txt", "index": 3}
CONTAINER = {
    "type": "container_file_citation", "container_id": "cntr_1", "file_id": "file_2", "filename": "out.csv",
    "start_index": 6, "end_index": 8,
}
PATH = {"type": "file_path", "file_id": "file_3", "index": 20}
ANNOTATIONS = (URL, FILE)


def message_event(annotations: tuple[dict[str, Any], ...] = ANNOTATIONS) -> RunItemStreamEvent:
    item = MessageOutputItem(text=TEXT, agent_name="Searcher", annotations=annotations)
    return RunItemStreamEvent("message_output_created", item)


def decoded(frames: list[bytes]) -> list[dict[str, Any]]:
    return [json.loads(frame.decode().removeprefix("data: ")) for frame in frames]


def annotated_agent() -> Agent[Any]:
    model = ScriptedModel([[AssistantMessage(TEXT, annotations=ANNOTATIONS)]], repeat=True)
    return Agent(name="Searcher", model=model)


# ---- the mappings ----------------------------------------------------------------------------------------------


def test_each_annotation_is_a_source_as_the_ai_sdks_openai_provider_makes_it() -> None:
    chunks = sources([URL, FILE, CONTAINER, PATH, URL])
    ids = [c.pop("sourceId") for c in chunks]
    assert len(set(ids)) == 5  # one part per annotation, a URL cited twice too, each with its own id
    url = {"type": "source-url", "url": "https://example.com/w", "title": "Weather"}
    assert chunks == [
        url,
        {
            "type": "source-document", "mediaType": "text/plain", "title": "notes.txt", "filename": "notes.txt",
            "providerMetadata": {"openai": {"type": "file_citation", "fileId": "file_1", "index": 3}},
        },
        {
            "type": "source-document", "mediaType": "text/plain", "title": "out.csv", "filename": "out.csv",
            "providerMetadata": {
                "openai": {"type": "container_file_citation", "fileId": "file_2", "containerId": "cntr_1"}
            },
        },
        {
            "type": "source-document", "mediaType": "application/octet-stream", "title": "file_3",
            "filename": "file_3",
            "providerMetadata": {"openai": {"type": "file_path", "fileId": "file_3", "index": 20}},
        },
        url,
    ]


def test_annotations_a_source_cannot_be_made_of_are_skipped() -> None:
    untitled = {"type": "url_citation", "url": "https://example.com/u", "start_index": 0, "end_index": 1}
    nameless = {"type": "file_citation", "file_id": "file_9", "index": 0}
    odd = [{"type": "url_citation", "title": "no url"}, {"type": "file_citation"}, {"type": "future_citation"}]
    chunks = sources([untitled, nameless, *odd])
    assert [{k: v for k, v in c.items() if k != "sourceId"} for c in chunks] == [
        {"type": "source-url", "url": "https://example.com/u"},
        {
            "type": "source-document", "mediaType": "text/plain", "title": "file_9", "filename": "file_9",
            "providerMetadata": {"openai": {"type": "file_citation", "fileId": "file_9", "index": 0}},
        },
    ]


def test_ai_sdk_sources_come_with_the_message_before_its_text_end() -> None:
    whole = decoded(AiSdkMapping(served_run_id="r", trace_id=None).on_event(message_event()))
    assert [c["type"] for c in whole] == ["text-start", "text-delta", "source-url", "source-document", "text-end"]
    assert whole[2]["url"] == URL["url"] and whole[3]["filename"] == "notes.txt"

    mapping = AiSdkMapping(served_run_id="r", trace_id=None)
    delta = RawResponsesStreamEvent(SimpleNamespace(type="response.output_text.delta", delta="Sunny"))
    streamed = decoded(mapping.on_event(delta) + mapping.on_event(message_event()))
    assert [c["type"] for c in streamed] == ["text-start", "text-delta", "source-url", "source-document", "text-end"]

    plain = decoded(AiSdkMapping(served_run_id="r", trace_id=None).on_event(message_event(())))
    assert [c["type"] for c in plain] == ["text-start", "text-delta", "text-end"]


def test_ag_ui_annotations_are_the_message_ends_metadata_and_runs_json_carries_them() -> None:
    events = decoded(AgUiMapping("t", "r", served_run_id="s", trace_id=None).on_event(message_event()))
    assert [e["type"] for e in events] == ["TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_END"]
    assert events[-1]["metadata"] == {"annotations": [URL, FILE]}
    plain = decoded(AgUiMapping("t", "r", served_run_id="s", trace_id=None).on_event(message_event(())))
    assert "metadata" not in plain[-1]

    assert event_to_json(message_event()) == {
        "type": "message_output_created", "text": TEXT, "agent_name": "Searcher", "annotations": [URL, FILE],
    }
    assert "annotations" not in (event_to_json(message_event(())) or {})


# ---- the official clients ----------------------------------------------------------------------------------------


@pytest.fixture
def _node() -> None:
    require_node_clients()


@pytest.mark.usefixtures("_node")
def test_use_chats_message_holds_the_sources_and_sends_them_back_in_the_next_request() -> None:
    with LiveServer(create_app(annotated_agent)) as server:
        report = drive(
            "ai_sdk_driver.mjs",
            {"url": server.base_url + "/ai-sdk/chat", "chatId": "c", "turns": ["Weather?", "And tomorrow?"]},
        )
    first, second = report["turns"]
    assert first["error"] is None and second["error"] is None  # the follow-up carried the source parts: accepted
    parts = first["message"]["parts"]
    assert [p["type"] for p in parts] == ["step-start", "text", "source-url", "source-document"]
    assert (parts[2]["url"], parts[2]["title"]) == (URL["url"], URL["title"])
    assert (parts[3]["title"], parts[3]["filename"]) == ("notes.txt", "notes.txt")
    assert parts[3]["providerMetadata"] == {"openai": {"type": "file_citation", "fileId": "file_1", "index": 3}}
    assert [p["type"] for p in second["message"]["parts"]].count("source-url") == 1


@pytest.mark.usefixtures("_node")
def test_the_ag_ui_clients_message_holds_the_annotations_and_the_next_run_accepts_it_back() -> None:
    with LiveServer(create_app(annotated_agent)) as server:
        report = drive("ag_ui_driver.mjs", {"url": server.base_url + "/ag-ui", "threadId": "t", "turns": ["a", "b"]})
    assert [run["error"] for run in report["runs"]] == [None, None]
    answers = [m for m in report["messages"] if m["role"] == "assistant"]
    assert [(m["content"], m["metadata"]) for m in answers] == [(TEXT, {"annotations": [URL, FILE]})] * 2


@pytest.mark.usefixtures("_node")
def test_a_responses_models_citations_reach_use_chat_and_runs_watchers(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(["Sunny in ", "Paris today."], annotations=[URL, FILE])
    fake_openai.enqueue(["Rain tomorrow."])

    def agent() -> Agent[Any]:
        return Agent(name="Searcher", model=OpenAIResponsesModel("gpt-test", fake_openai.client()))

    with LiveServer(create_app(agent)) as server:
        turns = drive(
            "ai_sdk_driver.mjs",
            {"url": server.base_url + "/ai-sdk/chat", "chatId": "c", "turns": ["Weather?", "Tomorrow?"]},
        )["turns"]
        run_id = turns[0]["chunks"][0]["messageMetadata"]["agentsOtelRunId"]
        with httpx.Client() as client:
            events = list(watch(client, f"{server.base_url}/runs/{run_id}/events"))
    assert [t["error"] for t in turns] == [None, None]
    parts = [p for p in turns[0]["message"]["parts"] if p["type"].startswith("source-")]
    assert [(p["type"], p.get("url"), p["title"]) for p in parts] == [
        ("source-url", URL["url"], "Weather"),
        ("source-document", None, "notes.txt"),
    ]
    (created,) = [e for e in events if e["type"] == "message_output_created"]
    assert created["annotations"] == [URL, FILE]
    # The follow-up sent the message back; the model read its text (the source parts are UI state).
    sent = fake_openai.requests[1].body["input"]
    assert [item.get("role") for item in sent] == ["user", "assistant", "user"]
    assert sent[1] == {"role": "assistant", "content": TEXT}


def test_a_watcher_on_another_replica_gets_the_annotations_through_redis(tmp_path: Path) -> None:
    pytest.importorskip("redis")
    from redis_support import RedisServer

    agent = annotated_agent()
    with RedisServer(tmp_path) as redis_server:
        one, two = (create_app(agent, broker=redis_server.url) for _ in range(2))
        with LiveServer(one) as a, LiveServer(two) as b, httpx.Client() as client:
            started = client.post(f"{a.base_url}/runs", json={"input": "Weather?"})
            assert started.status_code == 201, started.text
            events = list(watch(client, f"{b.base_url}/runs/{started.json()['id']}/events"))
    (created,) = [e for e in events if e["type"] == "message_output_created"]
    assert (created["text"], created["annotations"]) == (TEXT, [URL, FILE])
