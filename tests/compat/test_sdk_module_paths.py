"""SDK code imports from submodules (``from agents.memory import SQLiteSession``), not only from the package root:
every module path of the OpenAI Agents SDK exists under ``agents_otel`` and holds the names SDK users import from it,
as the very objects the package root exports (one copy of each), or says why a name is missing.

The tables are derived from the SDK's ``src/agents`` (its modules' ``__all__`` or public definitions, and the
``from agents.<path> import ...`` lines of its docs, examples and tests); names only. Left out: ``sandbox`` paths
(not supported, see docs/migrating.md), ``run_internal`` and underscore modules (the SDK's internals), and
``responses_websocket_session``, whose import leaves the root's function of that name in place (see
``test_the_root_function_is_not_shadowed_by_a_module_of_its_name``).
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import agents_otel
import agents_otel.tracing
from agents_otel import Agent, AgentToolInvocation, ModelTracing, Runner, RunResult
from agents_otel._sdk_paths import SDKNameNotSupportedError
from agents_otel.exceptions import UserError
from agents_otel.testing import ScriptedModel, assistant_message, function_call

SDK_MODULE_PATHS = [
    "agent", "agent_output", "agent_tool_input", "agent_tool_state", "apply_diff", "computer", "decorators",
    "editor", "exceptions", "extensions", "extensions.experimental", "extensions.experimental.codex",
    "extensions.experimental.codex.codex", "extensions.experimental.codex.codex_options",
    "extensions.experimental.codex.codex_tool", "extensions.experimental.codex.events",
    "extensions.experimental.codex.exec", "extensions.experimental.codex.items",
    "extensions.experimental.codex.output_schema_file", "extensions.experimental.codex.payloads",
    "extensions.experimental.codex.thread", "extensions.experimental.codex.thread_options",
    "extensions.experimental.codex.turn_options", "extensions.experimental.hosted_multi_agent",
    "extensions.experimental.hosted_multi_agent.model", "extensions.handoff_filters", "extensions.handoff_prompt",
    "extensions.memory", "extensions.memory.advanced_sqlite_session", "extensions.memory.async_sqlite_session",
    "extensions.memory.dapr_session", "extensions.memory.encrypt_session", "extensions.memory.mongodb_session",
    "extensions.memory.redis_session", "extensions.memory.sqlalchemy_session", "extensions.models",
    "extensions.models.any_llm_model", "extensions.models.any_llm_provider", "extensions.models.litellm_model",
    "extensions.models.litellm_provider", "extensions.tool_output_trimmer", "extensions.visualization",
    "function_schema", "guardrail", "handoffs", "handoffs.history", "items", "lifecycle", "logger", "mcp",
    "mcp.manager", "mcp.server", "mcp.util", "memory", "memory.openai_conversations_session",
    "memory.openai_responses_compaction_session", "memory.session", "memory.session_settings",
    "memory.sqlite_session", "memory.util", "model_settings", "models", "models.chatcmpl_converter",
    "models.chatcmpl_helpers", "models.chatcmpl_stream_handler", "models.default_models", "models.fake_id",
    "models.interface", "models.multi_provider", "models.openai_agent_registration", "models.openai_chatcompletions",
    "models.openai_client_utils", "models.openai_provider", "models.openai_responses",
    "models.reasoning_content_replay", "prompts", "realtime", "realtime.agent", "realtime.audio_formats",
    "realtime.config", "realtime.events", "realtime.handoffs", "realtime.items", "realtime.model",
    "realtime.model_events", "realtime.model_inputs", "realtime.openai_realtime", "realtime.runner",
    "realtime.session", "realtime.testing", "repl", "result", "retry", "run",
    "run_config", "run_context", "run_error_handlers", "run_state", "stream_events", "strict_schema", "testing",
    "testing.model", "tool", "tool_context", "tool_guardrails", "tracing", "tracing.config", "tracing.context",
    "tracing.create", "tracing.logger", "tracing.model_tracing", "tracing.processor_interface", "tracing.processors",
    "tracing.provider", "tracing.scope", "tracing.setup", "tracing.span_data", "tracing.spans", "tracing.traces",
    "tracing.util", "usage", "util", "version", "voice", "voice.events", "voice.exceptions", "voice.imports",
    "voice.input", "voice.model", "voice.models", "voice.models.openai_model_provider", "voice.models.openai_stt",
    "voice.models.openai_tts", "voice.pipeline", "voice.pipeline_config", "voice.result", "voice.testing",
    "voice.utils", "voice.workflow",
]
"""Every public module path of the SDK's ``src/agents`` (sandbox and internals left out, see above)."""

