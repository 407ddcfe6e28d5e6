"""agents_otel: an agent runtime in which OpenTelemetry is the backbone.

Every run, model call and tool call is a span named by the OTel GenAI conventions, and
``ToolContext.send_progress`` records a span event that the stream processor forwards, live, to
``Runner.run_streamed(...).stream_events()``.
"""

from __future__ import annotations

import typing

from .admitted_input import InputItem
from .agent import Agent, AgentBase, AgentToolStreamEvent
from .agent_tool_input import StructuredToolInputBuilder, StructuredToolInputBuilderOptions
from .apply_diff import apply_diff
from .approval_item import ToolApprovalItem
from .compaction_item import CompactionItem
from .computer import AsyncComputer, Button, Computer, ComputerProvider, ComputerTool, Environment
from .computer_run import dispose_resolved_computers, resolve_computer
from .context_wrapper import RunContextWrapper, TContext
from .current_tool import current_tool_context, send_progress
from .custom_tool import CustomTool
from .exceptions import (
    AgentsException,
    AgentsOtelError,
    InputGuardrailTripwireTriggered,
    MaxTurnsExceeded,
    MCPToolCancellationError,
    ModelBehaviorError,
    ModelConnectionError,
    ModelError,
    ModelHTTPError,
    ModelRateLimitError,
    ModelRefusalError,
    ModelTimeoutError,
    OutputGuardrailTripwireTriggered,
    ProgressPayloadError,
    RunErrorDetails,
    ToolArgumentsError,
    ToolCancelledError,
    ToolError,
    ToolInputGuardrailTripwireTriggered,
    ToolNotFoundError,
    ToolOutputError,
    ToolOutputGuardrailTripwireTriggered,
    ToolTimeoutError,
    UserError,
)
from .guardrails import (
    GuardrailFunctionOutput,
    InputGuardrail,
    InputGuardrailResult,
    OutputGuardrail,
    OutputGuardrailResult,
    input_guardrail,
    output_guardrail,
)
from .handoff_history import (
    HandoffHistoryMapper,
    default_handoff_history_mapper,
    get_conversation_history_wrappers,
    nest_handoff_history,
    reset_conversation_history_wrappers,
    set_conversation_history_wrappers,
)
from .handoffs import Handoff, HandoffInputData, HandoffInputFilter, handoff
from .hosted_mcp import (
    HostedMCPTool,
    MCPApprovalRequestItem,
    MCPApprovalResponseItem,
    MCPListToolsItem,
    MCPToolApprovalFunction,
    MCPToolApprovalFunctionResult,
    MCPToolApprovalRequest,
)
from .hosted_tools import (
    CodeInterpreterTool,
    FileSearchTool,
    HostedToolCallItem,
    ImageGenerationTool,
    ImageGenerationToolConfig,
    WebSearchTool,
    WebSearchToolImageSettings,
)
from .item_helpers import ItemHelpers
from .items import (
    AssistantMessage,
    FunctionCall,
    FunctionCallOutput,
    HandoffCallItem,
    HandoffOutputItem,
    MessageOutputItem,
    RawInputItem,
    ReasoningItem,
    RunItem,
    SystemMessage,
    ToolCallIdentity,
    ToolCallItem,
    ToolCallOutputItem,
    UserMessage,
)
from .lifecycle import AgentHookContext, AgentHooks, AgentHooksBase, RunHooks, RunHooksBase
from .local_tools import (
    ApplyPatchEditor,
    ApplyPatchOperation,
    ApplyPatchResult,
    ApplyPatchTool,
    LocalShellCommandRequest,
    LocalShellExecutor,
    LocalShellTool,
    ShellActionRequest,
    ShellCallData,
    ShellCallOutcome,
    ShellCommandOutput,
    ShellCommandRequest,
    ShellExecutor,
    ShellResult,
    ShellTool,
    ShellToolContainerAutoEnvironment,
    ShellToolContainerNetworkPolicy,
    ShellToolContainerNetworkPolicyAllowlist,
    ShellToolContainerNetworkPolicyDisabled,
    ShellToolContainerNetworkPolicyDomainSecret,
    ShellToolContainerReferenceEnvironment,
    ShellToolContainerSkill,
    ShellToolEnvironment,
    ShellToolHostedEnvironment,
    ShellToolInlineSkill,
    ShellToolInlineSkillSource,
    ShellToolLocalEnvironment,
    ShellToolLocalSkill,
    ShellToolSkillReference,
)
from .model_input_filter import CallModelData, CallModelInputFilter, ModelInputData
from .models import OpenAIResponsesWebSocketOptions, set_default_openai_api, set_default_openai_responses_transport
from .models.interface import (
    MCPToolChoice,
    Model,
    ModelProvider,
    ModelRequest,
    ModelResponse,
    ModelSettings,
    ModelTracing,
    TextDelta,
    ToolSpec,
    Usage,
)
from .openai_conversations_session import OpenAIConversationsSession
from .openai_registration import (
    OpenAIAgentRegistrationConfig,
    set_default_openai_agent_registration,
    set_default_openai_harness,
)
from .openai_responses_compaction_session import OpenAIResponsesCompactionSession
from .output_schema import AgentOutputSchema, AgentOutputSchemaBase
from .progress_sampling import ProgressSampling
from .prompts import DynamicPromptFunction, GenerateDynamicPromptData, Prompt
from .redaction import RedactionKind, Redactor, redact_keys
from .repl import run_demo_loop
from .result import AgentToolInvocation, RunResult, RunResultStreaming
from .retry import (
    ModelRetryAdvice,
    ModelRetryAdviceRequest,
    ModelRetryBackoffSettings,
    ModelRetryNormalizedError,
    ModelRetrySettings,
    RetryDecision,
    RetryPolicy,
    RetryPolicyContext,
    retry_policies,
)
from .run import Runner
from .run_config import (
    OutputGuardrailBlockedMessageArgs,
    OutputGuardrailBlockedMessageFormatter,
    ReasoningItemIdPolicy,
    RunConfig,
    ToolExecutionConfig,
    ToolNameCollisionPolicy,
    ToolNotFoundBehavior,
)
from .run_error_handlers import (
    RunErrorData,
    RunErrorHandler,
    RunErrorHandlerInput,
    RunErrorHandlerResult,
    RunErrorHandlers,
)
from .run_resume_state import RunState
from .session_compaction import (
    OpenAIResponsesCompactionArgs,
    OpenAIResponsesCompactionAwareSession,
    is_openai_responses_compaction_aware_session,
)
from .sessions import Session, SessionABC, SessionSettings, SQLiteSession
from .stream_events import (
    AgentUpdatedStreamEvent,
    GuardrailTripwireStreamEvent,
    RawResponsesStreamEvent,
    RunItemStreamEvent,
    StreamEvent,
    ToolProgressStreamEvent,
    ToolStalledStreamEvent,
)
from .tool import FunctionTool, Tool, default_tool_error_function, function_tool
from .tool_context import ToolContext
from .tool_errors import ToolErrorFormatter, ToolErrorFormatterArgs
from .tool_features import (
    ApplyPatchToolCustomDataContext,
    ApplyPatchToolCustomDataExtractor,
    ComputerToolCustomDataContext,
    ComputerToolCustomDataExtractor,
    CustomToolCustomDataContext,
    CustomToolCustomDataExtractor,
    FunctionToolCustomDataContext,
    FunctionToolCustomDataExtractor,
    ToolCaller,
)
from .tool_guardrails import (
    AllowBehavior,
    RaiseExceptionBehavior,
    RejectContentBehavior,
    ToolGuardrailFunctionOutput,
    ToolInputGuardrail,
    ToolInputGuardrailData,
    ToolInputGuardrailResult,
    ToolOutputGuardrail,
    ToolOutputGuardrailData,
    ToolOutputGuardrailResult,
    tool_input_guardrail,
    tool_output_guardrail,
)
from .tool_namespace import tool_namespace
from .tool_origin import ToolOrigin, ToolOriginType
from .tool_output_types import (
    ToolOutputFileContent,
    ToolOutputFileContentDict,
    ToolOutputImage,
    ToolOutputImageDict,
    ToolOutputText,
    ToolOutputTextDict,
)
from .tool_search import ProgrammaticToolCallingTool, ToolSearchCallItem, ToolSearchOutputItem, ToolSearchTool
from .tool_use_behavior import FunctionToolResult, StopAtTools, ToolsToFinalOutputFunction, ToolsToFinalOutputResult
from .tracing.metrics_export import MetricsConfigurationError, configure_metrics
from .tracing.processor import ToolStreamProcessor
from .tracing.provider import flush_traces, set_tracing_disabled
from .tracing.sdk_provider import gen_span_id, set_trace_provider, set_tracing_export_api_key
from .tracing.sdk_span_data import (
    AgentSpanData,
    CustomSpanData,
    FunctionSpanData,
    GenerationSpanData,
    GuardrailSpanData,
    HandoffSpanData,
    MCPListToolsSpanData,
    ResponseSpanData,
    SpanData,
    SpeechGroupSpanData,
    SpeechSpanData,
    TaskSpanData,
    TranscriptionSpanData,
    TurnSpanData,
)
from .tracing.sdk_spans import (
    CustomSpan,
    agent_span,
    custom_span,
    function_span,
    gen_trace_id,
    generation_span,
    get_current_span,
    get_current_trace,
    guardrail_span,
    handoff_span,
    mcp_tools_span,
    response_span,
    task_span,
    turn_span,
)
from .tracing.sdk_trace_bridge import add_trace_processor, set_trace_processors
from .tracing.sdk_tracing import Span, SpanError, TracingProcessor
from .tracing.sdk_voice_spans import speech_group_span, speech_span, transcription_span
from .tracing.setup import TracingConfigurationError, configure_tracing
from .tracing.workflow import Trace, trace
from .verbose_logging import enable_verbose_stdout_logging
from .version import __version__

