"""A session's ``wrapper=`` keyword, as the OpenAI Agents SDK pins it down: a store whose four history methods all
take ``wrapper`` gets the run's ``RunContextWrapper`` (the object ``result.context_wrapper`` is) on every call a run
makes, so it can keep one history per tenant or user; a store written without the keyword is called as before; one
that takes it on some methods only, or takes ``**kwargs``, gets none; ``EncryptedSession`` takes it and forwards it
to a store that takes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pytest
from cryptography.fernet import Fernet

from agents_otel import (
    Agent,
    GuardrailFunctionOutput,
    InputGuardrailTripwireTriggered,
    RunConfig,
    RunContextWrapper,
    Runner,
    SessionSettings,
    SQLiteSession,
    UserMessage,
    function_tool,
    input_guardrail,
)
from agents_otel.extensions.memory import EncryptedSession
from agents_otel.testing import ScriptedModel, assistant_message, function_call

Item = dict[str, Any]


@dataclass
class Tenant:
    tenant_id: str


class TenantSession:
    """A store that keeps one history per tenant, read from the run's context."""

    def __init__(self) -> None:
        self.session_id = "tenants"
        self.session_settings = None
        self.scopes: dict[str, list[Item]] = {"default": []}
        self.calls: list[tuple[str, RunContextWrapper[Any] | None]] = []

    def _items(self, wrapper: RunContextWrapper[Any] | None) -> list[Item]:
        scope = "default" if wrapper is None else cast(Tenant, wrapper.context).tenant_id
        return self.scopes.setdefault(scope, [])

    async def get_items(self, limit: int | None = None, *, wrapper: RunContextWrapper[Any] | None = None) -> list[Item]:
        self.calls.append(("get_items", wrapper))
        items = self._items(wrapper)
        return list(items if limit is None else items[-limit:])

    async def add_items(self, items: list[Item], *, wrapper: RunContextWrapper[Any] | None = None) -> None:
        self.calls.append(("add_items", wrapper))
        self._items(wrapper).extend(items)

    async def pop_item(self, *, wrapper: RunContextWrapper[Any] | None = None) -> Item | None:
        self.calls.append(("pop_item", wrapper))
        items = self._items(wrapper)
        return items.pop() if items else None

    async def clear_session(self, *, wrapper: RunContextWrapper[Any] | None = None) -> None:
        self.calls.append(("clear_session", wrapper))
        self._items(wrapper).clear()


class PlainSession:
    """A store written before the keyword existed (``get_items`` without even ``limit``)."""

    def __init__(self) -> None:
        self.session_id = "plain"
        self.items: list[Item] = []
        self.reads = 0

    async def get_items(self) -> list[Item]:
        self.reads += 1
        return list(self.items)

    async def add_items(self, items: list[Item]) -> None:
        self.items.extend(items)

    async def pop_item(self) -> Item | None:
        return self.items.pop() if self.items else None

    async def clear_session(self) -> None:
        self.items.clear()


@function_tool
def lookup(key: str) -> str:
    return f"value of {key}"


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_run_gives_a_session_that_takes_it_its_own_context_wrapper(streamed: bool) -> None:
    session = TenantSession()
    session.scopes["acme"] = [{"role": "user", "content": "earlier, at acme"}]
    model = ScriptedModel([[function_call("lookup", {"key": "k"}, call_id="c1")], [assistant_message("done")]])
    agent = Agent("a", model=model, tools=[lookup])
    context = Tenant("acme")
    if streamed:
        result: Any = Runner.run_streamed(agent, "hello", context=context, session=session)
        async for _ in result.stream_events():
            pass
    else:
        result = await Runner.run(agent, "hello", context=context, session=session)
    assert result.final_output == "done"
    # read the history, save the input, then each of the two turns: always the run's one wrapper
    assert [name for name, _ in session.calls] == ["get_items", "add_items", "add_items", "add_items"]
    assert all(wrapper is result.context_wrapper for _, wrapper in session.calls)
    assert result.context_wrapper.context is context
    assert model.calls[0].input[0] == UserMessage("earlier, at acme")  # the tenant's history
    assert session.scopes["default"] == []
    assert [item.get("type", "message") for item in session.scopes["acme"][1:]] == [
        "message", "function_call", "function_call_output", "message"
    ]


