"""Span, event and attribute names in one place.

``gen_ai.*`` names follow the OTel GenAI semantic conventions (open-telemetry/semantic-conventions-genai,
``model/gen-ai/spans.yaml``); ``tests/test_trace_conventions.py`` pins every one that the
``opentelemetry-semantic-conventions`` package defines to its constant, so an upstream rename fails a test.
The conventions define nothing for tool progress, so the progress event and its own attributes live in the
``agents_otel.*`` namespace rather than squatting on ``gen_ai.*``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from ..models.interface import Model

# GenAI semantic conventions
GEN_AI_OPERATION_NAME: Final = "gen_ai.operation.name"
GEN_AI_PROVIDER_NAME: Final = "gen_ai.provider.name"
GEN_AI_AGENT_NAME: Final = "gen_ai.agent.name"
GEN_AI_CONVERSATION_ID: Final = "gen_ai.conversation.id"
GEN_AI_WORKFLOW_NAME: Final = "gen_ai.workflow.name"
GEN_AI_REQUEST_MODEL: Final = "gen_ai.request.model"
GEN_AI_REQUEST_TEMPERATURE: Final = "gen_ai.request.temperature"
GEN_AI_REQUEST_TOP_P: Final = "gen_ai.request.top_p"
GEN_AI_REQUEST_MAX_TOKENS: Final = "gen_ai.request.max_tokens"
GEN_AI_REQUEST_FREQUENCY_PENALTY: Final = "gen_ai.request.frequency_penalty"
GEN_AI_REQUEST_PRESENCE_PENALTY: Final = "gen_ai.request.presence_penalty"
GEN_AI_RESPONSE_MODEL: Final = "gen_ai.response.model"
GEN_AI_RESPONSE_ID: Final = "gen_ai.response.id"
GEN_AI_RESPONSE_FINISH_REASONS: Final = "gen_ai.response.finish_reasons"
GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK: Final = "gen_ai.response.time_to_first_chunk"
GEN_AI_REQUEST_STREAM: Final = "gen_ai.request.stream"
GEN_AI_USAGE_INPUT_TOKENS: Final = "gen_ai.usage.input_tokens"
GEN_AI_USAGE_OUTPUT_TOKENS: Final = "gen_ai.usage.output_tokens"
GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS: Final = "gen_ai.usage.cache_read.input_tokens"
GEN_AI_USAGE_REASONING_OUTPUT_TOKENS: Final = "gen_ai.usage.reasoning.output_tokens"
GEN_AI_TOOL_NAME: Final = "gen_ai.tool.name"
GEN_AI_TOOL_CALL_ID: Final = "gen_ai.tool.call.id"
GEN_AI_TOOL_TYPE: Final = "gen_ai.tool.type"
GEN_AI_TOOL_DESCRIPTION: Final = "gen_ai.tool.description"
GEN_AI_TOOL_CALL_ARGUMENTS: Final = "gen_ai.tool.call.arguments"
GEN_AI_TOOL_CALL_RESULT: Final = "gen_ai.tool.call.result"
GEN_AI_INPUT_MESSAGES: Final = "gen_ai.input.messages"
GEN_AI_OUTPUT_MESSAGES: Final = "gen_ai.output.messages"
GEN_AI_SYSTEM_INSTRUCTIONS: Final = "gen_ai.system_instructions"
GEN_AI_TOOL_DEFINITIONS: Final = "gen_ai.tool.definitions"
SERVER_ADDRESS: Final = "server.address"
SERVER_PORT: Final = "server.port"
NETWORK_PROTOCOL_NAME: Final = "network.protocol.name"
"""The general conventions' application protocol: set on a ``chat`` span whose model talks over a websocket."""
ERROR_TYPE: Final = "error.type"

OP_INVOKE_AGENT: Final = "invoke_agent"
OP_CHAT: Final = "chat"
OP_EXECUTE_TOOL: Final = "execute_tool"
OP_INVOKE_WORKFLOW: Final = "invoke_workflow"

# agents_otel's own: the progress span event
PROGRESS_EVENT: Final = "agents_otel.tool.progress"
"""Name of the span event one ``send_progress`` call records on its ``execute_tool`` span."""
PROGRESS_SEQUENCE: Final = "agents_otel.progress.sequence"
PROGRESS_DATA: Final = "agents_otel.progress.data"
"""The payload, JSON-encoded. Top-level scalar fields of a dict payload are also set as
``agents_otel.progress.data.<key>`` so backends can filter on them without parsing JSON."""
PROGRESS_DATA_PREFIX: Final = PROGRESS_DATA + "."
PROGRESS_TRUNCATED: Final = "agents_otel.progress.truncated"
"""``True`` on a progress event whose JSON exceeded ``RunConfig.max_progress_payload_bytes`` and was cut."""
PROGRESS_ORIGINAL_BYTES: Final = "agents_otel.progress.original_bytes"
"""Size of the full JSON payload, set next to ``PROGRESS_TRUNCATED``."""

