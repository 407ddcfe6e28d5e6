"""The realtime session's settings, as the SDK's ``agents.realtime.config`` names them (TypedDicts: code written
for the SDK passes plain dicts).

Why here and so loose: these dicts travel to the Realtime API almost as they are (``openai_session`` turns them
into ``session.update``), so unknown keys of the API's own (``audio.input.noise_reduction``, ...) are not ours to
reject.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, NotRequired, TypeAlias

from typing_extensions import TypedDict

from ..prompts import Prompt

if TYPE_CHECKING:
    from opentelemetry.trace import TracerProvider

    from ..guardrails import OutputGuardrail
    from ..handoffs import Handoff
    from ..tool import Tool
    from ..tool_errors import ToolErrorFormatter

RealtimeModelName: TypeAlias = (
    Literal["gpt-realtime", "gpt-realtime-2025-08-28", "gpt-realtime-mini", "gpt-4o-realtime-preview"] | str
)
RealtimeAudioFormat: TypeAlias = Literal["pcm16", "g711_ulaw", "g711_alaw"] | str | Mapping[str, Any]
RealtimeReasoningEffort: TypeAlias = Literal["minimal", "low", "medium", "high", "xhigh"] | str


class RealtimeClientMessage(TypedDict):
    """A raw client event: ``type`` and the rest of its body in ``other_data``."""

    type: str
    other_data: NotRequired[dict[str, Any]]


class RealtimeInputAudioTranscriptionConfig(TypedDict):
    language: NotRequired[str]
    model: NotRequired[str]
    prompt: NotRequired[str]


class RealtimeInputAudioNoiseReductionConfig(TypedDict):
    type: NotRequired[Literal["near_field", "far_field"]]


class RealtimeTurnDetectionConfig(TypedDict):
    type: NotRequired[Literal["semantic_vad", "server_vad"]]
    create_response: NotRequired[bool]
    eagerness: NotRequired[Literal["auto", "low", "medium", "high"]]
    interrupt_response: NotRequired[bool]
    prefix_padding_ms: NotRequired[int]
    silence_duration_ms: NotRequired[int]
    threshold: NotRequired[float]
    idle_timeout_ms: NotRequired[int]


class RealtimeReasoningConfig(TypedDict, total=False):
    effort: RealtimeReasoningEffort


class RealtimeModelTracingConfig(TypedDict):
    """The Realtime API's own (server-side) tracing of the session, and the name of our session span."""

    workflow_name: NotRequired[str]
    group_id: NotRequired[str]
    metadata: NotRequired[dict[str, Any]]


class RealtimeSessionModelSettings(TypedDict):
    """What the session asks of the model; the agent's instructions, tools and handoffs are added per agent."""

    model_name: NotRequired[RealtimeModelName]
    instructions: NotRequired[str]
    prompt: NotRequired[Prompt]
    modalities: NotRequired[list[Literal["text", "audio"]]]
    output_modalities: NotRequired[list[Literal["text", "audio"]]]
    audio: NotRequired[dict[str, Any]]
    voice: NotRequired[str]
    speed: NotRequired[float]
    max_output_tokens: NotRequired[int | Literal["inf"]]
    input_audio_format: NotRequired[RealtimeAudioFormat]
    output_audio_format: NotRequired[RealtimeAudioFormat]
    input_audio_transcription: NotRequired[RealtimeInputAudioTranscriptionConfig]
    input_audio_noise_reduction: NotRequired[RealtimeInputAudioNoiseReductionConfig | None]
    turn_detection: NotRequired[RealtimeTurnDetectionConfig | None]
    tool_choice: NotRequired[str | dict[str, Any]]
    parallel_tool_calls: NotRequired[bool]
    reasoning: NotRequired[RealtimeReasoningConfig]
    tools: NotRequired[list[Tool]]
    handoffs: NotRequired[list[Handoff[Any, Any]]]
    tracing: NotRequired[RealtimeModelTracingConfig | None]


class RealtimeGuardrailsSettings(TypedDict):
    debounce_text_length: NotRequired[int]
    """Output guardrails judge an item's text each time it has grown by this many characters (default 100)."""


class RealtimeToolExecutionConfig(TypedDict):
    pre_approval_tool_input_guardrails: NotRequired[bool]
    """``True``: a call that would wait for approval is judged by its tool's input guardrails first; one they
    reject is answered at once and never asks a person."""


class RealtimeRunConfig(TypedDict):
    """``RealtimeRunner(config=...)``. ``tracer_provider`` is ours (the session's spans go there, else to the
    current run's provider or the global one); the rest are the SDK's."""

    model_settings: NotRequired[RealtimeSessionModelSettings]
    output_guardrails: NotRequired[list[OutputGuardrail[Any]]]
    guardrails_settings: NotRequired[RealtimeGuardrailsSettings]
    tracing_disabled: NotRequired[bool]
    async_tool_calls: NotRequired[bool]
    tool_execution: NotRequired[RealtimeToolExecutionConfig]
    tool_error_formatter: NotRequired[ToolErrorFormatter]
    tracer_provider: NotRequired[TracerProvider]


class RealtimeUserInputText(TypedDict):
    type: Literal["input_text"]
    text: str


class RealtimeUserInputImage(TypedDict, total=False):
    type: Literal["input_image"]
    image_url: str
    detail: NotRequired[str]


class RealtimeUserInputMessage(TypedDict):
    type: Literal["message"]
    role: Literal["user"]
    content: list[RealtimeUserInputText | RealtimeUserInputImage]


RealtimeUserInput: TypeAlias = str | RealtimeUserInputMessage

__all__ = [
    "RealtimeAudioFormat",
    "RealtimeClientMessage",
    "RealtimeGuardrailsSettings",
    "RealtimeInputAudioNoiseReductionConfig",
    "RealtimeInputAudioTranscriptionConfig",
    "RealtimeModelName",
    "RealtimeModelTracingConfig",
    "RealtimeReasoningConfig",
    "RealtimeReasoningEffort",
    "RealtimeRunConfig",
    "RealtimeSessionModelSettings",
    "RealtimeToolExecutionConfig",
    "RealtimeTurnDetectionConfig",
    "RealtimeUserInput",
    "RealtimeUserInputImage",
    "RealtimeUserInputMessage",
    "RealtimeUserInputText",
]
