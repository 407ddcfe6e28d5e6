"""Compatibility: ``@function_tool`` / ``FunctionTool`` invoked directly and inside runs, as in the OpenAI Agents SDK.

The SDK lets a unit test call ``await tool.on_invoke_tool(ToolContext(...), json)``; its result applies
``failure_error_function`` (sync or async). Cases learnt from the SDK's function-tool tests, written against our API.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
from typing import Any

import pytest
from pydantic import Field
from support import Tracing

from agents_otel import (
    Agent,
    FunctionTool,
    ModelBehaviorError,
    RunConfig,
    RunContextWrapper,
    Runner,
    ToolContext,
    ToolTimeoutError,
    UserError,
    default_tool_error_function,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call


def ctx_for(tool: FunctionTool, arguments: str = "{}", context: Any = None) -> ToolContext[Any]:
    return ToolContext(context, tool_name=tool.name, tool_call_id="call_1", tool_arguments=arguments)


async def invoke(tool: FunctionTool, arguments: dict[str, Any] | str, context: Any = None) -> Any:
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return await tool.on_invoke_tool(ctx_for(tool, raw, context), raw)


async def test_sync_and_async_tools_with_and_without_context() -> None:
    @function_tool
    def plain(a: int, b: int = 2) -> int:
        return a * b

    @function_tool
    async def with_ctx(ctx: ToolContext[dict[str, int]], key: str) -> int:
        return ctx.context[key]

    @function_tool
    def with_wrapper(wrapper: RunContextWrapper[str]) -> str:
        return wrapper.context.upper()

    assert await invoke(plain, {"a": 3}) == 6
    assert await invoke(with_ctx, {"key": "k"}, context={"k": 7}) == 7
    assert await invoke(with_wrapper, {}, context="abc") == "ABC"


async def test_sync_tool_runs_off_the_event_loop() -> None:
    loop_thread: list[bool] = []

    @function_tool
    def where() -> str:
        try:
            asyncio.get_running_loop()
            loop_thread.append(True)
        except RuntimeError:
            loop_thread.append(False)
        return "done"

    assert await invoke(where, {}) == "done" and loop_thread == [False]


async def test_default_failure_error_function_tells_the_model() -> None:
    @function_tool
    def broken(x: int) -> int:
        raise ValueError("bad value")

    text = await invoke(broken, {"x": 1})
    assert text == default_tool_error_function(ctx_for(broken), ValueError("bad value"))
    assert "bad value" not in text  # the exception's text stays out of the model's input (SDK 0.23)


async def test_sync_custom_failure_error_function() -> None:
    @function_tool(failure_error_function=lambda ctx, exc: f"{ctx.tool_name}: {type(exc).__name__}")
    def broken() -> None:
        raise KeyError("k")

    assert await invoke(broken, {}) == "broken: KeyError"


async def test_async_failure_error_function_is_awaited() -> None:
    # Regression (issue 10): the coroutine object itself used to become the tool output.
    async def explain(ctx: ToolContext[Any], exc: Exception) -> str:
        await asyncio.sleep(0)
        return f"async says: {exc}"

    @function_tool(failure_error_function=explain)
    def broken() -> None:
        raise RuntimeError("nope")

    assert await invoke(broken, {}) == "async says: nope"


async def test_async_failure_error_function_is_awaited_inside_a_run(tracing: Tracing) -> None:
    async def explain(ctx: ToolContext[Any], exc: Exception) -> str:
        return f"async says: {exc}"

    @function_tool(failure_error_function=explain)
    def broken() -> None:
        raise RuntimeError("nope")

    model = ScriptedModel([[function_call("broken", {}, call_id="b")], [assistant_message("ok")]])
    await Runner.run(Agent(name="A", tools=[broken], model=model), "go", run_config=tracing.config)
    assert model.calls[1].input[-1].output == "async says: nope"  # type: ignore[union-attr]


async def test_failure_error_function_none_raises() -> None:
    @function_tool(failure_error_function=None)
    def broken() -> None:
        raise RuntimeError("fatal")

    with pytest.raises(RuntimeError, match="fatal"):
        await invoke(broken, {})


async def test_a_failure_error_function_that_raises_falls_back_to_the_default() -> None:
    def worse(ctx: ToolContext[Any], exc: Exception) -> str:
        raise LookupError("formatter broke")

    @function_tool(failure_error_function=worse)
    def broken() -> None:
        raise RuntimeError("original")

    assert await invoke(broken, {}) == "An error occurred while running the tool."


async def test_invalid_json_is_reported_not_raised() -> None:
    # Deliberate difference: the SDK raises ModelBehaviorError into failure_error_function; we raise a typed
    # ToolArgumentsError that the model always sees as "Error: ..." (even with failure_error_function=None), since
    # a malformed call is the model's mistake, not the tool's.
    @function_tool(failure_error_function=None)
    def f(x: int) -> int:
        return x

    text = await invoke(f, "{not json")
    assert text.startswith("Error: Invalid arguments for tool 'f'")
    assert "x" in await invoke(f, {"x": "many"})


async def test_missing_field_default_argument_is_a_validation_error_not_a_fieldinfo() -> None:
    # Regression (issue 10): the tool used to receive a FieldInfo object.
    received: list[Any] = []

    @function_tool(failure_error_function=None)
    def pick(n: int = Field(..., gt=10)) -> int:
        received.append(n)
        return n

    assert "n" in await invoke(pick, {})
    assert await invoke(pick, {"n": 11}) == 11
    assert received == [11]


async def test_varargs_and_kwargs_tool_is_called_with_them() -> None:
    @function_tool(strict_mode=False)  # **kwargs cannot be strict (SDK 0.23)
    def join(sep: str, *parts: str, **meta: int) -> str:
        return sep.join(parts) + json.dumps(meta, sort_keys=True)

    assert await invoke(join, {"sep": "-", "parts": ["a", "b"], "meta": {"n": 1}}) == 'a-b{"n": 1}'


async def test_extra_keys_are_ignored() -> None:
    @function_tool
    def echo(x: int) -> int:
        return x

    assert await invoke(echo, {"x": 4, "unexpected": True}) == 4


async def test_manual_function_tool() -> None:
    async def on_invoke(ctx: ToolContext[Any], arguments: str) -> str:
        return f"{ctx.tool_name} got {json.loads(arguments)['q']}"

    tool = FunctionTool(
        name="manual",
        description="Built by hand.",
        params_json_schema={"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
        on_invoke_tool=on_invoke,
    )
    assert await invoke(tool, {"q": "x"}) == "manual got x"


async def test_manual_function_tool_errors_use_the_default_error_function_in_a_run(tracing: Tracing) -> None:
    async def on_invoke(ctx: ToolContext[Any], arguments: str) -> str:
        raise ValueError("manual failure")

    tool = FunctionTool("manual", "", {"type": "object", "properties": {}}, on_invoke)
    model = ScriptedModel([[function_call("manual", {}, call_id="m")], [assistant_message("ok")]])
    await Runner.run(Agent(name="A", tools=[tool], model=model), "go", run_config=tracing.config)
    assert model.calls[1].input[-1].output == "An error occurred while running the tool."  # type: ignore[union-attr]
    assert tracing.tool_span("m").attributes["error.type"] == "ValueError"  # type: ignore[index]


async def test_failure_policy_follows_dataclasses_replace() -> None:
    @function_tool
    def broken() -> None:
        raise RuntimeError("x")

    quiet = dataclasses.replace(broken, failure_error_function=lambda ctx, exc: "replaced")
    strict = dataclasses.replace(broken, failure_error_function=None)
    assert await invoke(quiet, {}) == "replaced"
    with pytest.raises(RuntimeError):
        await invoke(strict, {})
    assert await invoke(broken, {}) == "An error occurred while running the tool."


async def test_a_shallow_copy_follows_its_own_failure_policy() -> None:
    import copy

    @function_tool
    def broken() -> None:
        raise RuntimeError("x")

    strict = copy.copy(broken)
    strict.failure_error_function = None
    with pytest.raises(RuntimeError):
        await invoke(strict, {})
    assert await invoke(broken, {}) == "An error occurred while running the tool."


def test_invalid_configuration_is_a_user_error() -> None:
    def f() -> None:
        return None

    with pytest.raises(UserError, match="timeout"):
        function_tool(timeout=0)(f)
    with pytest.raises(UserError, match="timeout_behavior"):
        function_tool(timeout=1, timeout_behavior="explode")(f)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="timeout_error_function"):
        function_tool(timeout_error_function="nope")(f)  # type: ignore[arg-type]


def test_timeout_seconds_is_the_sdk_name_of_timeout() -> None:
    @function_tool(timeout=2.5)
    async def f() -> None:
        return None

    assert f.timeout_seconds == 2.5


async def _slow() -> str:
    await asyncio.Event().wait()
    return "never"


async def test_timeout_error_as_result_default_message(tracing: Tracing) -> None:
    slow = function_tool(timeout=0.05, name_override="slow")(_slow)
    model = ScriptedModel([[function_call("slow", {}, call_id="s")], [assistant_message("ok")]])
    await Runner.run(Agent(name="A", tools=[slow], model=model), "go", run_config=tracing.config)
    assert model.calls[1].input[-1].output == "Tool 'slow' timed out after 0.05 seconds."  # type: ignore[union-attr]
    assert tracing.tool_span("s").attributes["error.type"] == "timeout"  # type: ignore[index]


async def test_timeout_error_function_words_the_timeout(tracing: Tracing) -> None:
    seen: list[ToolTimeoutError] = []

    def word(ctx: ToolContext[Any], exc: Exception) -> str:
        assert isinstance(exc, ToolTimeoutError)
        seen.append(exc)
        return f"{ctx.tool_name} took too long"

    slow = function_tool(timeout=0.05, name_override="slow", timeout_error_function=word)(_slow)
    model = ScriptedModel([[function_call("slow", {}, call_id="s")], [assistant_message("ok")]])
    await Runner.run(Agent(name="A", tools=[slow], model=model), "go", run_config=tracing.config)
    assert model.calls[1].input[-1].output == "slow took too long"  # type: ignore[union-attr]
    assert seen[0].tool_name == "slow" and seen[0].timeout_seconds == 0.05


async def test_timeout_can_raise(tracing: Tracing) -> None:
    slow = function_tool(timeout=0.05, name_override="slow", timeout_behavior="raise_exception")(_slow)
    model = ScriptedModel([[function_call("slow", {}, call_id="s")], [assistant_message("ok")]])
    with pytest.raises(ToolTimeoutError) as caught:
        await Runner.run(Agent(name="A", tools=[slow], model=model), "go", run_config=tracing.config)
    assert caught.value.tool_name == "slow"


async def test_a_timeout_error_the_tool_raises_itself_is_a_plain_tool_error(tracing: Tracing) -> None:
    @function_tool(timeout=5, timeout_behavior="raise_exception")
    async def upstream() -> str:
        raise TimeoutError("upstream timed out")

    model = ScriptedModel([[function_call("upstream", {}, call_id="u")], [assistant_message("ok")]])
    result = await Runner.run(Agent(name="A", tools=[upstream], model=model), "go", run_config=tracing.config)
    assert result.final_output == "ok"
    assert model.calls[1].input[-1].output == "An error occurred while running the tool."  # type: ignore[union-attr]
    assert tracing.tool_span("u").attributes["error.type"] == "TimeoutError"  # type: ignore[index]


async def test_is_enabled_bool_and_callable_hide_tools_from_the_model(tracing: Tracing) -> None:
    @function_tool
    def always() -> str:
        return "a"

    @function_tool(is_enabled=False)
    def never() -> str:
        return "n"

    async def only_admins(ctx: RunContextWrapper[dict[str, bool]], agent: Agent[Any]) -> bool:
        return ctx.context["admin"]

    @function_tool(is_enabled=only_admins)
    def admin() -> str:
        return "x"

    for is_admin, expected in ((False, ["always"]), (True, ["always", "admin"])):
        model = ScriptedModel([[assistant_message("hi")]])
        agent = Agent(name="A", tools=[always, never, admin], model=model)
        await Runner.run(agent, "go", context={"admin": is_admin}, run_config=tracing.config)
        assert [t.name for t in model.calls[0].tools] == expected


async def test_calling_a_disabled_tool_is_tool_not_found(tracing: Tracing) -> None:
    @function_tool(is_enabled=False)
    def hidden() -> str:
        return "h"

    @function_tool
    def shown() -> str:
        return "s"

    model = ScriptedModel([[function_call("hidden", {}, call_id="h")], [assistant_message("ok")]], check_calls=False)
    agent = Agent(name="A", tools=[hidden, shown], model=model)
    with pytest.raises(ModelBehaviorError, match="Tool hidden not found in agent A"):  # the SDK's default
        await Runner.run(agent, "go", run_config=tracing.config)
    model = ScriptedModel([[function_call("hidden", {}, call_id="h")], [assistant_message("ok")]], check_calls=False)
    agent = Agent(name="A", tools=[hidden, shown], model=model)
    config = RunConfig(tracer_provider=tracing.provider, tool_not_found_behavior="return_error_to_model")
    await Runner.run(agent, "go", run_config=config)
    assert tracing.tool_span("h").attributes["error.type"] == "tool_not_found"  # type: ignore[index]
    told = model.calls[1].input[-1].output  # type: ignore[union-attr]
    assert told == "Error: Tool 'hidden' not found. Available tools: ['shown']"  # a disabled tool is not named


async def test_what_the_model_reads_of_a_tools_return_value(tracing: Tracing) -> None:
    # Deliberate difference (docs/migrating.md): the SDK sends str(value) (a dict as its Python repr, None as
    # "None"); we send JSON for structured values and "" for None, which a model parses reliably. The run item keeps
    # the value itself either way.
    from pydantic import BaseModel

    class Report(BaseModel):
        total: int

    values: dict[str, Any] = {"text": "plain", "mapping": {"a": 1}, "model": Report(total=3), "none": None, "n": 7}

    @function_tool
    def give(kind: str) -> Any:
        return values[kind]

    calls = [function_call("give", {"kind": k}, call_id=k) for k in values]
    model = ScriptedModel([calls, [assistant_message("ok")]])
    result = await Runner.run(Agent(name="A", tools=[give], model=model), "go", run_config=tracing.config)
    sent = {i.call_id: i.output for i in model.calls[1].input if i.type == "function_call_output"}  # type: ignore[union-attr]
    assert sent == {"text": "plain", "mapping": '{"a":1}', "model": '{"total":3}', "none": "", "n": "7"}
    from agents_otel import ToolCallOutputItem

    kept = {i.call_id: i.output for i in result.new_items if isinstance(i, ToolCallOutputItem)}
    assert kept["model"] == Report(total=3) and kept["mapping"] == {"a": 1}


def test_a_functools_partial_is_refused_as_in_the_sdk() -> None:
    def greet(prefix: str, name: str) -> str:
        return f"{prefix} {name}"

    with pytest.raises(UserError, match=r"functools\.partial"):
        function_tool(functools.partial(greet, prefix="Hello"))


def test_a_callable_objects_description_is_its_call_methods_docstring() -> None:
    class Adder:
        def __call__(self, a: int, b: int) -> int:
            """Add two numbers."""
            return a + b

    tool = function_tool(Adder())
    assert (tool.name, tool.description) == ("Adder", "Add two numbers.")
