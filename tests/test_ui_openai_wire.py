"""Real wire at both ends: the official AG-UI client (Node) talks to ``/ag-ui``, whose agent talks to the local
OpenAI-compatible server through the official ``openai`` client (Chat Completions, streamed). The model's
streamed text arrives as AG-UI text deltas, its tool call as the AG-UI tool call with live progress, and the
history the client sends back on the next run reaches the model as the chat messages it expects.
"""

from __future__ import annotations

from typing import Any

import pytest
from fake_openai.server import FakeOpenAIServer
from fake_openai.wire import split_text
from server_support import LiveServer
from ui_protocol_support import count, drive, require_node_clients

from agents_otel import Agent
from agents_otel.models.openai_chatcompletions import OpenAIChatCompletionsModel
from agents_otel.models.openai_responses import OpenAIResponsesModel
from agents_otel.server import create_app


@pytest.fixture(autouse=True)
def _node() -> None:
    require_node_clients()


def test_an_openai_model_behind_ag_ui_over_two_runs(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(["Let me ", "count."], tool_calls=[("count", {"n": 2}, "call_count")])
    fake_openai.enqueue(["Counted ", "to two."])
    fake_openai.enqueue(["Still ", "two."])

    def agent() -> Agent[Any]:  # a client per run: each run's HTTP client lives in the server's loop
        return Agent(
            name="Counter",
            tools=[count],
            model=OpenAIChatCompletionsModel("gpt-test", openai_client=fake_openai.client()),
        )

    with LiveServer(create_app(agent)) as server:
        report = drive(
            "ag_ui_driver.mjs",
            {"url": server.base_url + "/ag-ui", "threadId": "t", "turns": ["Count to two", "Again?"]},
        )
    first, second = report["runs"]
    assert first["error"] is None and second["error"] is None
    deltas = [e["delta"] for e in first["events"] if e["type"] == "TEXT_MESSAGE_CONTENT"]
    assert deltas == ["Let me ", "count.", "Counted ", "to two."]
    progress = [e["value"] for e in first["events"] if e["type"] == "CUSTOM"]
    assert [(p["toolCallId"], p["sequence"]) for p in progress] == [("call_count", 1), ("call_count", 2)]
    assert first["events"][-1]["result"] == "Counted to two."
    # The call streamed as the model wrote it: its arguments in the wire's pieces (5 characters), announced once.
    call = [e for e in first["events"] if e.get("toolCallId") == "call_count"]
    kinds = [e["type"] for e in call]
    assert kinds == ["TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_ARGS", "TOOL_CALL_END", "TOOL_CALL_RESULT"]
    assert [e["delta"] for e in call if e["type"] == "TOOL_CALL_ARGS"] == ['{"n":', ' 2}']

    # The second run's request carried the first run's conversation, as Chat Completions messages.
    messages = fake_openai.requests[2].body["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "tool", "assistant", "user"]
    assert messages[1]["tool_calls"][0]["id"] == "call_count" and messages[2]["content"] == "counted to 2"
    assert messages[3]["content"] == "Counted to two." and messages[4]["content"] == "Again?"


def test_an_openai_responses_model_behind_the_ai_sdk_streams_a_calls_input(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(["Let me ", "count."], tool_calls=[("count", {"n": 2}, "call_count")], args_chunk_size=3)
    fake_openai.enqueue(["Counted."])

    def agent() -> Agent[Any]:
        return Agent(name="Counter", tools=[count], model=OpenAIResponsesModel("gpt-test", fake_openai.client()))

    with LiveServer(create_app(agent)) as server:
        report = drive("ai_sdk_driver.mjs", {"url": server.base_url + "/ai-sdk/chat", "chatId": "c", "turns": ["go"]})
    (turn,) = report["turns"]
    assert turn["error"] is None
    kinds = [c["type"] for c in turn["chunks"] if c.get("toolCallId") == "call_count"]
    assert kinds == [
        "tool-input-start",
        "tool-input-delta",
        "tool-input-delta",
        "tool-input-delta",
        "tool-input-available",
        "tool-output-available",
    ]
    deltas = [c["inputTextDelta"] for c in turn["chunks"] if c["type"] == "tool-input-delta"]
    assert deltas == ['{"n', '": ', "2}"]
    (part,) = [p for p in turn["message"]["parts"] if p["type"] == "tool-count"]
    assert (part["input"], part["output"]) == ({"n": 2}, "counted to 2")


def test_an_openai_responses_models_reasoning_summary_streams_to_ag_ui_as_written(
    fake_openai: FakeOpenAIServer,
) -> None:
    summary = "The user greets me, so I answer briefly and kindly."
    fake_openai.enqueue(["Hello ", "there."], reasoning=summary)

    def agent() -> Agent[Any]:
        return Agent(name="Thinker", model=OpenAIResponsesModel("gpt-test", fake_openai.client()))

    with LiveServer(create_app(agent)) as server:
        report = drive("ag_ui_driver.mjs", {"url": server.base_url + "/ag-ui", "threadId": "t", "turns": ["hi"]})
    (run,) = report["runs"]
    assert run["error"] is None
    reasoning = [e for e in run["events"] if e["type"].startswith("REASONING")]
    # The wire's word-sized deltas, each as it came; sent once (not again when the reasoning item is created).
    assert [e["delta"] for e in reasoning if e["type"] == "REASONING_MESSAGE_CONTENT"] == split_text(summary)
    assert [e["type"] for e in reasoning].count("REASONING_START") == 1
    assert [e["type"] for e in reasoning][-2:] == ["REASONING_MESSAGE_END", "REASONING_END"]
    messages = [(m["role"], m.get("content")) for m in report["messages"] if m["role"] != "user"]
    assert messages == [("reasoning", summary), ("assistant", "Hello there.")]
