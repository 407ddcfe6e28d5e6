"""Compatibility: four ``RunConfig`` settings of the OpenAI Agents SDK.

- ``tool_execution=ToolExecutionConfig(max_function_tool_concurrency=N)`` (or a dict of its fields): at most N of
  a turn's function tool calls run at once, the rest start in the model's order as running ones end; results stay
  in call order, a fatal tool error still cancels the siblings (queued ones never start), cancelling the run still
  ends it. The tools below block on ``asyncio.Event``s, so the limit is observed without timing.
  ``pre_approval_tool_input_guardrails`` must be a bool (its behaviour: test_sdk_tool_guardrails_pre_approval.py).
- ``tool_name_collision_policy``: a handoff named like a function tool (or another handoff). ``"warn"`` (default)
  logs and offers only the handoff, which a call of that name runs; ``"error"`` is a ``UserError`` before the model
  is called; another value is a ``ValueError``, as the SDK's ``__post_init__`` raises.
- ``reasoning_item_id_policy``: ``"omit"`` sends reasoning items back without their ``id`` (checked on the real
  wire, the fake OpenAI server recording each request body), also in ``to_input_list()`` and the session;
  ``"preserve"`` / ``None`` keep it.
- ``SessionSettings`` (``agents_otel.SessionSettings``, ``agents_otel.sessions.SessionSettings``): a session's
  ``session_settings.limit`` and ``RunConfig(session_settings=...)``, which overrides it field by field: the run
  reads ``get_items(limit=...)``, and a cut history loses the tool outputs whose calls were cut off.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import pytest
from fake_openai.server import FakeOpenAIServer
from support import Tracing

from agents_otel import (
    Agent,
    FunctionCallOutput,
    OpenAIResponsesModel,
    RawInputItem,
    ReasoningItem,
    ReasoningItemIdPolicy,
    RunConfig,
    Runner,
    SessionSettings,
    SQLiteSession,
    ToolExecutionConfig,
    ToolNameCollisionPolicy,
    UserError,
    function_tool,
    handoff,
)
from agents_otel import sessions as sessions_module
from agents_otel.testing import ScriptedModel, assistant_message, function_call

# --------------------------------------------------------------------------- max_function_tool_concurrency


class Gates:
    """A ``work(n)`` tool whose call ``n`` says when it starts and waits for ``release(n)``."""

    def __init__(self, calls: int, fail: int | None = None) -> None:
        self.started: list[int] = []
        self.finished: list[int] = []
        self.cancelled: list[int] = []
        self.entered = [asyncio.Event() for _ in range(calls)]
        self.gates = [asyncio.Event() for _ in range(calls)]
        self.running = 0
        self.peak = 0
        gates = self

        @function_tool(failure_error_function=None)
        async def work(n: int) -> str:
            """Do part n."""
            gates.started.append(n)
            gates.running += 1
            gates.peak = max(gates.peak, gates.running)
            gates.entered[n].set()
            try:
                await gates.gates[n].wait()
            except asyncio.CancelledError:
                gates.cancelled.append(n)
                raise
            finally:
                gates.running -= 1
            if n == fail:
                raise RuntimeError(f"part {n} broke")
            gates.finished.append(n)
            return f"done {n}"

        self.tool = work

    def release(self, *ns: int) -> None:
        for n in ns:
            self.gates[n].set()


def fan_out(gates: Gates, calls: int, **agent: Any) -> Agent[Any]:
    turn = [function_call("work", {"n": n}, call_id=f"c{n}") for n in range(calls)]
    model = ScriptedModel([turn, [assistant_message("all done")]])
    return Agent("Worker", tools=[gates.tool], model=model, **agent)


def sent_outputs(agent: Agent[Any]) -> list[tuple[str, str]]:
    return [(i.call_id, i.output) for i in agent.model.calls[-1].input if isinstance(i, FunctionCallOutput)]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "tool_execution", [ToolExecutionConfig(max_function_tool_concurrency=2), {"max_function_tool_concurrency": 2}]
)
async def test_at_most_n_calls_run_at_once_and_results_keep_the_call_order(
    tool_execution: Any, tracing: Tracing
) -> None:
    gates = Gates(4)
    agent = fan_out(gates, 4)
    config = dataclasses.replace(tracing.config, tool_execution=tool_execution)
    assert config.tool_execution == ToolExecutionConfig(max_function_tool_concurrency=2)  # a dict is taken
    run = asyncio.create_task(Runner.run(agent, "go", run_config=config))
    await gates.entered[1].wait()
    assert gates.started == [0, 1]  # calls 2 and 3 wait for a slot (the unlimited control below starts them)
    assert tracing.named("execute_tool") == []  # a queued call has no span yet
    gates.release(1)  # the second call ends first: the third call takes its slot
    await gates.entered[2].wait()
    assert gates.started == [0, 1, 2] and gates.finished == [1]
    gates.release(2)
    await gates.entered[3].wait()
    assert gates.started == [0, 1, 2, 3]
    gates.release(3, 0)
    result = await run
    assert result.final_output == "all done"
    assert gates.peak == 2 and gates.finished == [1, 2, 3, 0]
    assert sent_outputs(agent) == [(f"c{n}", f"done {n}") for n in range(4)]  # the model's order, not the finishing
    assert len(tracing.named("execute_tool")) == 4


@pytest.mark.parametrize("config", [RunConfig(), RunConfig(tool_execution=ToolExecutionConfig())])
async def test_without_a_limit_every_call_starts_at_once(config: RunConfig) -> None:
    gates = Gates(4)
    agent = fan_out(gates, 4)
    run = asyncio.create_task(Runner.run(agent, "go", run_config=config))
    await gates.entered[1].wait()
    assert gates.started == [0, 1, 2, 3]  # the control: the observation point above does see every started call
    gates.release(0, 1, 2, 3)
    await run
    assert gates.peak == 4


async def test_a_fatal_tool_error_cancels_the_running_calls_and_queued_ones_never_start(tracing: Tracing) -> None:
    gates = Gates(4, fail=1)
    agent = fan_out(gates, 4)
    config = dataclasses.replace(tracing.config, tool_execution=ToolExecutionConfig(max_function_tool_concurrency=2))
    run = asyncio.create_task(Runner.run(agent, "go", run_config=config))
    await gates.entered[1].wait()
    gates.release(1)  # call 1 raises with failure_error_function=None: the run fails
    with pytest.raises(UserError, match="part 1 broke"):
        await run
    assert gates.started == [0, 1] and gates.cancelled == [0] and gates.running == 0
    spans = tracing.named("execute_tool")
    assert sorted(dict(s.attributes or {})["gen_ai.tool.call.id"] for s in spans) == ["c0", "c1"]


async def test_cancelling_the_run_ends_the_running_calls_and_starts_no_queued_one() -> None:
    gates = Gates(3)
    agent = fan_out(gates, 3)
    config = RunConfig(tool_execution=ToolExecutionConfig(max_function_tool_concurrency=1))
    result = Runner.run_streamed(agent, "go", run_config=config)

    async def read() -> list[Any]:
        return [event async for event in result.stream_events()]

    reader = asyncio.create_task(read())
    await gates.entered[0].wait()
    result.cancel()
    events = await reader
    assert gates.started == [0] and gates.cancelled == [0] and gates.running == 0
    outputs = [e for e in events if getattr(e, "name", None) == "tool_output"]
    assert [e.item.call_id for e in outputs] == ["c0"]  # the cancelled call ends; the queued ones never began


async def test_approved_calls_run_under_the_limit_too() -> None:
    gates = Gates(3)
    agent = fan_out(gates, 3)
    gated = dataclasses.replace(gates.tool, needs_approval=True)
    agent.tools = [gated]
    config = RunConfig(tool_execution={"max_function_tool_concurrency": 1})  # type: ignore[arg-type]
    first = await Runner.run(agent, "go", run_config=config)
    state = first.to_state()
    for item in first.interruptions:
        state.approve(item)
    run = asyncio.create_task(Runner.run(agent, state, run_config=config))
    await gates.entered[0].wait()
    assert gates.started == [0]
    gates.release(0, 1, 2)
    result = await run
    assert result.final_output == "all done" and gates.peak == 1
    assert sent_outputs(agent) == [(f"c{n}", f"done {n}") for n in range(3)]


def test_tool_execution_is_checked_when_made() -> None:
    for bad in (0, -1):
        with pytest.raises(ValueError, match="at least 1"):
            ToolExecutionConfig(max_function_tool_concurrency=bad)
    with pytest.raises(UserError, match="must be an int"):
        ToolExecutionConfig(max_function_tool_concurrency="2")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="must be a bool"):
        ToolExecutionConfig(pre_approval_tool_input_guardrails="yes")  # type: ignore[arg-type]
    made = RunConfig(tool_execution={"pre_approval_tool_input_guardrails": True})  # type: ignore[arg-type]
    assert made.tool_execution == ToolExecutionConfig(pre_approval_tool_input_guardrails=True)
    with pytest.raises(UserError, match=r"tool_execution: .*unexpected keyword"):
        RunConfig(tool_execution={"max_concurrency": 2})  # type: ignore[arg-type]
    with pytest.raises(UserError, match="ToolExecutionConfig or a dict"):
        RunConfig(tool_execution=2)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- tool_name_collision_policy


@function_tool(name_override="transfer_to_billing")
def billing_tool() -> str:
    """A function tool named like the handoff."""
    return "the function tool ran"


def colliding_agent() -> tuple[Agent[Any], Agent[Any]]:
    billing = Agent("Billing", model=ScriptedModel([[assistant_message("billing here")]]))
    model = ScriptedModel([[function_call("transfer_to_billing", {}, call_id="h1")]])
    return Agent("Triage", model=model, tools=[billing_tool], handoffs=[billing]), billing


async def test_warn_logs_and_offers_only_the_handoff_which_the_call_runs(caplog: pytest.LogCaptureFixture) -> None:
    triage, billing = colliding_agent()
    with caplog.at_level(logging.WARNING, logger="agents_otel.handoffs"):
        result = await Runner.run(triage, "my bill", run_config=RunConfig(tool_name_collision_policy="warn"))
    assert result.final_output == "billing here" and result.last_agent is billing
    offered = [spec.name for spec in triage.model.calls[0].tools]  # type: ignore[union-attr]
    assert offered == ["transfer_to_billing"]  # once: the handoff's
    assert [r.getMessage() for r in caplog.records] == [
        "Handoff to 'Billing' is named 'transfer_to_billing' like a function tool: only the last handoff of that "
        "name is offered (rename one)"
    ]


async def test_warn_is_the_default_and_the_last_of_two_handoffs_wins(caplog: pytest.LogCaptureFixture) -> None:
    first = Agent("Billing", model=ScriptedModel([]))
    second = Agent("billing", model=ScriptedModel([[assistant_message("second here")]]))
    model = ScriptedModel([[function_call("transfer_to_billing", {}, call_id="h1")]])
    triage = Agent("Triage", model=model, handoffs=[first, second])
    with caplog.at_level(logging.WARNING, logger="agents_otel.handoffs"):
        result = await Runner.run(triage, "my bill")
    assert result.last_agent is second
    assert "like the handoff to 'Billing'" in caplog.text


async def test_error_fails_before_the_model_is_called() -> None:
    triage, _ = colliding_agent()
    with pytest.raises(UserError, match="tool_name_override"):
        await Runner.run(triage, "my bill", run_config=RunConfig(tool_name_collision_policy="error"))
    assert triage.model.calls == []  # type: ignore[union-attr]


def test_an_unknown_collision_policy_is_a_value_error() -> None:
    policy: ToolNameCollisionPolicy = "error"
    assert RunConfig(tool_name_collision_policy=policy).tool_name_collision_policy == "error"
    assert RunConfig().tool_name_collision_policy == "warn"
    with pytest.raises(ValueError, match="tool_name_collision_policy must be either 'warn' or 'error'"):
        RunConfig(tool_name_collision_policy="erorr")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- reasoning_item_id_policy


@function_tool
def lookup(city: str) -> str:
    """Look a city up."""
    return f"sunny in {city}"


async def reasoning_run(
    fake_openai: FakeOpenAIServer, policy: ReasoningItemIdPolicy | None, **run: Any
) -> tuple[list[dict[str, Any]], Any]:
    fake_openai.enqueue(reasoning="Check the weather.", tool_calls=[("lookup", {"city": "Paris"}, "call_p")])
    fake_openai.enqueue(text="Sunny.")
    async with fake_openai.client() as client:
        agent = Agent("Weather", tools=[lookup], model=OpenAIResponsesModel("gpt-test", openai_client=client))
        result = await Runner.run(agent, "Weather?", run_config=RunConfig(reasoning_item_id_policy=policy), **run)
    sent = fake_openai.requests[-1].body["input"]
    return [i for i in sent if i.get("type") == "reasoning"], result


@pytest.mark.parametrize("policy", ["preserve", None])
async def test_preserve_and_none_send_the_reasoning_id_back(fake_openai: FakeOpenAIServer, policy: Any) -> None:
    (reasoning,), result = await reasoning_run(fake_openai, policy)
    assert reasoning["id"].startswith("rs_") and reasoning["summary"][0]["text"] == "Check the weather."
    assert [i.get("id") for i in result.to_input_list() if i.get("type") == "reasoning"] == [reasoning["id"]]


async def test_omit_sends_reasoning_back_without_its_id(fake_openai: FakeOpenAIServer) -> None:
    session = SQLiteSession("omit")
    (reasoning,), result = await reasoning_run(fake_openai, "omit", session=session)
    assert "id" not in reasoning and reasoning["summary"] == [{"type": "summary_text", "text": "Check the weather."}]
    (item,) = [i for i in result.new_items if isinstance(i, ReasoningItem)]
    assert item.data["id"].startswith("rs_")  # the run item keeps what the model said
    assert [i for i in result.to_input_list() if i.get("type") == "reasoning"] == [reasoning]
    assert [i for i in await session.get_items() if i.get("type") == "reasoning"] == [reasoning]


async def test_omit_also_strips_ids_the_session_stored_before(fake_openai: FakeOpenAIServer) -> None:
    session = SQLiteSession("older")
    stored = {"id": "rs_old", "type": "reasoning", "summary": [{"type": "summary_text", "text": "Earlier."}]}
    await session.add_items([{"role": "user", "content": "Hi"}, stored])
    hello = {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hello"}]}
    await session.add_items([hello])
    fake_openai.enqueue(text="Sure.")
    async with fake_openai.client() as client:
        agent = Agent("A", model=OpenAIResponsesModel("gpt-test", openai_client=client))
        await Runner.run(agent, "Again", session=session, run_config=RunConfig(reasoning_item_id_policy="omit"))
    (sent,) = [i for i in fake_openai.requests[-1].body["input"] if i.get("type") == "reasoning"]
    assert sent == {"type": "reasoning", "summary": [{"type": "summary_text", "text": "Earlier."}]}


async def test_a_handoff_filter_keeps_the_ids_out() -> None:
    data = {"id": "rs_1", "type": "reasoning", "summary": []}
    target = Agent("B", model=ScriptedModel([[assistant_message("b")]]))
    model = ScriptedModel([[RawInputItem(dict(data)), function_call("transfer_to_b", {}, call_id="h")]])
    agent = Agent("A", model=model, handoffs=[handoff(target, input_filter=lambda d: d)])
    await Runner.run(agent, "go", run_config=RunConfig(reasoning_item_id_policy="omit"))
    seen = [i.data for i in target.model.calls[0].input if isinstance(i, RawInputItem)]  # type: ignore[union-attr]
    assert seen == [{"type": "reasoning", "summary": []}]


def test_an_unknown_reasoning_policy_is_a_user_error() -> None:
    with pytest.raises(UserError, match="reasoning_item_id_policy"):
        RunConfig(reasoning_item_id_policy="drop")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- SessionSettings


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


class RecordingSession(SQLiteSession):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits: list[int | None] = []

    async def get_items(self, limit: int | None = None) -> list[dict[str, Any]]:
        self.limits.append(limit)
        return await super().get_items(limit)


async def test_the_sessions_limit_is_what_a_run_reads() -> None:
    assert SessionSettings is sessions_module.SessionSettings
    session = RecordingSession("s", session_settings=SessionSettings(limit=2))
    await session.add_items([user("one"), user("two"), user("three")])
    assert [i["content"] for i in await session.get_items()] == ["two", "three"]
    assert len(await session.get_items(limit=3)) == 3  # an explicit limit wins
    model = ScriptedModel([[assistant_message("ok")]])
    await Runner.run(Agent("A", model=model), "four", session=session)
    assert session.limits[-1] == 2
    assert [i.content for i in model.calls[0].input] == ["two", "three", "four"]  # type: ignore[union-attr]


async def test_run_config_session_settings_override_the_sessions_own() -> None:
    session = RecordingSession("s", session_settings={"limit": 3})
    assert session.session_settings == SessionSettings(limit=3)
    await session.add_items([user("one"), user("two"), user("three")])
    model = ScriptedModel([[assistant_message("ok")], [assistant_message("ok")]])
    agent = Agent("A", model=model)
    await Runner.run(agent, "four", session=session, run_config=RunConfig(session_settings=SessionSettings(limit=1)))
    assert [i.content for i in model.calls[0].input] == ["three", "four"]  # type: ignore[union-attr]
    await Runner.run(agent, "five", session=session, run_config=RunConfig(session_settings={"limit": None}))  # type: ignore[arg-type]
    assert session.limits[-1] == 3  # None sets nothing: the session's own limit stays
    assert SessionSettings(limit=3).resolve(SessionSettings()) == SessionSettings(limit=3)
    assert SessionSettings(limit=3).resolve({"limit": 0}).to_dict() == {"limit": 0}


async def test_without_settings_the_run_reads_the_whole_history_as_before() -> None:
    session = RecordingSession("s")
    await session.add_items([user("one")])
    await Runner.run(Agent("A", model=ScriptedModel([[assistant_message("ok")]])), "two", session=session)
    assert session.limits == [None]


async def test_a_cut_history_loses_outputs_whose_calls_were_cut_off() -> None:
    session = SQLiteSession("tools")
    await session.add_items(
        [
            user("weather?"),
            {"type": "function_call", "call_id": "c1", "name": "lookup", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": "sunny"},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Sunny."}]},
        ]
    )
    model = ScriptedModel([[assistant_message("ok")]])
    config = RunConfig(session_settings={"limit": 2})  # type: ignore[arg-type]
    await Runner.run(Agent("A", model=model), "thanks", session=session, run_config=config)
    sent = [type(i).__name__ for i in model.calls[0].input]
    assert sent == ["AssistantMessage", "UserMessage"]  # the output of the cut-off call is left out


async def test_a_plain_session_without_the_attribute_still_works() -> None:
    class Plain:
        session_id = "plain"

        def __init__(self) -> None:
            self.items: list[dict[str, Any]] = [user("one"), user("two")]
            self.limits: list[int | None] = []

        async def get_items(self, limit: int | None = None) -> list[dict[str, Any]]:
            self.limits.append(limit)
            return self.items if limit is None else self.items[-limit:]

        async def add_items(self, items: list[dict[str, Any]]) -> None:
            self.items.extend(items)

        async def pop_item(self) -> dict[str, Any] | None:
            return self.items.pop() if self.items else None

        async def clear_session(self) -> None:
            self.items.clear()

    plain = Plain()
    model = ScriptedModel([[assistant_message("ok")]])
    config = RunConfig(session_settings=SessionSettings(limit=1))
    await Runner.run(Agent("A", model=model), "three", session=plain, run_config=config)
    assert plain.limits == [1]


def test_session_settings_are_checked() -> None:
    for bad in (-1, "3", True):
        with pytest.raises(UserError, match="limit must be a non-negative int"):
            SessionSettings(limit=bad)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="unknown SessionSettings field"):
        RunConfig(session_settings={"limt": 2})  # type: ignore[arg-type]
    with pytest.raises(UserError, match="SessionSettings or a dict"):
        SQLiteSession("s", session_settings=5)  # type: ignore[arg-type]


async def test_a_resumed_run_goes_on_with_the_policy_it_stopped_with() -> None:
    @function_tool(needs_approval=True)
    def pay() -> str:
        """Pay the bill."""
        return "paid"

    def reasoning(n: int) -> RawInputItem:
        return RawInputItem({"id": f"rs_{n}", "type": "reasoning", "summary": []})

    model = ScriptedModel(
        [
            [reasoning(1), function_call("pay", {}, call_id="p1")],
            [reasoning(2), function_call("lookup", {"city": "Oslo"}, call_id="l1")],
            [assistant_message("done")],
        ]
    )
    agent = Agent("A", tools=[pay, lookup], model=model)
    first = await Runner.run(agent, "go", run_config=RunConfig(reasoning_item_id_policy="omit"))
    state = first.to_state()
    state.approve(first.interruptions[0])
    result = await Runner.run(agent, state)  # no RunConfig: the stopped run's "omit" goes on
    assert result.final_output == "done"
    sent = [i.data for i in model.calls[-1].input if isinstance(i, RawInputItem)]
    assert sent == [{"type": "reasoning", "summary": []}] * 2