SDK_NAMES: dict[str, list[str]] = {
    "agent": ["Agent", "StopAtTools", "ToolsToFinalOutputResult"],
    "agent_output": ["AgentOutputSchema", "AgentOutputSchemaBase"],
    "decorators": [
        "function_tool", "input_guardrail", "output_guardrail", "tool", "tool_input_guardrail", "tool_output_guardrail"
    ],
    "editor": ["ApplyPatchEditor", "ApplyPatchOperation", "ApplyPatchOperationType", "ApplyPatchResult"],
    "guardrail": [
        "GuardrailFunctionOutput", "InputGuardrail", "InputGuardrailResult", "OutputGuardrail",
        "OutputGuardrailResult", "input_guardrail", "output_guardrail",
    ],
    "handoffs": ["Handoff", "HandoffInputData", "HandoffInputFilter", "handoff"],
    "handoffs.history": [
        "HandoffHistoryMapper", "default_handoff_history_mapper", "get_conversation_history_wrappers",
        "nest_handoff_history", "reset_conversation_history_wrappers", "set_conversation_history_wrappers",
    ],
    "items": [
        "CompactionItem", "HandoffCallItem", "HandoffOutputItem", "InputItem", "ItemHelpers", "MCPApprovalRequestItem",
        "MCPApprovalResponseItem", "MCPListToolsItem", "MessageOutputItem", "ModelResponse", "ReasoningItem",
        "RunItem", "TResponse", "TResponseInputItem", "TResponseOutputItem", "TResponseStreamEvent",
        "ToolApprovalItem", "ToolCallItem", "ToolCallOutputItem", "ToolSearchCallItem", "ToolSearchOutputItem",
    ],
    "logger": ["logger"],
    "mcp.manager": ["MCPServerManager"],
    "mcp.util": [
        "HttpClientFactory", "MCPToolCustomDataContext", "MCPToolCustomDataExtractor", "MCPToolMetaContext",
        "MCPToolMetaResolver", "ToolFilter", "ToolFilterCallable", "ToolFilterContext", "ToolFilterStatic",
        "create_static_tool_filter",
    ],
    "memory": [
        "OpenAIConversationsSession", "OpenAIResponsesCompactionArgs", "OpenAIResponsesCompactionAwareSession",
        "OpenAIResponsesCompactionSession", "SQLiteSession", "Session", "SessionABC", "SessionInputCallback",
        "SessionSettings", "is_openai_responses_compaction_aware_session",
    ],
    "memory.openai_conversations_session": ["OpenAIConversationsSession", "start_openai_conversations_session"],
    "memory.openai_responses_compaction_session": [
        "DEFAULT_COMPACTION_THRESHOLD", "OpenAIResponsesCompactionMode", "OpenAIResponsesCompactionSession",
        "default_should_trigger_compaction", "is_openai_model_name", "select_compaction_candidate_items",
    ],
    "memory.session": [
        "OpenAIResponsesCompactionArgs", "OpenAIResponsesCompactionAwareSession", "Session", "SessionABC",
        "is_openai_responses_compaction_aware_session",
    ],
    "memory.session_settings": ["SessionSettings", "resolve_session_limit"],
    "memory.sqlite_session": ["SQLiteSession"],
    "memory.util": ["SessionInputCallback"],
    "model_settings": ["MCPToolChoice", "ModelSettings", "ToolChoice"],
    "models": [
        "get_default_model", "get_default_model_settings", "gpt_5_reasoning_settings_required", "is_gpt_5_default"
    ],
    "models.default_models": [
        "GPT5DefaultReasoningEffort", "OPENAI_DEFAULT_MODEL_ENV_VARIABLE_NAME", "get_default_model",
        "get_default_model_settings", "gpt_5_reasoning_settings_required", "is_gpt_5_default",
    ],
    "models.fake_id": ["FAKE_RESPONSES_ID"],
    "models.interface": ["Model", "ModelProvider", "ModelTracing"],
    "models.openai_agent_registration": [
        "OPENAI_HARNESS_ID_TRACE_METADATA_KEY", "OpenAIAgentRegistrationConfig",
        "set_default_openai_agent_registration_config",
    ],
    "models.reasoning_content_replay": [
        "ReasoningContentReplayContext", "ReasoningContentSource", "ShouldReplayReasoningContent",
        "default_should_replay_reasoning_content",
    ],
    "result": ["AgentToolInvocation", "RunResult", "RunResultStreaming"],
    "run_context": ["AgentHookContext", "RunContextWrapper", "TContext"],
    "strict_schema": ["ensure_strict_json_schema"],
    "tool": ["FunctionTool", "ShellOnApprovalFunctionResult", "default_tool_error_function", "function_tool"],
    "tracing.create": [
        "agent_span", "custom_span", "function_span", "generation_span", "get_current_span", "get_current_trace",
        "guardrail_span", "handoff_span", "mcp_tools_span", "response_span", "speech_group_span", "speech_span",
        "task_span", "trace", "transcription_span", "turn_span",
    ],
    "tracing.config": ["TracingConfig", "include_task_and_turn_spans"],
    "tracing.logger": ["logger"],
    "tracing.model_tracing": ["get_model_tracing_impl"],
    "tracing.processor_interface": ["TracingExporter", "TracingProcessor"],
    "tracing.processors": [
        "BackendSpanExporter", "BatchTraceProcessor", "ConsoleSpanExporter", "default_exporter", "default_processor"
    ],
    "tracing.span_data": [
        "AgentSpanData", "CustomSpanData", "FunctionSpanData", "GenerationSpanData", "GuardrailSpanData",
        "HandoffSpanData", "MCPListToolsSpanData", "ResponseSpanData", "SpanData", "SpeechGroupSpanData",
        "SpeechSpanData", "TaskSpanData", "TranscriptionSpanData", "TurnSpanData",
    ],
    "tracing.traces": ["Trace"],
    "tracing.util": ["gen_span_id", "gen_trace_id"],
    "usage": [
        "InputTokensDetails", "OutputTokensDetails", "RequestUsage", "Usage", "deserialize_usage", "serialize_usage"
    ],
    "voice.testing": [
        "STTCall", "STTSessionCall", "ScriptedSTTModel", "ScriptedTTSModel", "ScriptedTranscriptionSession",
        "ScriptedVoiceWorkflow", "TTSCall", "TTSResult", "UnconsumedVoiceSteps", "UnexpectedVoiceCall",
        "VoiceScriptError", "pcm16_samples",
    ],
}
"""SDK module path -> the public names SDK users import from it that agents_otel provides."""

