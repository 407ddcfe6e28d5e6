"""Nested handoff history as the OpenAI Agents SDK pins it down: ``RunConfig(nest_handoff_history=True,
handoff_history_mapper=...)``, ``handoff(..., nest_handoff_history=)``, and the public helpers
(``nest_handoff_history``, ``default_handoff_history_mapper``, the wrapper functions).

What the next agent reads (its first model request, recorded by ``ScriptedModel.calls``): the conversation so far
as assistant summary segments around the handing-off turn's messages, in the SDK's wording; what the run keeps
(``new_items``, the session: every item); the combinations that cannot work (an input filter, server-side state, a
mapper returning something no model could read), each a ``UserError``; the streamed run; the handoff span's
``agents_otel.handoff.history_nested``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from agents_otel import (
    Agent,
    AssistantMessage,
    FunctionCall,
    FunctionCallOutput,
    HandoffInputData,
    HandoffOutputItem,
    RunConfig,
    Runner,
    SQLiteSession,
    ToolCallOutputItem,
    UserError,
    UserMessage,
    default_handoff_history_mapper,
    function_tool,
    get_conversation_history_wrappers,
    handoff,
    handoff_filters,
    nest_handoff_history,
    reset_conversation_history_wrappers,
    set_conversation_history_wrappers,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call

PREAMBLE = "For context, here is the conversation so far between the user and the previous agent:"


def _summary(*records: str) -> str:
    numbered = [f"{n}. {record}" for n, record in enumerate(records, 1)]
    return "\n".join([PREAMBLE, "<CONVERSATION HISTORY>", *numbered, "</CONVERSATION HISTORY>"])


def _call(call_id: str, name: str) -> str:
    return json.dumps({"type": "function_call", "call_id": call_id, "name": name, "arguments": "{}"})


def _output(call_id: str, output: str) -> str:
    return json.dumps({"type": "function_call_output", "call_id": call_id, "output": output}, ensure_ascii=False)


HANDOFF_SUMMARY = _summary(_call("h", "transfer_to_b"), _output("h", '{"assistant": "B"}'))


@function_tool
def lookup() -> str:
    return "found"


def _pair(b_handoff: Any = None) -> tuple[Agent[Any], Agent[Any]]:
    """A looks something up, says a word and hands off to B, who answers."""
    b = Agent("B", model=ScriptedModel([[assistant_message("b done")]]))
    a = Agent(
        "A",
        model=ScriptedModel(
            [
                [function_call("lookup", {}, call_id="l")],
                [assistant_message("passing on"), function_call("transfer_to_b", {}, call_id="h")],
            ]
        ),
        tools=[lookup],
        handoffs=[b if b_handoff is None else b_handoff(b)],
    )
    return a, b


def _first_input(agent: Agent[Any]) -> list[Any]:
    return agent.model.calls[0].input  # type: ignore[union-attr,no-any-return]


NESTED = [
    AssistantMessage(_summary("user: hello", _call("l", "lookup"), _output("l", "found"))),
    AssistantMessage("passing on"),
    AssistantMessage(HANDOFF_SUMMARY),
]


@pytest.fixture(autouse=True)
def _default_wrappers() -> Iterator[None]:
    yield
    reset_conversation_history_wrappers()


async def test_off_by_default_the_next_agent_reads_the_raw_transcript() -> None:
    assert RunConfig().nest_handoff_history is False and RunConfig().handoff_history_mapper is None
    assert handoff(Agent("B")).nest_handoff_history is None
    a, b = _pair()
    await Runner.run(a, "hello")
    assert _first_input(b) == [
        UserMessage("hello"),
        FunctionCall("lookup", "{}", "l"),
        FunctionCallOutput("l", "found"),
        AssistantMessage("passing on"),
        FunctionCall("transfer_to_b", "{}", "h"),
        FunctionCallOutput("h", '{"assistant": "B"}'),
    ]


async def test_on_the_next_agent_reads_summary_segments_around_the_turns_messages() -> None:
    a, b = _pair()
    session = SQLiteSession("nest")
    result = await Runner.run(a, "hello", run_config=RunConfig(nest_handoff_history=True), session=session)
    assert result.final_output == "b done"
    assert _first_input(b) == NESTED
    # The run's own record and the session keep every item; only what the next agent reads is nested.
    assert any(isinstance(i, ToolCallOutputItem) for i in result.new_items)
    assert any(isinstance(i, HandoffOutputItem) for i in result.new_items)
    saved = await session.get_items()
    assert [i.get("type") for i in saved if "type" in i].count("function_call_output") == 2
    assert not any(PREAMBLE in json.dumps(i) for i in saved)
    # to_input_list(mode="normalized") is the conversation as the last agent answered from it (as after an input
    # filter); the default "preserve_all" is the run's input then every item the run made, as in the SDK.
    listed = result.to_input_list(mode="normalized")
    assert len(listed) == 4 and listed[0]["content"] == NESTED[0].content  # the SDK's plain-text summary message
    made = [i.to_input_item() for i in result.new_items]
    assert result.to_input_list() == [{"role": "user", "content": "hello"}, *made]
    assert result.input == [{"role": "user", "content": "hello"}]  # the SDK sets the nested history here


@pytest.mark.parametrize(("run_level", "per_handoff", "nested"), [(False, True, True), (True, False, False)])
async def test_a_handoff_overrides_the_run_setting(run_level: bool, per_handoff: bool, nested: bool) -> None:
    a, b = _pair(lambda b: handoff(b, nest_handoff_history=per_handoff))
    await Runner.run(a, "hello", run_config=RunConfig(nest_handoff_history=run_level))
    assert (_first_input(b) == NESTED) is nested
    assert len(_first_input(b)) == (3 if nested else 6)


async def test_summaries_do_not_nest_across_handoffs_or_runs() -> None:
    closer = Agent("Closer", model=ScriptedModel([[assistant_message("resolution")]]))
    delegate = Agent(
        "Delegate",
        model=ScriptedModel([[assistant_message("delegate update"), function_call("transfer_to_closer", {})]]),
        handoffs=[closer],
    )
    triage = Agent(
        "Triage",
        model=ScriptedModel([[assistant_message("triage summary"), function_call("transfer_to_delegate", {})]]),
        handoffs=[delegate],
    )
    config = RunConfig(nest_handoff_history=True)
    result = await Runner.run(triage, "user_question", run_config=config)
    seen = _first_input(closer)
    assert len(seen) == 3 and seen[1] == AssistantMessage("delegate update")
    first = seen[0].content
    assert first.count("<CONVERSATION HISTORY>") == 1
    assert "user: user_question" in first and "triage summary" in first and "transfer_to_delegate" in first
    assert "delegate update" not in first and "transfer_to_closer" in seen[2].content

    # A run continued from to_input_list() reads the earlier summaries back into their items: still one level.
    again = Agent("Again", model=ScriptedModel([[assistant_message("ok")]]))
    starter = Agent("Start", model=ScriptedModel([[function_call("transfer_to_again", {})]]), handoffs=[again])
    await Runner.run(starter, [*result.to_input_list(), {"role": "user", "content": "more"}], run_config=config)
    (only,) = _first_input(again)
    assert only.content.count(PREAMBLE) == 1 and only.content.count("<CONVERSATION HISTORY>") == 1
    assert "user: user_question" in only.content and "user: more" in only.content and "resolution" in only.content


async def test_a_mapper_gets_the_transcript_and_its_result_is_exactly_what_the_next_agent_reads() -> None:
    seen: list[list[dict[str, Any]]] = []

    def mapper(transcript: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen.append(transcript)
        return [{"role": "user", "content": f"{len(transcript)} items so far"}, *default_handoff_history_mapper([])]

    a, b = _pair()
    await Runner.run(a, "hello", run_config=RunConfig(nest_handoff_history=True, handoff_history_mapper=mapper))
    (transcript,) = seen
    assert [i.get("type") or i.get("role") for i in transcript] == [
        "user", "function_call", "function_call_output", "message", "function_call", "function_call_output",
    ]
    assert _first_input(b) == [
        UserMessage("6 items so far"),
        AssistantMessage(default_handoff_history_mapper([])[0]["content"]),
    ]


async def test_the_mapper_only_runs_when_nesting_is_on() -> None:
    def mapper(transcript: list[dict[str, Any]]) -> list[dict[str, Any]]:
        raise AssertionError("not nesting")

    a, b = _pair()
    await Runner.run(a, "hello", run_config=RunConfig(handoff_history_mapper=mapper))
    assert len(_first_input(b)) == 6


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        ("a summary", "must return a list of input items.*got str"),
        (None, "must return a list.*got NoneType"),
        ([{"role": "robot", "content": "x"}], "handoff_history_mapper returned an item no model could be given"),
        (["text"], "handoff_history_mapper returned an item"),
    ],
)
async def test_a_mapper_returning_something_else_is_a_user_error(returned: Any, message: str) -> None:
    a, b = _pair()
    config = RunConfig(nest_handoff_history=True, handoff_history_mapper=lambda transcript: returned)
    with pytest.raises(UserError, match=message):
        await Runner.run(a, "hello", run_config=config)
    assert b.model.calls == []  # type: ignore[union-attr]


def test_unusable_settings_are_user_errors_when_built() -> None:
    with pytest.raises(UserError, match="handoff_history_mapper must be a function"):
        RunConfig(handoff_history_mapper=42)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="nest_handoff_history must be a bool"):
        RunConfig(nest_handoff_history="yes")  # type: ignore[arg-type]
    with pytest.raises(UserError, match="nest_handoff_history must be True, False or None"):
        handoff(Agent("B"), nest_handoff_history="yes")  # type: ignore[arg-type]


async def test_an_input_filter_decides_and_cannot_be_combined_with_a_handoffs_own_nesting() -> None:
    def keep(data: HandoffInputData) -> HandoffInputData:
        return data

    # The SDK lets the filter win and never nests; here the contradiction is refused where it is written.
    with pytest.raises(UserError, match="both an input_filter and nest_handoff_history=True"):
        handoff(Agent("B"), input_filter=keep, nest_handoff_history=True)
    with pytest.raises(UserError, match="has no effect with a handoff_input_filter"):
        RunConfig(nest_handoff_history=True, handoff_input_filter=keep)
    a, b = _pair(lambda b: handoff(b, nest_handoff_history=True))
    with pytest.raises(UserError, match=r"an input filter \(RunConfig\.handoff_input_filter\) decides"):
        await Runner.run(a, "hello", run_config=RunConfig(handoff_input_filter=keep))
    assert b.model.calls == []  # type: ignore[union-attr]

    # The run nests, a handoff with a filter of its own: the filter decides, as in the SDK.
    calls: list[HandoffInputData] = []

    def spy(data: HandoffInputData) -> HandoffInputData:
        calls.append(data)
        return handoff_filters.remove_all_tools(data)

    a, b = _pair(lambda b: handoff(b, input_filter=spy))
    await Runner.run(a, "hello", run_config=RunConfig(nest_handoff_history=True))
    assert len(calls) == 1
    assert _first_input(b) == [UserMessage("hello"), AssistantMessage("passing on")]


async def test_nest_handoff_history_is_an_input_filter_too() -> None:
    for source in (nest_handoff_history, handoff_filters.nest_handoff_history):
        a, b = _pair(lambda b, f=source: handoff(b, input_filter=f))
        await Runner.run(a, "hello")
        assert _first_input(b) == NESTED


async def test_server_side_state_is_refused_before_the_run_starts_or_at_the_handoff() -> None:
    a, b = _pair()
    config = RunConfig(nest_handoff_history=True)
    with pytest.raises(UserError, match="nest_handoff_history=True cannot be combined with conversation_id"):
        await Runner.run(a, "hello", run_config=config, auto_previous_response_id=True)
    with pytest.raises(UserError, match="nest_handoff_history=True cannot be combined"):  # before the stream starts
        Runner.run_streamed(a, "hello", run_config=config, previous_response_id="resp_1")
    assert a.model.calls == []  # type: ignore[union-attr]
    # A handoff's own setting is known when it happens.
    a, b = _pair(lambda b: handoff(b, nest_handoff_history=True))
    with pytest.raises(UserError, match="Handoff to 'B' has nest_handoff_history=True, which cannot be combined"):
        await Runner.run(a, "hello", conversation_id="conv_1")
    assert b.model.calls == []  # type: ignore[union-attr]


async def test_streamed_run_nests_the_same_way() -> None:
    a, b = _pair()
    result = Runner.run_streamed(a, "hello", run_config=RunConfig(nest_handoff_history=True))
    names = [e.name async for e in result.stream_events() if e.type == "run_item_stream_event"]
    assert "handoff_occured" in names
    assert result.final_output == "b done"
    assert _first_input(b) == NESTED


async def test_the_handoff_span_says_the_history_was_nested(tracing: Any) -> None:
    a, _ = _pair()
    await Runner.run(a, "hello", run_config=tracing.config)
    (plain,) = tracing.named("handoff A -> B")
    assert "agents_otel.handoff.history_nested" not in (plain.attributes or {})
    a, _ = _pair()
    config = tracing.config
    config.nest_handoff_history = True
    await Runner.run(a, "hello", run_config=config)
    _, nested = tracing.named("handoff A -> B")
    assert (nested.attributes or {})["agents_otel.handoff.history_nested"] is True


async def test_the_wrappers_can_be_changed_and_reset() -> None:
    assert get_conversation_history_wrappers() == ("<CONVERSATION HISTORY>", "</CONVERSATION HISTORY>")
    set_conversation_history_wrappers(start="<HISTORY>")
    assert get_conversation_history_wrappers() == ("<HISTORY>", "</CONVERSATION HISTORY>")
    set_conversation_history_wrappers(end="</HISTORY>")
    (message,) = default_handoff_history_mapper([{"role": "user", "content": "hi"}])
    assert message == {"role": "assistant", "content": f"{PREAMBLE}\n<HISTORY>\n1. user: hi\n</HISTORY>"}
    # Summaries written with the current markers are read back on the next nesting.
    data = HandoffInputData(input_history=(message, {"role": "user", "content": "next"}), pre_handoff_items=(),
                            new_items=())
    (again,) = nest_handoff_history(data).input_history
    assert again["content"] == f"{PREAMBLE}\n<HISTORY>\n1. user: hi\n2. user: next\n</HISTORY>"
    reset_conversation_history_wrappers()
    assert get_conversation_history_wrappers() == ("<CONVERSATION HISTORY>", "</CONVERSATION HISTORY>")


def test_records_as_the_sdk_writes_them() -> None:
    (message,) = default_handoff_history_mapper(
        [
            {"role": "user", "content": "one line", "name": "ann"},
            {"role": "user", "content": "two\nlines"},
            {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}", "provider_data": {"x": 1}},
        ]
    )
    assert message["content"] == _summary(
        "user (ann): one line",
        json.dumps({"role": "user", "content": "two\nlines"}),
        _call("c", "f"),  # provider_data left out
    )
    assert default_handoff_history_mapper([])[0]["content"] == "\n".join(
        [PREAMBLE, "<CONVERSATION HISTORY>", "(no previous turns recorded)", "</CONVERSATION HISTORY>"]
    )


async def test_a_falsey_handoff_filter_still_takes_precedence_over_the_runs() -> None:
    class Falsey:
        calls = 0

        def __bool__(self) -> bool:
            return False

        def __call__(self, data: HandoffInputData) -> HandoffInputData:
            Falsey.calls += 1
            return data

    def run_filter(data: HandoffInputData) -> HandoffInputData:
        raise AssertionError("the handoff's own filter decides")

    a, b = _pair(lambda b: handoff(b, input_filter=Falsey()))
    await Runner.run(a, "hello", run_config=RunConfig(handoff_input_filter=run_filter))
    assert Falsey.calls == 1 and len(_first_input(b)) == 6
