"""Compatibility: the OpenAI Agents SDK's small public names, each doing what it does there or refusing loudly.

* ``AgentBase`` is ``Agent``'s base with the SDK's base fields in the SDK's order (``name``, ``handoff_description``,
  ``tools``, ``mcp_servers``, ``mcp_config``) and its tool methods; ``TContext`` is the context type variable.
* ``InputItem`` is the run item of admitted input (``type == "input_item"``, a unique ``input_id``).
* ``ToolNotFoundBehavior`` is the type of ``RunConfig.tool_not_found_behavior``.
* ``run_demo_loop`` chats on stdin/stdout, streamed or not, keeping the conversation (the SDK's ``test_repl.py``).
* ``gen_span_id`` makes ``span_`` + 24 hex; ``set_trace_provider`` is refused (a typed error naming what to use);
  ``set_tracing_export_api_key`` sets the opt-in exporter's key, with a warning while it is not registered.
* The websocket transport names are importable and refuse when used (``UserError``); ``"http"`` is accepted.
* The agent registration harness id reaches the run's trace metadata (``agent_harness_id``), from the default or
  ``OPENAI_AGENT_HARNESS_ID``, unless ``trace_metadata`` has the key (the SDK's docs/config.md).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from support import Tracing

import agents_otel
from agents_otel import (
    Agent,
    AgentBase,
    InputItem,
    OpenAIAgentRegistrationConfig,
    OpenAIResponsesWebSocketOptions,
    OpenAIResponsesWSModel,
    ResponsesWebSocketSession,
    RunConfig,
    RunContextWrapper,
    Runner,
    TContext,
    ToolNotFoundBehavior,
    TracingConfigurationError,
    UserError,
    function_tool,
    gen_span_id,
    responses_websocket_session,
    run_demo_loop,
    set_default_openai_agent_registration,
    set_default_openai_harness,
    set_default_openai_responses_transport,
    set_trace_provider,
    set_tracing_export_api_key,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call

# ---- AgentBase, TContext, InputItem, ToolNotFoundBehavior ---------------------------------------------------------


def test_agent_base_is_agents_base_with_the_sdks_fields_in_order() -> None:
    assert issubclass(Agent, AgentBase)
    assert [f.name for f in dataclasses.fields(AgentBase)] == [
        "name", "handoff_description", "tools", "mcp_servers", "mcp_config",
    ]
    assert [f.name for f in dataclasses.fields(Agent)][:6] == [
        "name", "handoff_description", "tools", "mcp_servers", "mcp_config", "instructions",
    ]
    agent = Agent("Support", "Answers billing questions")  # positionally, as in the SDK
    assert agent.handoff_description == "Answers billing questions" and agent.instructions is None


async def test_agent_base_offers_the_tool_methods() -> None:
    @function_tool
    def ping() -> str:
        """Answer pong."""
        return "pong"

    agent: AgentBase[Any] = Agent(name="a", tools=[ping])
    assert [t.name for t in await agent.get_all_tools(RunContextWrapper(None))] == ["ping"]
    assert await agent.get_mcp_tools(RunContextWrapper(None)) == []


def test_tcontext_is_the_context_type_variable() -> None:
    assert isinstance(TContext, typing.TypeVar)

    def instructions(ctx: RunContextWrapper[TContext], agent: Agent[TContext]) -> str:
        return "be brief"

    assert Agent(name="a", instructions=instructions).instructions is instructions


def test_input_item_is_the_admitted_input_run_item() -> None:
    agent = Agent(name="a")
    item = InputItem(agent=agent, raw_item={"role": "user", "content": "hi"})
    assert item.agent is agent and item.type == "input_item"
    assert item.raw_item == {"role": "user", "content": "hi"} == item.to_input_item()
    assert re.fullmatch(r"[0-9a-f]{32}", item.input_id)
    assert InputItem(agent, {"role": "user", "content": "x"}).input_id != item.input_id
    assert InputItem(agent=agent, raw_item={"role": "user", "content": "hi"}, input_id="fixed").input_id == "fixed"
    with pytest.raises(UserError):
        InputItem(agent=agent, raw_item="hi")  # type: ignore[arg-type]


async def test_tool_not_found_behavior_types_the_run_config_setting() -> None:
    assert typing.get_args(ToolNotFoundBehavior) == ("raise_error", "return_error_to_model")
    behavior: ToolNotFoundBehavior = "return_error_to_model"
    model = ScriptedModel([[function_call("missing", {})], [assistant_message("recovered")]], check_calls=False)
    result = await Runner.run(
        Agent(name="a", model=model), "go", run_config=RunConfig(tool_not_found_behavior=behavior)
    )
    assert result.final_output == "recovered"


# ---- run_demo_loop -------------------------------------------------------------------------------------------------


def feed(monkeypatch: pytest.MonkeyPatch, *lines: str) -> None:
    pending: Iterator[str] = iter(lines)

    def fake_input(prompt: str = " > ") -> str:
        try:
            return next(pending)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("builtins.input", fake_input)


async def test_run_demo_loop_keeps_the_conversation(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    model = ScriptedModel([[assistant_message("hello")], [assistant_message("good")]])
    feed(monkeypatch, "Hi", "", "How are you?", "quit", "never read")
    await run_demo_loop(Agent(name="test", model=model), stream=False)
    output = capsys.readouterr().out
    assert "hello" in output and "good" in output
    second = model.calls[-1].input  # type: ignore[attr-defined]
    assert [(getattr(i, "type", None), getattr(i, "content", None)) for i in second] == [
        ("user_message", "Hi"), ("assistant_message", "hello"), ("user_message", "How are you?"),
    ]


async def test_run_demo_loop_streams_tools_handoffs_and_text(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    @function_tool
    def foo() -> str:
        """A tool."""
        return "tool_result"

    target = Agent(name="target", model=ScriptedModel([[assistant_message("all done")]]))
    model = ScriptedModel([[function_call("foo", {})], [function_call("transfer_to_target", {})]])
    feed(monkeypatch, "Hello", "exit")
    await run_demo_loop(Agent(name="test", model=model, tools=[foo], handoffs=[target]), stream=True)
    output = capsys.readouterr().out
    assert "[tool called]" in output and "[tool output: tool_result]" in output
    assert "[Agent updated: target]" in output and "all done" in output


async def test_run_demo_loop_ends_on_end_of_input(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    feed(monkeypatch)
    await run_demo_loop(Agent(name="test", model=ScriptedModel([])), stream=False)
    assert capsys.readouterr().out == "\n"


# ---- tracing provider names ----------------------------------------------------------------------------------------


def test_gen_span_id_has_the_sdks_form() -> None:
    ids = {gen_span_id() for _ in range(3)}
    assert len(ids) == 3 and all(re.fullmatch(r"span_[0-9a-f]{24}", i) for i in ids)
    assert agents_otel.tracing.gen_span_id is gen_span_id


def test_set_trace_provider_is_refused_with_what_to_use() -> None:
    class MyTraceProvider:
        pass

    with pytest.raises(TracingConfigurationError, match=r"configure_tracing.*add_trace_processor") as caught:
        set_trace_provider(MyTraceProvider())
    assert isinstance(caught.value, UserError) and "MyTraceProvider" in str(caught.value)
    assert agents_otel.tracing.set_trace_provider is set_trace_provider


def test_set_tracing_export_api_key_warns_that_nothing_is_uploaded_unless_registered(caplog: Any) -> None:
    # Its effect on default_exporter(): tests/compat/test_sdk_trace_exporters.py.
    with caplog.at_level(logging.WARNING, logger="agents_otel.tracing"):
        set_tracing_export_api_key("sk-tracing")
    (record,) = [r for r in caplog.records if "set_tracing_export_api_key" in r.getMessage()]
    assert "add_trace_processor(default_processor())" in record.getMessage()
    assert "configure_tracing" in record.getMessage()
    with pytest.raises(UserError):
        set_tracing_export_api_key(None)  # type: ignore[arg-type]


# ---- the websocket transport's names (its behaviour: tests/compat/test_sdk_responses_websocket.py) ----------------


def test_websocket_names_import() -> None:
    options: OpenAIResponsesWebSocketOptions = {"ping_interval": 10.0}
    assert options == {"ping_interval": 10.0}
    assert callable(responses_websocket_session) and callable(set_default_openai_responses_transport)
    assert OpenAIResponsesWSModel.__name__ == "OpenAIResponsesWSModel"
    assert ResponsesWebSocketSession.__name__ == "ResponsesWebSocketSession"


# ---- agent registration: the harness id in the run's trace metadata ----------------------------------------------

HARNESS = "agents_otel.workflow.metadata.agent_harness_id"


@pytest.fixture
def registration(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("OPENAI_AGENT_HARNESS_ID", raising=False)
    yield
    set_default_openai_agent_registration(None)


def workflow_attributes(tracing: Tracing, **config: Any) -> dict[str, Any] | None:
    agent = Agent(name="a", model=ScriptedModel([[assistant_message("hi")]]))
    Runner.run_sync(agent, "x", run_config=RunConfig(tracer_provider=tracing.provider, **config))
    spans = tracing.named("invoke_workflow")
    return dict(spans[0].attributes or {}) if spans else None


@pytest.mark.usefixtures("registration")
def test_harness_id_reaches_the_trace_metadata(tracing: Tracing, monkeypatch: pytest.MonkeyPatch) -> None:
    assert workflow_attributes(tracing) is None  # nothing configured: no workflow span, as before
    set_default_openai_harness("  harness-1 ")
    assert workflow_attributes(tracing)[HARNESS] == "harness-1"  # type: ignore[index]
    tracing.exporter.clear()
    kept = workflow_attributes(tracing, trace_metadata={"agent_harness_id": "mine", "k": "v"})
    assert kept is not None and kept[HARNESS] == "mine" and kept["agents_otel.workflow.metadata.k"] == "v"
    tracing.exporter.clear()
    set_default_openai_harness(None)
    monkeypatch.setenv("OPENAI_AGENT_HARNESS_ID", "from-env")
    assert workflow_attributes(tracing)[HARNESS] == "from-env"  # type: ignore[index]
    tracing.exporter.clear()
    set_default_openai_agent_registration({"harness_id": "from-dict"})
    assert workflow_attributes(tracing)[HARNESS] == "from-dict"  # type: ignore[index]
    tracing.exporter.clear()
    set_default_openai_agent_registration(OpenAIAgentRegistrationConfig(harness_id="from-config"))
    assert workflow_attributes(tracing)[HARNESS] == "from-config"  # type: ignore[index]


@pytest.mark.usefixtures("registration")
def test_a_malformed_registration_is_refused() -> None:
    with pytest.raises(UserError, match="unknown keys"):
        set_default_openai_agent_registration({"harness": "x"})
    with pytest.raises(UserError, match="harness_id must be a str"):
        set_default_openai_agent_registration(OpenAIAgentRegistrationConfig(harness_id=3))  # type: ignore[arg-type]
    with pytest.raises(UserError):
        set_default_openai_agent_registration("harness")  # type: ignore[arg-type]