NOT_SUPPORTED: dict[str, list[str]] = {
    "mcp.util": ["MCPUtil"],
    "models.chatcmpl_converter": ["Converter"],
    "models.chatcmpl_helpers": ["ChatCmplHelpers", "HEADERS", "HEADERS_OVERRIDE"],
    "models.chatcmpl_stream_handler": ["ChatCmplStreamHandler", "Part", "SequenceNumber", "StreamingState"],
    "tracing.traces": ["NO_OP_TRACE", "NoOpTrace", "ReattachedTrace", "TraceImpl", "TraceState", "reattach_trace"],
}
"""Names the SDK has at these paths that agents_otel deliberately lacks: importing one says why."""

NOT_THE_ROOTS = {("tracing.traces", "Trace"): agents_otel.tracing.Trace}
"""The processor's ``Trace`` (``agents.tracing.traces.Trace``) is ``agents_otel.tracing.Trace``, not the root's
``Trace`` (``trace()``'s handle): see docs/migrating.md."""


def _import(path: str) -> ModuleType:
    try:
        return importlib.import_module(f"agents_otel.{path}")
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("agents_otel"):
            raise
        pytest.skip(f"agents_otel.{path} needs {exc.name}, an optional extra not installed here")


@pytest.mark.parametrize("path", SDK_MODULE_PATHS)
def test_every_sdk_module_path_exists(path: str) -> None:
    assert _import(path).__name__ == f"agents_otel.{path}"


@pytest.mark.parametrize(("path", "name"), [(p, n) for p, names in SDK_NAMES.items() for n in names])
def test_the_names_sdk_users_import_are_there(path: str, name: str) -> None:
    module = _import(path)
    namespace: dict[str, object] = {}
    exec(f"from agents_otel.{path} import {name}", namespace)  # the statement SDK code runs, after the rename
    value = namespace[name]
    assert value is getattr(module, name)
    assert name in getattr(module, "__all__", [name])  # modules that predate these paths have no __all__
    if (path, name) in NOT_THE_ROOTS:
        assert value is NOT_THE_ROOTS[path, name]
        assert value is not getattr(agents_otel, name)
    elif name in agents_otel.__all__:
        assert value is getattr(agents_otel, name), f"agents_otel.{path}.{name} is a second copy of the root's"
    parent = importlib.import_module(f"agents_otel.{path}".rpartition(".")[0])
    if parent is not agents_otel and name in getattr(parent, "__all__", ()):
        assert value is getattr(parent, name)


@pytest.mark.parametrize(("path", "name"), [(p, n) for p, names in NOT_SUPPORTED.items() for n in names])
def test_a_name_not_supported_says_why(path: str, name: str) -> None:
    _import(path)
    with pytest.raises(ImportError, match=rf"agents_otel\.{path}\.{name} .*not supported.*docs/migrating\.md"
    ) as info:
        exec(f"from agents_otel.{path} import {name}", {})
    assert isinstance(info.value, SDKNameNotSupportedError) and isinstance(info.value, UserError)


