"""SDK 0.24's released-API contract (``required_submodule_exports``) at the module paths of ``agents.run``,
``agents.run_config``, ``agents.handoffs``, ``agents.models``, ``agents.testing.model``, ``agents.tracing``,
``agents.extensions.memory`` and ``agents.voice.imports``: each name imports from its path, as the root's object when
the root has it, or says why it is missing (``SDKNameNotSupportedError``). Also what the new names do:
``AgentRunner`` / ``set_default_agent_runner`` (``Runner``'s class methods call the default runner, as in the SDK),
``RunOptions`` and ``DEFAULT_MAX_TURNS``. (``agents.responses_websocket_session``: test_sdk_module_paths.py.)
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest

import agents_otel
from agents_otel import Agent, RunConfig, RunResult, UserError
from agents_otel._sdk_paths import SDKNameNotSupportedError
from agents_otel.run import AgentRunner, RunOptions, get_default_agent_runner, set_default_agent_runner
from agents_otel.testing import ScriptedModel, assistant_message

CONTRACT: dict[str, list[str]] = {
    "run": [
        "AgentRunner", "Runner", "RunConfig", "RunOptions", "RunState", "RunContextWrapper", "ModelInputData",
        "CallModelData", "CallModelInputFilter", "OutputGuardrailBlockedMessageArgs",
        "OutputGuardrailBlockedMessageFormatter", "ToolNameCollisionPolicy", "ReasoningItemIdPolicy",
        "ToolExecutionConfig", "ToolErrorFormatter", "ToolErrorFormatterArgs", "ToolNotFoundBehavior",
        "DEFAULT_MAX_TURNS", "set_default_agent_runner", "get_default_agent_runner",
    ],
    "run_config": [
        "DEFAULT_MAX_TURNS", "ToolNameCollisionPolicy", "CallModelData", "CallModelInputFilter", "ModelInputData",
        "OutputGuardrailBlockedMessageArgs", "OutputGuardrailBlockedMessageFormatter", "ReasoningItemIdPolicy",
        "RunConfig", "RunOptions", "SandboxArchiveLimits", "SandboxConcurrencyLimits", "SandboxRunConfig",
        "ToolExecutionConfig", "ToolErrorFormatter", "ToolErrorFormatterArgs", "_default_trace_include_sensitive_data",
    ],
    "handoffs": [
        "Handoff", "HandoffHistoryMapper", "HandoffInputData", "HandoffInputFilter", "default_handoff_history_mapper",
        "get_conversation_history_wrappers", "handoff", "nest_handoff_history", "reset_conversation_history_wrappers",
        "set_conversation_history_wrappers",
    ],
    "models": [
        "get_default_model", "get_default_model_settings", "gpt_5_reasoning_settings_required", "is_gpt_5_default",
        "OpenAIAgentRegistrationConfig",
    ],
    "testing.model": [
        "InvalidModelStep", "ModelCall", "ModelScriptError", "ModelStep", "ModelStepSpec", "ScriptedModel",
        "UnconsumedModelSteps", "UnexpectedModelCall", "assistant_message", "function_call",
    ],
    "extensions.memory": ["AdvancedSQLiteSession", "AsyncSQLiteSession", "EncryptedSession", "RedisSession",
                          "SQLAlchemySession"],
    "voice.imports": ["np", "npt", "websockets"],
}

NOT_SUPPORTED: dict[str, list[str]] = {
    "tracing": ["TraceProvider", "get_trace_provider", "TraceCtxManager"],
    "extensions.memory": ["DaprSession", "DAPR_CONSISTENCY_EVENTUAL", "DAPR_CONSISTENCY_STRONG", "MongoDBSession"],
}


@pytest.mark.parametrize(("path", "name"), [(p, n) for p, names in CONTRACT.items() for n in names])
def test_each_contract_name_imports_from_its_path(path: str, name: str) -> None:
    namespace: dict[str, Any] = {}
    exec(f"from agents_otel.{path} import {name}", namespace)
    value = namespace[name]
    if name in agents_otel.__all__:
        assert value is getattr(agents_otel, name), f"agents_otel.{path}.{name} is not the root's"
    if path == "testing.model" and name not in ("ScriptedModel",):
        assert value is getattr(importlib.import_module("agents_otel.testing"), name)


@pytest.mark.parametrize(("path", "name"), [(p, n) for p, names in NOT_SUPPORTED.items() for n in names])
def test_a_name_not_supported_says_why(path: str, name: str) -> None:
    with pytest.raises(SDKNameNotSupportedError, match=rf"agents_otel\.{path}\.{name} .*not supported.*migrating"):
        exec(f"from agents_otel.{path} import {name}", {})


def test_the_run_path_holds_the_public_run_state() -> None:
    import agents_otel.run as run

    assert run.RunState is agents_otel.RunState  # the resumable one, not the runtime's internal record
    assert run.DEFAULT_MAX_TURNS == 10
    assert importlib.import_module("agents_otel.run_config").DEFAULT_MAX_TURNS == 10


def test_run_options_are_runners_keyword_arguments() -> None:
    import inspect

    from agents_otel import Runner

    keywords = {
        name for name, p in inspect.signature(Runner.run).parameters.items() if p.kind is p.KEYWORD_ONLY
    }
    assert set(RunOptions.__annotations__) == keywords
    assert RunOptions.__required_keys__ == frozenset()


def test_the_sensitive_data_default_is_the_content_capture_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from agents_otel.run_config import _default_trace_include_sensitive_data

    monkeypatch.delenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", raising=False)
    assert _default_trace_include_sensitive_data() is False  # off by default, as the OTel GenAI conventions ask
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "SPAN_ONLY")
    assert _default_trace_include_sensitive_data() is True


# ---- AgentRunner ----------------------------------------------------------------------------------------------------


class CountingRunner(AgentRunner):
    """A runner that gives every run the same context unless one is given, and counts the runs."""

    def __init__(self) -> None:
        self.runs = 0

    async def run(self, starting_agent: Agent[Any], input: Any, **kwargs: Any) -> RunResult:
        self.runs += 1
        kwargs["context"] = kwargs.get("context") or {"tenant": "acme"}
        return await super().run(starting_agent, input, **kwargs)


@pytest.fixture
def counting_runner() -> Any:
    runner = CountingRunner()
    set_default_agent_runner(runner)
    yield runner
    set_default_agent_runner(None)


async def test_runner_calls_the_default_agent_runner(counting_runner: CountingRunner) -> None:
    from agents_otel import Runner

    assert get_default_agent_runner() is counting_runner
    agent = Agent(name="A", model=ScriptedModel([[assistant_message("one")], [assistant_message("two")]]))
    result = await Runner.run(agent, "hi")
    assert result.final_output == "one" and result.context_wrapper.context == {"tenant": "acme"}
    streamed = Runner.run_streamed(agent, "again")
    async for _ in streamed.stream_events():
        pass
    assert streamed.final_output == "two"
    assert counting_runner.runs == 1  # run_streamed is a method of its own, as in the SDK


def test_run_sync_goes_through_the_default_runner_too(counting_runner: CountingRunner) -> None:
    from agents_otel import Runner

    agent = Agent(name="A", model=ScriptedModel([[assistant_message("sync")]]))
    assert Runner.run_sync(agent, "hi").final_output == "sync"
    assert counting_runner.runs == 1  # AgentRunner.run_sync runs self.run


def test_setting_none_restores_a_plain_runner_and_anything_else_is_refused() -> None:
    set_default_agent_runner(None)
    assert type(get_default_agent_runner()) is AgentRunner
    with pytest.raises(UserError, match="AgentRunner or None"):
        set_default_agent_runner(object())  # type: ignore[arg-type]
    assert type(get_default_agent_runner()) is AgentRunner


async def test_an_agent_runner_runs_on_its_own() -> None:
    agent = Agent(name="A", model=ScriptedModel([[assistant_message("direct")]]))
    result = await AgentRunner().run(agent, "hi", run_config=RunConfig(), max_turns=1)
    assert result.final_output == "direct"