# Span attributes set when a call that reported progress ends (trace-side sampling totals)
PROGRESS_EMITTED: Final = "agents_otel.progress.emitted"
PROGRESS_RECORDED: Final = "agents_otel.progress.recorded"
PROGRESS_DROPPED: Final = "agents_otel.progress.dropped"

# The stall span event: a call sent no progress for its stall timeout
STALLED_EVENT: Final = "agents_otel.tool.stalled"
STALLED_FOR: Final = "agents_otel.stall.duration"
"""Seconds since the call's last progress (or its start) when the stall was detected."""
STALL_TIMEOUT: Final = "agents_otel.stall.timeout"

# Structured output, handoffs and guardrails
GEN_AI_OUTPUT_TYPE: Final = "gen_ai.output.type"
"""``json`` when the agent has a structured ``output_type``, else ``text`` (a value the conventions define)."""
HANDOFF_FROM_AGENT: Final = "agents_otel.handoff.from_agent"
HANDOFF_TO_AGENT: Final = "agents_otel.handoff.to_agent"
HANDOFF_HISTORY_NESTED: Final = "agents_otel.handoff.history_nested"
"""``true`` when the next agent read the conversation nested into summary segments (``nest_handoff_history``)."""
TASK_NAME: Final = "agents_otel.task.name"
"""A ``task_span()``'s name (the SDK's ``TaskSpanData.name``)."""
TURN_NUMBER: Final = "agents_otel.turn.number"
"""A ``turn_span()``'s turn number (the SDK's ``TurnSpanData.turn``); its agent is ``gen_ai.agent.name``."""
OP_TRANSCRIPTION: Final = "transcription"
"""A speech-to-text model call (``transcription_span()``). The conventions name no operation for it; ours."""
OP_SPEECH: Final = "speech"
"""A text-to-speech model call (``speech_span()``); its ``gen_ai.output.type`` is the conventions' ``speech``."""
AUDIO_INPUT_FORMAT: Final = "agents_otel.audio.input.format"
"""The audio's format (``pcm``, ...) as the SDK's ``input_format`` / ``output_format`` names it."""
AUDIO_INPUT_SIZE: Final = "agents_otel.audio.input.size"
"""The audio's size in bytes (decoded from the base64 the SDK passes): recorded always, as the audio is not."""
AUDIO_OUTPUT_FORMAT: Final = "agents_otel.audio.output.format"
AUDIO_OUTPUT_SIZE: Final = "agents_otel.audio.output.size"
SPEECH_FIRST_CONTENT_AT: Final = "agents_otel.speech.first_content_at"
"""When a ``speech_span()``'s first audio arrived (the SDK's ``first_content_at``, an ISO timestamp)."""
SPEECH_GROUP_INPUT_LENGTH: Final = "agents_otel.speech_group.input.length"
"""A ``speech_group_span()``'s text length in characters (its text itself only under content capture, as
``agents_otel.speech_group.input``)."""
SPEECH_GROUP_INPUT: Final = "agents_otel.speech_group.input"
VOICE_MODEL_CONFIG: Final = "agents_otel.voice.model_config"
"""A voice span's whole ``model_config`` as JSON, under content capture only (it holds prompts and instructions);
its temperature is ``gen_ai.request.temperature`` always."""
GUARDRAIL_NAME: Final = "agents_otel.guardrail.name"
GUARDRAIL_TYPE: Final = "agents_otel.guardrail.type"
"""``input`` or ``output`` (an agent's), ``tool_input`` or ``tool_output`` (a tool's)."""
GUARDRAIL_TRIPWIRE_TRIGGERED: Final = "agents_otel.guardrail.tripwire_triggered"
GUARDRAIL_BEHAVIOR: Final = "agents_otel.guardrail.behavior"
"""A tool guardrail's verdict: ``allow``, ``reject_content`` or ``raise_exception``."""
GUARDRAIL_PRE_APPROVAL: Final = "agents_otel.guardrail.pre_approval"
"""``true`` on a tool input guardrail's span when it judged a call before the call waited for approval
(``ToolExecutionConfig(pre_approval_tool_input_guardrails=True)``): it nests under the agent's span, the call has
no ``execute_tool`` span yet."""
TOOL_REJECTED_BY: Final = "agents_otel.tool.rejected_by"
"""On an ``execute_tool`` span: the tool guardrail whose ``reject_content`` replaced the call's output."""
TOOL_CALLER: Final = "agents_otel.tool.caller"
"""On an ``execute_tool`` span: ``"program"`` when code the model wrote made the call (``ProgrammaticToolCallingTool``)
rather than the model itself (absent then)."""
TOOL_PROGRAM_CALL_ID: Final = "agents_otel.tool.program_call_id"
"""With :data:`TOOL_CALLER`: the ``call_id`` of the ``program`` item whose code made the call."""

