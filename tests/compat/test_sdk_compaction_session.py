"""Compatibility: ``OpenAIResponsesCompactionSession`` and ``CompactionItem``, the OpenAI Agents SDK's Responses
compaction.

Over the real wire: the official ``openai`` client (the shared strict ``client`` fixture) against the fake server's
``POST /v1/responses/compact``. What the SDK's tests pin down, each asserted here: which models it takes, which
items count towards the default threshold (10, user messages and compaction items excluded), the decision hook
and ``force``, the three ``compaction_mode``s (``auto`` follows ``store`` and remembers an unstored response), the
history replaced by the compacted output (orphaned assistant ids dropped, image/file parts normalised), a failed
replacement (or a cancelled one) restoring the previous history, the run calling ``run_compaction`` after a turn
with the response id, deferring past turns with tool outputs and forcing later, the compaction's tokens in the
run's usage, and a ``compaction`` output item of a model becoming a ``CompactionItem`` that is not streamed.

Ours, asserted too: the call is a ``compact {model}`` CLIENT span under the run's ``invoke_agent`` span, without
content; an API error is a typed ``ModelError`` that is also the openai exception, and the history stays whole.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from opentelemetry.trace import SpanKind, StatusCode
from support import Tracing, wire_model

from agents_otel import (
    Agent,
    CompactionItem,
    ModelHTTPError,
    ModelSettings,
    OpenAIConversationsSession,
    OpenAIResponsesCompactionArgs,
    OpenAIResponsesCompactionAwareSession,
    OpenAIResponsesCompactionSession,
    RunItemStreamEvent,
    Runner,
    RunState,
    SQLiteSession,
    UserError,
    function_tool,
    is_openai_responses_compaction_aware_session,
)
from agents_otel.items import RawInputItem
from agents_otel.openai_responses_compaction_session import (
    DEFAULT_COMPACTION_THRESHOLD,
    CompactionError,
    is_openai_model_name,
    select_compaction_candidate_items,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call

Item = dict[str, Any]


def assistant(text: str, **extra: Any) -> Item:
    return {"type": "message", "role": "assistant", "content": text, **extra}


def user(text: str) -> Item:
    return {"role": "user", "content": text}


async def store_with(items: list[Item]) -> SQLiteSession:
    store = SQLiteSession("store")
    await store.add_items(items)
    return store


def compact_requests(server: FakeOpenAIServer) -> list[dict[str, Any]]:
    return [r.body for r in server.requests_to("/responses/compact")]


@function_tool
def do_thing() -> str:
    """Does the thing."""
    return "done"


# ---- construction, candidates, model names ----------------------------------------------------------------


def test_openai_model_names() -> None:
    for name in ("gpt-4.1", "gpt-4o-mini", " gpt-5 ", "o1", "o3-mini", "o4-mini", "ft:gpt-4.1:org:proj:suffix"):
        assert is_openai_model_name(name), name
    for name in ("", "  ", "claude-3", "omni", "o", "ft:claude:x", "llama-3"):
        assert not is_openai_model_name(name), name


def test_candidates_exclude_user_messages_and_compaction_items() -> None:
    items = [
        user("easy form"),
        {"type": "message", "role": "user", "content": "typed form"},
        assistant("kept"),
        {"type": "compaction", "encrypted_content": "x"},
        {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"},
    ]
    assert select_compaction_candidate_items(items) == [items[2], items[4]]


async def test_construction_checks_model_store_and_mode() -> None:
    store = SQLiteSession("s")
    with pytest.raises(CompactionError, match="Unsupported model"):
        OpenAIResponsesCompactionSession("s", store, model="claude-3")
    with pytest.raises(ValueError):  # the SDK's error type still catches it
        OpenAIResponsesCompactionSession("s", store, model="not-openai")
    with pytest.raises(UserError, match="OpenAIConversationsSession"):
        OpenAIResponsesCompactionSession("s", OpenAIConversationsSession(conversation_id="conv_1"))
    with pytest.raises(UserError, match="compaction_mode"):
        OpenAIResponsesCompactionSession("s", store, compaction_mode="sometimes")  # type: ignore[arg-type]
    session = OpenAIResponsesCompactionSession("s", store, model="o3-mini")
    assert session.model == "o3-mini" and session.compaction_mode == "auto"


async def test_session_methods_delegate_to_the_store() -> None:
    store = SQLiteSession("s")
    session = OpenAIResponsesCompactionSession("s", store)
    await session.add_items([user("a"), assistant("b")])
    assert await store.get_items() == [user("a"), assistant("b")]
    assert await session.get_items(limit=1) == [assistant("b")]
    assert await session.pop_item() == assistant("b")
    await session.clear_session()
    assert await store.get_items() == []


def test_compaction_aware_type_guard() -> None:
    session = OpenAIResponsesCompactionSession("s", SQLiteSession("s"))
    assert is_openai_responses_compaction_aware_session(session) is True
    assert isinstance(session, OpenAIResponsesCompactionAwareSession)
    assert is_openai_responses_compaction_aware_session(SQLiteSession("s")) is False
    assert is_openai_responses_compaction_aware_session(None) is False

    class Raising(SQLiteSession):
        @property
        def run_compaction(self) -> Any:
            raise RuntimeError("no")

    assert is_openai_responses_compaction_aware_session(Raising("s")) is False


# ---- run_compaction: modes, decision, force (over the wire) -----------------------------------------------


async def test_previous_response_id_mode_needs_a_response_id(client: openai.AsyncOpenAI) -> None:
    session = OpenAIResponsesCompactionSession(
        "s", SQLiteSession("s"), client=client, compaction_mode="previous_response_id"
    )
    with pytest.raises(CompactionError, match="previous_response_id"):
        await session.run_compaction()


async def test_decision_hook_declines_and_must_return_a_bool(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    class FalseyHook:  # a hook object that is itself falsy: still the hook, as in the SDK
        calls = 0

        def __bool__(self) -> bool:
            return False

        def __call__(self, context: dict[str, Any]) -> bool:
            FalseyHook.calls += 1
            return False

    store = await store_with([assistant(f"m{i}") for i in range(DEFAULT_COMPACTION_THRESHOLD)])
    session = OpenAIResponsesCompactionSession(
        "s", store, client=client, compaction_mode="input", should_trigger_compaction=FalseyHook()
    )
    await session.run_compaction()
    assert FalseyHook.calls == 1 and compact_requests(fake_openai) == []

    wrong = OpenAIResponsesCompactionSession("s", store, client=client, should_trigger_compaction=lambda ctx: "yes")
    with pytest.raises(UserError, match="must return a bool, got str"):
        await wrong.run_compaction()


async def test_input_mode_sends_the_stored_items(fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI) -> None:
    history = [user("hello"), assistant("world")]
    store = await store_with(history)
    session = OpenAIResponsesCompactionSession("s", store, client=client, compaction_mode="input")
    await session.run_compaction({"force": True, "response_id": "resp_ignored"})
    (body,) = compact_requests(fake_openai)
    assert body == {"model": "gpt-6-luna", "input": history}
    stored = await store.get_items()
    assert [item["type"] for item in stored] == ["compaction"]
    assert stored[0]["id"].startswith("cmp_") and stored[0]["encrypted_content"]
    assert "created_by" not in stored[0]  # output-only: never sent back


async def test_auto_mode_follows_store_and_remembers_an_unstored_response(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    store = await store_with([user("hello"), assistant("world")])
    session = OpenAIResponsesCompactionSession("s", store, client=client)
    await session.run_compaction({"force": True})  # no response id: input
    await session.run_compaction({"response_id": "resp-unstored", "store": False, "force": True})
    await session.run_compaction({"force": True})  # still that unstored response: input again
    await session.run_compaction({"response_id": "resp-stored", "force": True})  # a new one, store unset: its id
    await session.run_compaction({"response_id": "resp-stored", "store": True, "force": True})
    bodies = compact_requests(fake_openai)
    assert ["previous_response_id" in b for b in bodies] == [False, False, False, True, True]
    assert bodies[3] == {"model": "gpt-6-luna", "previous_response_id": "resp-stored"}
    assert bodies[0]["input"] == [user("hello"), assistant("world")]
    assert [item["type"] for item in bodies[2]["input"]] == ["compaction"]  # what the previous call stored
    assert session._resolve_mode("resp-x", None, "input") == "input"  # a per-call mode wins over the session's


async def test_threshold_decides_and_force_bypasses_it(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    below = [user("q")] + [assistant(f"m{i}") for i in range(DEFAULT_COMPACTION_THRESHOLD - 1)]
    store = await store_with(below)
    session = OpenAIResponsesCompactionSession("s", store, client=client)
    await session.run_compaction({"response_id": "resp-1"})
    assert compact_requests(fake_openai) == []
    await session.add_items([assistant("tenth")])  # the cached count follows add_items
    await session.run_compaction({"response_id": "resp-2"})
    assert compact_requests(fake_openai) == [{"model": "gpt-6-luna", "previous_response_id": "resp-2"}]
    assert [item["type"] for item in await store.get_items()] == ["compaction"]
    empty = OpenAIResponsesCompactionSession("e", SQLiteSession("e"), client=client)
    await empty.run_compaction({"response_id": "resp-3", "force": True})
    assert len(compact_requests(fake_openai)) == 2


async def test_the_hook_gets_the_decision_context(client: openai.AsyncOpenAI) -> None:
    seen: list[dict[str, Any]] = []
    store = await store_with([user("q"), assistant("a")])
    session = OpenAIResponsesCompactionSession(
        "s", store, client=client, should_trigger_compaction=lambda ctx: seen.append(ctx) or False
    )
    await session.run_compaction({"response_id": "resp-9", "store": True})
    assert seen == [
        {
            "response_id": "resp-9",
            "compaction_mode": "previous_response_id",
            "compaction_candidate_items": [assistant("a")],
            "session_items": [user("q"), assistant("a")],
        }
    ]


# ---- compacted output normalised before it is stored ------------------------------------------------------


class FakeClient:
    """A client whose ``responses.compact`` answers ``output`` (for shapes the fake server's strict client
    would refuse), recording its calls."""

    def __init__(self, output: list[Any]) -> None:
        self.calls: list[dict[str, Any]] = []
        outer = self

        class Responses:
            async def compact(self, **kwargs: Any) -> Any:
                outer.calls.append(kwargs)
                return type("Compacted", (), {"output": output, "usage": None, "id": "resp_c"})()

        self.responses = Responses()


async def test_orphaned_assistant_ids_are_dropped_unless_reasoning_is_kept() -> None:
    store = SQLiteSession("s")
    session = OpenAIResponsesCompactionSession("s", store, client=FakeClient([assistant("x", id="msg_1")]))  # type: ignore[arg-type]
    await session.run_compaction({"force": True})
    assert await store.get_items() == [assistant("x")]

    kept = [{"type": "reasoning", "id": "rs_1", "summary": []}, assistant("x", id="msg_1")]
    session = OpenAIResponsesCompactionSession("s", store, client=FakeClient(kept))  # type: ignore[arg-type]
    await session.run_compaction({"force": True})
    assert await store.get_items() == kept


async def test_user_image_and_file_parts_are_normalised() -> None:
    message = {
        "type": "message",
        "role": "user",
        "content": [
            {"type": "input_text", "text": "look"},
            {"type": "input_image", "image_url": "https://x/i.png", "file_id": "file_1", "detail": "low", "x": 1},
            {"type": "input_file", "file_id": "file_2", "filename": "a.pdf", "file_url": None},
        ],
    }
    store = SQLiteSession("s")
    session = OpenAIResponsesCompactionSession("s", store, client=FakeClient([message]))  # type: ignore[arg-type]
    await session.run_compaction({"force": True})
    (stored,) = await store.get_items()
    assert stored["content"] == [
        {"type": "input_text", "text": "look"},
        {"type": "input_image", "image_url": "https://x/i.png", "detail": "low"},
        {"type": "input_file", "file_id": "file_2", "filename": "a.pdf"},
    ]


async def test_output_that_cannot_be_sent_back_keeps_the_history() -> None:
    history = [user("hello"), assistant("world")]
    store = await store_with(history)
    bad = {"type": "message", "role": "user", "content": [{"type": "input_image", "detail": "auto"}]}
    session = OpenAIResponsesCompactionSession("s", store, client=FakeClient([bad]), compaction_mode="input")  # type: ignore[arg-type]
    with pytest.raises(CompactionError, match="input_image part has none of image_url, file_id"):
        await session.run_compaction({"force": True})
    assert await store.get_items() == history


async def test_real_shaped_output_over_a_non_strict_client(fake_openai: FakeOpenAIServer) -> None:
    """The API keeps the user messages as ``message`` items with ``input_text`` parts, which only a non-strict
    client (the default) accepts: they are stored as input items the next request can send."""
    fake_openai.compaction_keeps_user_messages = True
    async with fake_openai.client(_strict_response_validation=False) as lenient:
        store = await store_with([user("hello"), assistant("world")])
        session = OpenAIResponsesCompactionSession("s", store, client=lenient, compaction_mode="input")
        await session.run_compaction({"force": True})
    stored = await store.get_items()
    assert [(i["type"], i.get("role")) for i in stored] == [("message", "user"), ("compaction", None)]
    assert stored[0]["content"] == [{"type": "input_text", "text": "hello"}]


# ---- a failed replacement restores the history ------------------------------------------------------------


class FailingStore(SQLiteSession):
    def __init__(self, fail: str, error: BaseException) -> None:
        super().__init__("store")
        self.fail, self.error, self.add_calls, self.clear_calls = fail, error, 0, 0

    async def add_items(self, items: list[Item]) -> None:
        self.add_calls += 1
        if self.fail == "add" and self.add_calls == 2:  # the first add is the test's own history
            await super().add_items(items[:1])
            raise self.error
        await super().add_items(items)

    async def clear_session(self) -> None:
        self.clear_calls += 1
        if self.fail == "clear" and self.clear_calls == 1:
            raise self.error
        await super().clear_session()


@pytest.mark.parametrize("error", [RuntimeError("replacement failed"), asyncio.CancelledError()])
async def test_a_failed_or_cancelled_replacement_restores_the_history(
    client: openai.AsyncOpenAI, error: BaseException
) -> None:
    history = [user("original"), {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"}]
    store = FailingStore("add", error)
    await store.add_items(history)
    session = OpenAIResponsesCompactionSession("s", store, client=client, compaction_mode="input")
    with pytest.raises(type(error)):
        await session.run_compaction({"force": True})
    assert await store.get_items() == history
    assert store.clear_calls == 2  # the replacement's clear, the restore's clear


class BlockingStore(SQLiteSession):
    """Its replacement ``add_items`` waits until cancelled; its restore ``add_items`` waits for ``release``."""

    def __init__(self) -> None:
        super().__init__("store")
        self.adds = 0
        self.replacing, self.restoring, self.release = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def add_items(self, items: list[Item]) -> None:
        self.adds += 1
        if self.adds == 2:
            self.replacing.set()
            await asyncio.Event().wait()  # until cancelled
        if self.adds == 3:
            self.restoring.set()
            await self.release.wait()
        await super().add_items(items)


async def test_a_task_cancelled_during_the_replacement_and_again_during_the_restore_keeps_the_history(
    client: openai.AsyncOpenAI,
) -> None:
    history = [user("original"), assistant("a")]
    store = BlockingStore()
    await store.add_items(history)
    session = OpenAIResponsesCompactionSession("s", store, client=client, compaction_mode="input")
    task = asyncio.ensure_future(session.run_compaction({"force": True}))
    await store.replacing.wait()
    task.cancel()
    await store.restoring.wait()
    task.cancel()  # a second cancellation while the history is being put back
    task.cancel()
    store.release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await store.get_items() == history


async def test_a_clear_that_failed_before_changing_anything_is_not_undone(client: openai.AsyncOpenAI) -> None:
    history = [user("original"), assistant("a")]
    store = FailingStore("clear", RuntimeError("clear failed"))
    await store.add_items(history)
    session = OpenAIResponsesCompactionSession("s", store, client=client, compaction_mode="input")
    with pytest.raises(RuntimeError, match="clear failed"):
        await session.run_compaction({"force": True})
    assert await store.get_items() == history
    assert store.add_calls == 1  # nothing added back: nothing was lost


async def test_an_api_error_keeps_the_history_and_is_typed(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    history = [user("hello"), assistant("world")]
    store = await store_with(history)
    session = OpenAIResponsesCompactionSession("s", store, client=client, compaction_mode="input")
    fake_openai.fail_next_compaction(400, "Compaction is not available for this model")
    with pytest.raises(openai.BadRequestError) as caught:  # what SDK code catches
        await session.run_compaction({"force": True})
    assert isinstance(caught.value, ModelHTTPError) and caught.value.status_code == 400
    assert await store.get_items() == history


# ---- in a run ---------------------------------------------------------------------------------------------


async def test_the_run_compacts_after_a_turn_with_usage_and_a_span(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="Hi Ada.", usage=(10, 5))
    session = OpenAIResponsesCompactionSession(
        "conv-7", SQLiteSession("conv-7"), client=client, should_trigger_compaction=lambda ctx: True
    )
    agent = Agent(name="assistant", model=wire_model("responses", client))
    result = await Runner.run(agent, "I am Ada, my secret is 1234", session=session, run_config=tracing.config)

    (response_request,) = [r for r in fake_openai.requests_to("/responses")]
    response_id = result.raw_responses[0].response_id
    assert compact_requests(fake_openai) == [{"model": "gpt-6-luna", "previous_response_id": response_id}]
    usage = result.context_wrapper.usage
    assert (usage.requests, usage.input_tokens, usage.output_tokens) == (2, 10 + 120, 5 + 30)
    assert [item["type"] for item in await session.get_items()] == ["compaction"]

    (span,) = tracing.named("compact")
    (agent_span,) = tracing.named("invoke_agent")
    assert span.name == "compact gpt-6-luna" and span.kind is SpanKind.CLIENT
    assert span.parent is not None and span.parent.span_id == agent_span.context.span_id
    attrs = dict(span.attributes or {})
    assert attrs["gen_ai.operation.name"] == "compact"
    assert attrs["gen_ai.provider.name"] == "openai"
    assert attrs["gen_ai.request.model"] == "gpt-6-luna"
    assert attrs["server.address"] == "127.0.0.1" and attrs["server.port"] == fake_openai.port
    assert attrs["gen_ai.conversation.id"] == "conv-7"
    assert attrs["gen_ai.response.id"].startswith("resp_")
    assert (attrs["gen_ai.usage.input_tokens"], attrs["gen_ai.usage.output_tokens"]) == (120, 30)
    assert attrs["agents_otel.compaction.mode"] == "previous_response_id"
    assert attrs["agents_otel.request.previous_response_id"] == response_id
    assert (attrs["agents_otel.compaction.input_items"], attrs["agents_otel.compaction.output_items"]) == (2, 1)
    assert attrs["agents_otel.compaction.forced"] is False
    assert not any("1234" in str(value) for value in attrs.values())  # no content, never
    assert response_request.body["input"][0]["content"] == "I am Ada, my secret is 1234"


async def test_a_run_with_store_false_compacts_with_the_items(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(text="ok")
    session = OpenAIResponsesCompactionSession(
        "s", SQLiteSession("s"), client=client, should_trigger_compaction=lambda ctx: True
    )
    agent = Agent(name="a", model=wire_model("responses", client), model_settings=ModelSettings(store=False))
    await Runner.run(agent, "hello", session=session)
    (body,) = compact_requests(fake_openai)
    assert "previous_response_id" not in body
    assert [i.get("role") for i in body["input"]] == ["user", "assistant"]


async def test_a_compact_error_fails_the_run_and_keeps_the_turn(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="Hi.")
    fake_openai.fail_next_compaction(400, "bad compaction")
    store = SQLiteSession("s")
    session = OpenAIResponsesCompactionSession("s", store, client=client, should_trigger_compaction=lambda ctx: True)
    agent = Agent(name="a", model=wire_model("responses", client))
    with pytest.raises(ModelHTTPError) as caught:
        await Runner.run(agent, "hello", session=session, run_config=tracing.config)
    assert isinstance(caught.value, openai.BadRequestError)
    assert [item.get("role") for item in await store.get_items()] == ["user", "assistant"]
    (span,) = tracing.named("compact")
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == "400"


async def test_turns_with_tool_outputs_defer_and_a_later_turn_forces(client: openai.AsyncOpenAI) -> None:
    decisions: list[str] = []

    def due_after_tool_output(context: dict[str, Any]) -> bool:
        decisions.append(context["compaction_mode"])
        return any(item.get("type") == "function_call_output" for item in context["session_items"])

    fake = FakeClient([{"type": "compaction", "encrypted_content": "enc"}])
    session = OpenAIResponsesCompactionSession(
        "s", SQLiteSession("s"), client=fake, compaction_mode="input",  # type: ignore[arg-type]
        should_trigger_compaction=due_after_tool_output,
    )
    model = ScriptedModel([[function_call("do_thing", {})], [assistant_message("ok")]])
    agent = Agent(name="a", model=model, tools=[do_thing], tool_use_behavior="stop_on_first_tool")
    await Runner.run(agent, "hello", session=session)
    assert fake.calls == [] and decisions == ["input"]  # asked (to defer), not compacted
    assert session._get_deferred_compaction_response_id() == "scripted-1"
    await Runner.run(agent, "followup", session=session)
    assert len(fake.calls) == 1 and session._get_deferred_compaction_response_id() is None


async def test_a_deferred_compaction_survives_more_tool_turns_and_runs_once(client: openai.AsyncOpenAI) -> None:
    asked = 0

    def only_first(context: dict[str, Any]) -> bool:
        nonlocal asked
        asked += 1
        return asked == 1

    fake = FakeClient([{"type": "compaction", "encrypted_content": "enc"}])
    session = OpenAIResponsesCompactionSession(
        "s", SQLiteSession("s"), client=fake, should_trigger_compaction=only_first  # type: ignore[arg-type]
    )
    calls = [[function_call("do_thing", {})], [function_call("do_thing", {})], [assistant_message("ok")]]
    agent = Agent(name="a", model=ScriptedModel(calls), tools=[do_thing], tool_use_behavior="stop_on_first_tool")
    for text in ("hello", "again", "final"):
        await Runner.run(agent, text, session=session)
    assert len(fake.calls) == 1


async def test_a_tool_turn_then_an_answer_in_one_run_compacts_once_at_the_end() -> None:
    fake = FakeClient([{"type": "compaction", "encrypted_content": "enc"}])
    session = OpenAIResponsesCompactionSession(
        "s", SQLiteSession("s"), client=fake, should_trigger_compaction=lambda ctx: True  # type: ignore[arg-type]
    )
    model = ScriptedModel([[function_call("do_thing", {})], [assistant_message("done")]])
    await Runner.run(Agent(name="a", model=model, tools=[do_thing]), "go", session=session)
    assert fake.calls == [{"model": "gpt-6-luna", "previous_response_id": "scripted-2"}]


async def test_a_session_of_the_applications_own_is_asked_with_the_sdk_arguments() -> None:
    class Plain(SQLiteSession):
        def __init__(self) -> None:
            super().__init__("own")
            self.asked: list[Any] = []

        async def run_compaction(self, args: OpenAIResponsesCompactionArgs | None = None) -> None:
            self.asked.append(args)

    class WithWrapper(Plain):
        async def run_compaction(  # type: ignore[override]
            self, args: OpenAIResponsesCompactionArgs | None = None, *, wrapper: Any = None
        ) -> None:
            self.asked.append((args, wrapper))

    for session in (Plain(), WithWrapper()):
        model = ScriptedModel([[assistant_message("ok")]])
        agent = Agent(name="a", model=model, model_settings=ModelSettings(store=True))
        result = await Runner.run(agent, "hi", session=session)
        expected = {"response_id": "scripted-1", "force": False, "store": True}
        assert session.asked == ([expected] if type(session) is Plain else [(expected, result.context_wrapper)])


async def test_a_model_without_response_ids_never_compacts() -> None:
    class NoIds(ScriptedModel):
        async def get_response(self, request: Any) -> Any:
            response = await super().get_response(request)
            response.response_id = None
            return response

    fake = FakeClient([])
    session = OpenAIResponsesCompactionSession(
        "s", SQLiteSession("s"), client=fake, should_trigger_compaction=lambda ctx: True  # type: ignore[arg-type]
    )
    await Runner.run(Agent(name="a", model=NoIds([[assistant_message("ok")]])), "hi", session=session)
    assert fake.calls == []


# ---- CompactionItem: a model's own compaction output --------------------------------------------------------

COMPACTION_OUTPUT = {"type": "compaction", "id": "cmp_1", "encrypted_content": "enc", "created_by": "server"}


async def test_a_compaction_output_item_is_a_run_item_not_streamed(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(text="first", hosted_calls=[COMPACTION_OUTPUT])
    fake_openai.enqueue(text="second")
    agent = Agent(name="a", model=wire_model("responses", client))
    streamed = Runner.run_streamed(agent, "hello")
    events = [e async for e in streamed.stream_events()]
    (item,) = [i for i in streamed.new_items if isinstance(i, CompactionItem)]
    sent_back = {"type": "compaction", "id": "cmp_1", "encrypted_content": "enc"}
    assert item.type == "compaction_item" and item.agent is agent
    assert item.raw_item == sent_back and item.to_input_item() == sent_back
    assert not any(isinstance(e, RunItemStreamEvent) and isinstance(e.item, CompactionItem) for e in events)
    assert sent_back in streamed.to_input_list()

    await Runner.run(agent, [*streamed.to_input_list(), user("next")])
    assert sent_back in fake_openai.requests_to("/responses")[-1].body["input"]


async def test_a_compaction_item_survives_a_run_state_round_trip() -> None:
    @function_tool(needs_approval=True)
    def guarded() -> str:
        """Needs a person."""
        return "ok"

    steps = [[RawInputItem(dict(COMPACTION_OUTPUT)), function_call("guarded", {})], [assistant_message("done")]]
    agent = Agent(name="a", model=ScriptedModel(steps), tools=[guarded])
    result = await Runner.run(agent, "go")
    state = await RunState.from_json(agent, json.loads(json.dumps(result.to_state().to_json())))
    state.approve(state.get_interruptions()[0])
    resumed = await Runner.run(agent, state)
    (item,) = [i for i in resumed.new_items if isinstance(i, CompactionItem)]
    assert item.raw_item == {"type": "compaction", "id": "cmp_1", "encrypted_content": "enc"}
    assert item.agent is agent and resumed.final_output == "done"


async def test_chat_completions_refuses_a_compaction_item(client: openai.AsyncOpenAI) -> None:
    agent = Agent(name="a", model=wire_model("chat", client))
    with pytest.raises(UserError, match="'compaction' input item"):
        await Runner.run(agent, [user("hi"), {"type": "compaction", "encrypted_content": "enc"}])


async def test_run_compaction_rejects_args_that_are_not_a_dict() -> None:
    session = OpenAIResponsesCompactionSession("s", SQLiteSession("s"), client=FakeClient([]))  # type: ignore[arg-type]
    with pytest.raises(UserError, match="OpenAIResponsesCompactionArgs dict, got list"):
        await session.run_compaction([("force", True)])  # type: ignore[arg-type]