if typing.TYPE_CHECKING:
    from .models._openai_client import set_default_openai_client, set_default_openai_key
    from .models.multi_provider import MultiProvider
    from .models.openai_chatcompletions import OpenAIChatCompletionsModel
    from .models.openai_provider import OpenAIProvider
    from .models.openai_responses import OpenAIResponsesModel, TResponseInputItem
    from .models.responses_websocket import OpenAIResponsesWSModel
    from .responses_ws_session import ResponsesWebSocketSession, responses_websocket_session

_LAZY = {
    "OpenAIResponsesModel": ".models.openai_responses",
    "OpenAIChatCompletionsModel": ".models.openai_chatcompletions",
    "set_default_openai_client": ".models._openai_client",
    "set_default_openai_key": ".models._openai_client",
    "TResponseInputItem": ".models.openai_responses",
    "OpenAIProvider": ".models.openai_provider",
    "MultiProvider": ".models.multi_provider",
    "OpenAIResponsesWSModel": ".models.responses_websocket",
    "ResponsesWebSocketSession": ".responses_ws_session",
    "responses_websocket_session": ".responses_ws_session",
}
"""Names whose modules import ``openai`` (~0.4 s): loaded on first use, so the CLI and offline runs start fast."""


def __getattr__(name: str) -> typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "Agent",
    "AgentBase",
    "AgentHookContext",
    "AgentHooks",
    "AgentHooksBase",
    "AgentOutputSchema",
    "AgentOutputSchemaBase",
    "AgentSpanData",
    "AgentToolInvocation",
    "AgentToolStreamEvent",
    "AgentUpdatedStreamEvent",
    "AgentsException",
    "AgentsOtelError",
    "AllowBehavior",
    "ApplyPatchEditor",
    "ApplyPatchOperation",
    "ApplyPatchResult",
    "ApplyPatchTool",
    "ApplyPatchToolCustomDataContext",
    "ApplyPatchToolCustomDataExtractor",
    "AssistantMessage",
    "AsyncComputer",
    "Button",
    "CallModelData",
    "CallModelInputFilter",
    "CodeInterpreterTool",
    "CompactionItem",
    "Computer",
    "ComputerProvider",
    "ComputerTool",
    "ComputerToolCustomDataContext",
    "ComputerToolCustomDataExtractor",
    "CustomSpan",
    "CustomSpanData",
    "CustomTool",
    "CustomToolCustomDataContext",
    "CustomToolCustomDataExtractor",
    "DynamicPromptFunction",
    "Environment",
    "FileSearchTool",
    "FunctionCall",
    "FunctionCallOutput",
    "FunctionSpanData",
    "FunctionTool",
    "FunctionToolCustomDataContext",
    "FunctionToolCustomDataExtractor",
    "FunctionToolResult",
    "GenerateDynamicPromptData",
    "GenerationSpanData",
    "GuardrailFunctionOutput",
    "GuardrailSpanData",
    "GuardrailTripwireStreamEvent",
    "Handoff",
    "HandoffCallItem",
    "HandoffHistoryMapper",
    "HandoffInputData",
    "HandoffInputFilter",
    "HandoffOutputItem",
    "HandoffSpanData",
    "HostedMCPTool",
    "HostedToolCallItem",
    "ImageGenerationTool",
    "ImageGenerationToolConfig",
    "InputGuardrail",
    "InputGuardrailResult",
    "InputGuardrailTripwireTriggered",
    "InputItem",
    "ItemHelpers",
    "LocalShellCommandRequest",
    "LocalShellExecutor",
    "LocalShellTool",
    "MCPApprovalRequestItem",
    "MCPApprovalResponseItem",
    "MCPListToolsItem",
    "MCPListToolsSpanData",
    "MCPToolApprovalFunction",
    "MCPToolApprovalFunctionResult",
    "MCPToolApprovalRequest",
    "MCPToolCancellationError",
    "MCPToolChoice",
    "MaxTurnsExceeded",
    "MessageOutputItem",
    "MetricsConfigurationError",
    "Model",
    "ModelBehaviorError",
    "ModelConnectionError",
    "ModelError",
    "ModelHTTPError",
    "ModelInputData",
    "ModelProvider",
    "ModelRateLimitError",
    "ModelRefusalError",
    "ModelRequest",
    "ModelResponse",
    "ModelRetryAdvice",
    "ModelRetryAdviceRequest",
    "ModelRetryBackoffSettings",
    "ModelRetryNormalizedError",
    "ModelRetrySettings",
    "ModelSettings",
    "ModelTimeoutError",
    "ModelTracing",
    "MultiProvider",
    "OpenAIAgentRegistrationConfig",
    "OpenAIChatCompletionsModel",
    "OpenAIConversationsSession",
    "OpenAIProvider",
    "OpenAIResponsesCompactionArgs",
    "OpenAIResponsesCompactionAwareSession",
    "OpenAIResponsesCompactionSession",
    "OpenAIResponsesModel",
    "OpenAIResponsesWSModel",
    "OpenAIResponsesWebSocketOptions",
    "OutputGuardrail",
    "OutputGuardrailBlockedMessageArgs",
    "OutputGuardrailBlockedMessageFormatter",
    "OutputGuardrailResult",
    "OutputGuardrailTripwireTriggered",
    "ProgrammaticToolCallingTool",
    "ProgressPayloadError",
    "ProgressSampling",
    "Prompt",
    "RaiseExceptionBehavior",
    "RawInputItem",
    "RawResponsesStreamEvent",
    "ReasoningItem",
    "ReasoningItemIdPolicy",
    "RedactionKind",
    "Redactor",
    "RejectContentBehavior",
    "ResponseSpanData",
    "ResponsesWebSocketSession",
    "RetryDecision",
    "RetryPolicy",
    "RetryPolicyContext",
    "RunConfig",
    "RunContextWrapper",
    "RunErrorData",
    "RunErrorDetails",
    "RunErrorHandler",
    "RunErrorHandlerInput",
    "RunErrorHandlerResult",
    "RunErrorHandlers",
    "RunHooks",
    "RunHooksBase",
    "RunItem",
    "RunItemStreamEvent",
    "RunResult",
    "RunResultStreaming",
    "RunState",
    "Runner",
    "SQLiteSession",
    "Session",
    "SessionABC",
    "SessionSettings",
    "ShellActionRequest",
    "ShellCallData",
    "ShellCallOutcome",
    "ShellCommandOutput",
    "ShellCommandRequest",
    "ShellExecutor",
    "ShellResult",
    "ShellTool",
    "ShellToolContainerAutoEnvironment",
    "ShellToolContainerNetworkPolicy",
    "ShellToolContainerNetworkPolicyAllowlist",
    "ShellToolContainerNetworkPolicyDisabled",
    "ShellToolContainerNetworkPolicyDomainSecret",
    "ShellToolContainerReferenceEnvironment",
    "ShellToolContainerSkill",
    "ShellToolEnvironment",
    "ShellToolHostedEnvironment",
    "ShellToolInlineSkill",
    "ShellToolInlineSkillSource",
    "ShellToolLocalEnvironment",
    "ShellToolLocalSkill",
    "ShellToolSkillReference",
    "Span",
    "SpanData",
    "SpanError",
    "SpeechGroupSpanData",
    "SpeechSpanData",
    "StopAtTools",
    "StreamEvent",
    "StructuredToolInputBuilder",
    "StructuredToolInputBuilderOptions",
    "SystemMessage",
    "TContext",
    "TResponseInputItem",
    "TaskSpanData",
    "TextDelta",
    "Tool",
    "ToolApprovalItem",
    "ToolArgumentsError",
    "ToolCallIdentity",
    "ToolCallItem",
    "ToolCallOutputItem",
    "ToolCaller",
    "ToolCancelledError",
    "ToolContext",
    "ToolError",
    "ToolErrorFormatter",
    "ToolErrorFormatterArgs",
    "ToolExecutionConfig",
    "ToolGuardrailFunctionOutput",
    "ToolInputGuardrail",
    "ToolInputGuardrailData",
    "ToolInputGuardrailResult",
    "ToolInputGuardrailTripwireTriggered",
    "ToolNameCollisionPolicy",
    "ToolNotFoundBehavior",
    "ToolNotFoundError",
    "ToolOrigin",
    "ToolOriginType",
    "ToolOutputError",
    "ToolOutputFileContent",
    "ToolOutputFileContentDict",
    "ToolOutputGuardrail",
    "ToolOutputGuardrailData",
    "ToolOutputGuardrailResult",
    "ToolOutputGuardrailTripwireTriggered",
    "ToolOutputImage",
    "ToolOutputImageDict",
    "ToolOutputText",
    "ToolOutputTextDict",
    "ToolProgressStreamEvent",
    "ToolSearchCallItem",
    "ToolSearchOutputItem",
    "ToolSearchTool",
    "ToolSpec",
    "ToolStalledStreamEvent",
    "ToolStreamProcessor",
    "ToolTimeoutError",
    "ToolsToFinalOutputFunction",
    "ToolsToFinalOutputResult",
    "Trace",
    "TracingConfigurationError",
    "TracingProcessor",
    "TranscriptionSpanData",
    "TurnSpanData",
    "Usage",
    "UserError",
    "UserMessage",
    "WebSearchTool",
    "WebSearchToolImageSettings",
    "__version__",
    "add_trace_processor",
    "agent_span",
    "apply_diff",
    "configure_metrics",
    "configure_tracing",
    "current_tool_context",
    "custom_span",
    "default_handoff_history_mapper",
    "default_tool_error_function",
    "dispose_resolved_computers",
    "enable_verbose_stdout_logging",
    "flush_traces",
    "function_span",
    "function_tool",
    "gen_span_id",
    "gen_trace_id",
    "generation_span",
    "get_conversation_history_wrappers",
    "get_current_span",
    "get_current_trace",
    "guardrail_span",
    "handoff",
    "handoff_span",
    "input_guardrail",
    "is_openai_responses_compaction_aware_session",
    "mcp_tools_span",
    "nest_handoff_history",
    "output_guardrail",
    "redact_keys",
    "reset_conversation_history_wrappers",
    "resolve_computer",
    "response_span",
    "responses_websocket_session",
    "retry_policies",
    "run_demo_loop",
    "send_progress",
    "set_conversation_history_wrappers",
    "set_default_openai_agent_registration",
    "set_default_openai_api",
    "set_default_openai_client",
    "set_default_openai_harness",
    "set_default_openai_key",
    "set_default_openai_responses_transport",
    "set_trace_processors",
    "set_trace_provider",
    "set_tracing_disabled",
    "set_tracing_export_api_key",
    "speech_group_span",
    "speech_span",
    "task_span",
    "tool_input_guardrail",
    "tool_namespace",
    "tool_output_guardrail",
    "trace",
    "transcription_span",
    "turn_span",
]