# Hosted tools (WebSearchTool, ...): calls the provider ran inside one model call
SERVER_TOOL_CALL_EVENT: Final = "agents_otel.server_tool_call"
"""A span event on the ``chat`` span, one per hosted tool call in the model's answer (there is no ``execute_tool``
span: nothing ran here). Carries ``gen_ai.tool.name``, ``gen_ai.tool.call.id`` and the two below."""
SERVER_TOOL_CALL_TYPE: Final = "agents_otel.server_tool_call.type"
"""The Responses API item type: ``web_search_call``, ``file_search_call``, ``code_interpreter_call``,
``image_generation_call``, ``mcp_call``, ``mcp_list_tools``."""
SERVER_TOOL_CALL_STATUS: Final = "agents_otel.server_tool_call.status"
"""The item's ``status`` as the provider reported it (``completed``, ``failed``, ``incomplete``, ...)."""
SERVER_TOOL_CALL_SERVER_LABEL: Final = "agents_otel.server_tool_call.server_label"
"""A hosted MCP server's ``server_label``: on its ``mcp_call`` / ``mcp_list_tools`` events and approval events."""
# The hosted multi-agent beta (agents_otel.extensions.experimental.hosted_multi_agent): the service's sub-agents
HOSTED_AGENT_ITEM_EVENT: Final = "agents_otel.hosted_agent.item"
"""A span event on the ``chat`` span, one per item a hosted agent produced during that model call (a sub-agent's
message, ``multi_agent_call`` / ``multi_agent_call_output``, ``agent_message``, a hosted agent's function call, the
root's answer): the agents ran on the service, so they have no spans here. Carries the attributes below and
``gen_ai.tool.call.id`` / ``gen_ai.tool.name`` when the item has them; never content."""
HOSTED_AGENT_ITEM_TYPE: Final = "agents_otel.hosted_agent.item.type"
"""The item's Responses type (``multi_agent_call``, ``message``, ``function_call``, ...)."""
HOSTED_AGENT_ITEM_ID: Final = "agents_otel.hosted_agent.item.id"
HOSTED_AGENT_NAME: Final = "agents_otel.hosted_agent.name"
"""The hosted agent the item is attributed to: ``/root``, ``/root/researcher``, ..."""
HOSTED_AGENT_PHASE: Final = "agents_otel.hosted_agent.phase"
"""A message's ``phase`` (``commentary``, ``final_answer``)."""
HOSTED_AGENT_ACTION: Final = "agents_otel.hosted_agent.action"
"""A ``multi_agent_call``'s ``action`` (``spawn_agent``, ...)."""
HOSTED_MCP_APPROVAL_EVENT: Final = "agents_otel.hosted_mcp.approval"
"""Event on the ``invoke_agent`` span: ``on_approval_request`` decided a hosted MCP server's approval request
(``gen_ai.tool.name``, ``gen_ai.tool.call.id`` = the request's id, the server label, ``agents_otel.tool.approval``;
the rejection reason only under content capture)."""
HOSTED_MCP_APPROVAL_REASON: Final = "agents_otel.hosted_mcp.approval.reason"

# Computer use (computer_run)
COMPUTER_ACTIONS: Final = "agents_otel.computer.actions"
"""On a computer call's ``execute_tool`` span: the types of the actions it ran, in order (``["click", "type"]``)."""
COMPUTER_SCREENSHOT_MIME_TYPE: Final = "agents_otel.computer.screenshot.mime_type"
COMPUTER_SCREENSHOT_SIZE: Final = "agents_otel.computer.screenshot.size"
"""The screenshot the call answered with, in bytes: the span records its type and size, never the image."""

# Human-in-the-loop tool approvals (tool_approvals)
TOOL_APPROVAL: Final = "agents_otel.tool.approval"
"""On an ``execute_tool`` span: ``approved`` or ``rejected``, for a call that waited for a person's decision (a
rejected call's span holds the rejection message as its result and never ran the tool)."""
APPROVAL_APPROVED: Final = "approved"
APPROVAL_REJECTED: Final = "rejected"
APPROVAL_REQUESTED_EVENT: Final = "agents_otel.tool.approval_requested"
"""Event on the ``invoke_agent`` span of a run that stopped for approvals: one per waiting call
(``gen_ai.tool.name``, ``gen_ai.tool.call.id``)."""
APPROVALS_PENDING: Final = "agents_otel.approvals.pending"
"""On that ``invoke_agent`` span: how many calls wait; the span ended without a final output because of them."""
RUN_RESUMED: Final = "agents_otel.run.resumed"
"""``true`` on the top span of a run resumed from a ``RunState``; its link (``agents_otel.link.type=resumes``) points
at the ``invoke_agent`` span that stopped."""
LINK_TYPE: Final = "agents_otel.link.type"
LINK_RESUMES: Final = "resumes"