def test_an_unknown_name_is_a_plain_attribute_error() -> None:
    module = _import("tracing.processors")
    assert not hasattr(module, "NoSuchThing")
    with pytest.raises(ImportError, match="cannot import name 'NoSuchThing'"):
        exec("from agents_otel.tracing.processors import NoSuchThing", {})


def test_the_sdk_aliases_behave_as_the_sdk_says() -> None:
    from agents_otel.decorators import function_tool, tool
    from agents_otel.logger import logger
    from agents_otel.models.default_models import OPENAI_DEFAULT_MODEL_ENV_VARIABLE_NAME
    from agents_otel.tracing.logger import logger as tracing_logger

    assert tool is function_tool
    assert OPENAI_DEFAULT_MODEL_ENV_VARIABLE_NAME == "OPENAI_DEFAULT_MODEL"
    # the loggers SDK code configures are the parents of the package's own module loggers
    assert logger.name == "agents_otel"
    assert tracing_logger.name == "agents_otel.tracing"


def test_get_default_model_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from agents_otel.models.default_models import get_default_model
    from agents_otel.models.interface import DEFAULT_MODEL

    monkeypatch.delenv("OPENAI_DEFAULT_MODEL", raising=False)
    assert get_default_model() == DEFAULT_MODEL
    monkeypatch.setenv("OPENAI_DEFAULT_MODEL", "GPT-X")
    assert get_default_model() == "gpt-x"  # lower-cased, as in the SDK


def test_the_root_function_is_not_shadowed_by_a_module_of_its_name() -> None:
    """The SDK's ``agents.responses_websocket_session`` path gives its two names, and importing it leaves the root's
    ``responses_websocket_session`` the function (a plain module would have replaced it: see the module)."""
    import agents_otel.responses_ws_session as module

    namespace: dict[str, object] = {}
    exec("from agents_otel.responses_websocket_session import ResponsesWebSocketSession, responses_websocket_session",
         namespace)
    assert namespace["ResponsesWebSocketSession"] is agents_otel.ResponsesWebSocketSession
    assert namespace["responses_websocket_session"] is module.responses_websocket_session
    assert agents_otel.responses_websocket_session is module.responses_websocket_session
    assert importlib.import_module("agents_otel.responses_websocket_session") is module.responses_websocket_session
    assert callable(agents_otel.responses_websocket_session)


def test_importing_the_root_loads_no_optional_extra_and_no_sdk_path_module() -> None:
    heavy = ["agents_otel.voice", "agents_otel.realtime", "agents_otel.memory", "agents_otel.decorators",
             "agents_otel.tracing.processors", "litellm", "any_llm", "websockets", "numpy", "openai"]
    code = f"import sys, agents_otel; print([m for m in {heavy!r} if m in sys.modules])"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_a_nested_run_result_names_the_as_tool_call_it_answers() -> None:
    """The SDK's ``RunResult.agent_tool_invocation``: what a ``custom_output_extractor`` reads."""
    seen: list[AgentToolInvocation | None] = []

    def extract(result: RunResult) -> str:
        seen.append(result.agent_tool_invocation)
        return str(result.final_output)

    inner: Agent[None] = Agent(name="Inner", model=ScriptedModel([[assistant_message("inner answer")]]))
    tool = inner.as_tool("research", "Research.", custom_output_extractor=extract)
    outer_model = ScriptedModel([
        [function_call("research", {"input": "quantum"}, call_id="call-7")],
        [assistant_message("done")],
    ])
    result = await Runner.run(Agent(name="Outer", tools=[tool], model=outer_model), "go")
    assert seen == [AgentToolInvocation("research", "call-7", '{"input": "quantum"}')]
    assert result.agent_tool_invocation is None  # a top-level run
    with pytest.raises(AttributeError):
        seen[0].tool_name = "other"  # type: ignore[misc,union-attr]  # immutable, as in the SDK


def test_model_tracing_has_the_sdks_levels() -> None:
    from agents_otel.tracing.model_tracing import get_model_tracing_impl

    assert [(m.name, m.value) for m in ModelTracing] == [
        ("DISABLED", 0), ("ENABLED", 1), ("ENABLED_WITHOUT_DATA", 2)
    ]
    assert [(m.is_disabled(), m.include_data()) for m in ModelTracing] == [(True, False), (False, True), (False, False)]
    assert get_model_tracing_impl(True, True) is ModelTracing.DISABLED
    assert get_model_tracing_impl(False, True) is ModelTracing.ENABLED
    assert get_model_tracing_impl(False, False) is ModelTracing.ENABLED_WITHOUT_DATA