async def test_the_session_settings_limit_reaches_a_session_that_takes_the_wrapper() -> None:
    session = TenantSession()
    session.scopes["acme"] = [{"role": "user", "content": f"m{i}"} for i in range(5)]
    model = ScriptedModel([[assistant_message("ok")]])
    result = await Runner.run(
        Agent("a", model=model), "new", context=Tenant("acme"), session=session,
        run_config=RunConfig(session_settings=SessionSettings(limit=2)),
    )
    assert model.calls[0].input == [UserMessage("m3"), UserMessage("m4"), UserMessage("new")]
    assert session.calls[0] == ("get_items", result.context_wrapper)


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_tripped_input_guardrail_saves_the_input_in_the_contexts_scope(streamed: bool) -> None:
    @input_guardrail
    def block(ctx: RunContextWrapper[Any], agent: Agent[Any], input: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=True)

    session = TenantSession()
    agent = Agent("a", model=ScriptedModel([[assistant_message("never")]]), input_guardrails=[block])
    context = Tenant("acme")
    with pytest.raises(InputGuardrailTripwireTriggered):
        if streamed:
            result = Runner.run_streamed(agent, "hello", context=context, session=session)
            async for _ in result.stream_events():
                pass
        else:
            await Runner.run(agent, "hello", context=context, session=session)
    assert session.scopes == {"default": [], "acme": [{"role": "user", "content": "hello"}]}
    assert all(wrapper is not None and wrapper.context is context for _, wrapper in session.calls)


async def test_a_resumed_run_saves_with_its_own_wrapper() -> None:
    @function_tool(needs_approval=True)
    def refund(order: str) -> str:
        return f"refunded {order}"

    model = ScriptedModel([[function_call("refund", {"order": "o1"}, call_id="r1")], [assistant_message("done")]])
    agent = Agent("a", model=model, tools=[refund])
    session = TenantSession()
    first = await Runner.run(agent, "refund o1", context=Tenant("acme"), session=session)
    assert len(first.interruptions) == 1
    state = first.to_state()
    state.approve(first.interruptions[0])
    session.calls.clear()
    resumed = await Runner.run(agent, state, session=session)
    assert resumed.final_output == "done"
    assert session.calls and all(wrapper is resumed.context_wrapper for _, wrapper in session.calls)
    assert cast(Tenant, resumed.context_wrapper.context).tenant_id == "acme"
    saved = session.scopes["acme"]
    assert {"type": "function_call_output", "call_id": "r1", "output": "refunded o1"} in saved
    assert session.scopes["default"] == []


async def test_a_session_without_the_keyword_is_called_as_before() -> None:
    session = PlainSession()
    result = await Runner.run(
        Agent("a", model=ScriptedModel([[assistant_message("ok")]])), "hi", context=Tenant("acme"), session=session
    )
    assert result.final_output == "ok"
    assert session.reads == 1 and len(session.items) == 2


async def test_kwargs_or_a_partial_opt_in_gets_no_wrapper() -> None:
    class KwargsSession(PlainSession):
        def __init__(self) -> None:
            super().__init__()
            self.kwargs: list[dict[str, Any]] = []

        async def get_items(self, limit: int | None = None, **kwargs: Any) -> list[Item]:  # type: ignore[override]
            self.kwargs.append(kwargs)
            return list(self.items)

        async def add_items(self, items: list[Item], **kwargs: Any) -> None:
            self.kwargs.append(kwargs)
            self.items.extend(items)

    class PartialSession(TenantSession):
        async def clear_session(self) -> None:  # type: ignore[override]
            self.scopes.clear()

    kwargs_session = KwargsSession()
    await Runner.run(
        Agent("a", model=ScriptedModel([[assistant_message("ok")]])), "hi", context=Tenant("t"), session=kwargs_session
    )
    assert kwargs_session.kwargs == [{}, {}, {}]
    partial = PartialSession()
    await Runner.run(
        Agent("a", model=ScriptedModel([[assistant_message("ok")]])), "hi", context=Tenant("t"), session=partial
    )
    # all of its history in one scope: reads and writes never split between two
    assert [wrapper for _, wrapper in partial.calls] == [None, None, None]
    assert len(partial.scopes["default"]) == 2 and "t" not in partial.scopes