# A run error handler (Runner.run(error_handlers=...)) replaced an error with a final output
ERROR_HANDLER: Final = "agents_otel.error_handler"
"""On the ``invoke_agent`` span: the kind of handler called (``max_turns``, ``invalid_final_output``). The error
itself is the span's ``exception`` event; the span has no ``error.type`` unless the handler failed too."""

# Server-side conversation state (Runner.run(previous_response_id=..., conversation_id=...))
PREVIOUS_RESPONSE_ID: Final = "agents_otel.request.previous_response_id"
"""On a ``chat`` span: the stored response the call continued (sent as the Responses API's
``previous_response_id``); the call's input messages are then only what that response had not seen."""
SERVER_CONVERSATION_ID: Final = "agents_otel.request.conversation_id"
"""On a ``chat`` span: the stored OpenAI conversation the call added to (sent as ``conversation``). The run's
``gen_ai.conversation.id`` is the same id unless ``RunConfig.conversation_id`` names the run otherwise."""

# Runner-managed model retries (ModelSettings(retry=...)): each attempt is a chat span of its own
RETRY_ATTEMPT: Final = "agents_otel.retry.attempt"
"""On a ``chat`` span that is a retry: which one (1 for the first; absent on the first call), as HTTP's
``http.request.resend_count``. On the retry event: the retry that follows."""
RETRY_EVENT: Final = "agents_otel.retry"
"""On a failed ``chat`` span, after its ``exception`` event: the failure is retried (absent: it was final)."""
RETRY_DELAY: Final = "agents_otel.retry.delay"
"""On the retry event: seconds waited before the retry (policy delay, ``Retry-After`` or backoff)."""
# Responses compaction (OpenAIResponsesCompactionSession): the ``compact {model}`` span (kind CLIENT)
OP_COMPACT: Final = "compact"
"""``gen_ai.operation.name`` of a ``responses.compact`` call: the conventions' list is open and names no
compaction, and ``chat`` would count it as a model turn in every chat dashboard."""
COMPACTION_MODE: Final = "agents_otel.compaction.mode"
"""How the history was given: ``input`` (the session's items sent) or ``previous_response_id`` (a stored
response referred to, which is then ``agents_otel.request.previous_response_id``)."""
COMPACTION_INPUT_ITEMS: Final = "agents_otel.compaction.input_items"
"""How many items the session held when it compacted (all sent in ``input`` mode)."""
COMPACTION_OUTPUT_ITEMS: Final = "agents_otel.compaction.output_items"
"""How many items replaced them in the session."""
COMPACTION_FORCED: Final = "agents_otel.compaction.forced"
"""``true`` when the call was forced (``force``, or a compaction deferred past a turn with tool outputs) rather
than decided by the session's ``should_trigger_compaction``."""

# MCP tool listings (the SDK's mcp_tools_span()): the MCP conventions' method name, and our own details
MCP_METHOD_NAME: Final = "mcp.method.name"
MCP_TOOLS_LIST: Final = "tools/list"
MCP_SERVER_NAME: Final = "agents_otel.mcp.server.name"
"""On a ``tools/list`` span: the MCP server's name (the MCP conventions have no attribute for it)."""
MCP_TOOLS_LISTED: Final = "agents_otel.mcp.tools"
"""On a ``tools/list`` span: the tool names the server listed (content capture only, like tool definitions)."""

# error.type values for failures that are not exceptions of their own
ERROR_CANCELLED: Final = "cancelled"
ERROR_TIMEOUT: Final = "timeout"
ERROR_OTHER: Final = "_OTHER"
"""The conventions' ``error.type`` for an error of no known type (an SDK span's ``set_error``)."""


def model_attributes(model: Model) -> dict[str, Any]:
    """Who was called: shared by the ``chat`` span and the model-call metrics, so both carry the same identity."""
    attributes: dict[str, Any] = {
        GEN_AI_OPERATION_NAME: OP_CHAT,
        GEN_AI_PROVIDER_NAME: model.provider_name,
        GEN_AI_REQUEST_MODEL: model.model_name,
    }
    if model.server_address:
        attributes[SERVER_ADDRESS] = model.server_address
        if model.server_port:
            attributes[SERVER_PORT] = model.server_port
    return attributes


def error_type_of(exc: BaseException) -> str:
    """A low-cardinality ``error.type``: the class name for builtins, else ``module.QualName``."""
    from ..exceptions import ModelError, ToolError

    if isinstance(exc, ToolError):
        return exc.error_type
    if isinstance(exc, ModelError):
        return exc.error_type
    cls = type(exc)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"