async def test_a_method_whose_signature_cannot_be_read_is_called_without_the_wrapper() -> None:
    class Unreadable:
        def __init__(self, method: Any) -> None:
            self.method = method

        @property
        def __signature__(self) -> Any:
            raise RuntimeError("no signature")

        async def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return await self.method(*args, **kwargs)

    session = TenantSession()
    session.get_items = Unreadable(session.get_items)  # type: ignore[method-assign]
    await Runner.run(
        Agent("a", model=ScriptedModel([[assistant_message("ok")]])), "hi", context=Tenant("t"), session=session
    )
    assert [wrapper for _, wrapper in session.calls] == [None, None, None]


async def test_encrypted_session_forwards_the_wrapper_to_a_store_that_takes_it() -> None:
    store = TenantSession()
    session = EncryptedSession("enc", store, encryption_key=Fernet.generate_key().decode())
    wrapper = RunContextWrapper(Tenant("acme"))
    await session.add_items([{"role": "user", "content": "secret"}], wrapper=wrapper)
    assert await session.get_items(wrapper=wrapper) == [{"role": "user", "content": "secret"}]
    assert await session.get_items(1, wrapper=wrapper) == [{"role": "user", "content": "secret"}]
    assert await session.get_items() == []  # another scope
    assert await session.pop_item(wrapper=wrapper) == {"role": "user", "content": "secret"}
    await session.clear_session(wrapper=wrapper)
    assert [w for _, w in store.calls] == [wrapper, wrapper, wrapper, None, wrapper, wrapper]
    assert store.scopes["acme"] == []


async def test_encrypted_session_in_a_run_keeps_the_tenants_history_encrypted_in_its_scope() -> None:
    store = TenantSession()
    session = EncryptedSession("enc", store, encryption_key=Fernet.generate_key().decode())
    agent = Agent("a", model=ScriptedModel([[assistant_message("hi there")]]))
    result = await Runner.run(agent, "hello", context=Tenant("acme"), session=session)
    assert store.calls and all(wrapper is result.context_wrapper for _, wrapper in store.calls)
    assert [item.get("__enc__") for item in store.scopes["acme"]] == [1, 1]
    assert store.scopes["default"] == []
    assert (await session.get_items(wrapper=result.context_wrapper))[0] == {"role": "user", "content": "hello"}


async def test_encrypted_session_over_a_store_without_the_keyword_takes_it_and_drops_it() -> None:
    store = SQLiteSession("plain")
    session = EncryptedSession("plain", store, encryption_key="any secret")
    result = await Runner.run(
        Agent("a", model=ScriptedModel([[assistant_message("ok")]])), "hello", context=Tenant("t"), session=session
    )
    assert result.final_output == "ok"
    wrapper = RunContextWrapper(Tenant("t"))
    assert len(await session.get_items(wrapper=wrapper)) == 2
    assert (await session.pop_item(wrapper=wrapper)) is not None
    await session.clear_session(wrapper=wrapper)
    assert await store.get_items() == []


async def test_a_session_with_plain_functions_works_as_in_the_sdk() -> None:
    class SyncSession:
        session_id = "sync"

        def __init__(self) -> None:
            self.items: list[Item] = []
            self.wrappers: list[Any] = []

        def get_items(self, limit: int | None = None, *, wrapper: Any = None) -> list[Item]:
            self.wrappers.append(wrapper)
            return list(self.items)

        def add_items(self, items: list[Item], *, wrapper: Any = None) -> None:
            self.wrappers.append(wrapper)
            self.items.extend(items)

        def pop_item(self, *, wrapper: Any = None) -> Item | None:
            return self.items.pop() if self.items else None

        def clear_session(self, *, wrapper: Any = None) -> None:
            self.items.clear()

    session = SyncSession()
    result = await Runner.run(
        Agent("a", model=ScriptedModel([[assistant_message("ok")]])), "hi", session=cast(Any, session)
    )
    assert len(session.items) == 2
    assert session.wrappers == [result.context_wrapper] * 3
