"""``VoicePipelineConfig``, as in the SDK: the models' provider and settings, and how the pipeline is traced.

Why content defaults differ: the SDK records transcripts and audio in its traces unless told not to; here, as for
a run, content enters spans only under content capture (``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``)
unless ``trace_include_sensitive_data`` / ``trace_include_sensitive_audio_data`` say otherwise.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from ..exceptions import UserError
from ..run_config_tracing import TracingConfig, checked_tracing_config
from ..tracing.content import capture_content_from_env
from .model import STTModelSettings, TTSModelSettings, VoiceModelProvider
from .models.openai_model_provider import OpenAIVoiceModelProvider

T = TypeVar("T")


def coerce_config(value: Any, cls: type[T], where: str) -> T:
    """``value`` as a ``cls``: itself, or built from a dict of its fields (an unknown key is a ``UserError``, never
    dropped)."""
    if isinstance(value, cls):
        return value
    if isinstance(value, Mapping):
        known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(str(key) for key in value if key not in known)
        if unknown:
            raise UserError(f"{where}: unknown {cls.__name__} field(s) {', '.join(unknown)}")
        return cls(**value)
    raise UserError(f"{where} must be a {cls.__name__} or a dict of its fields, got {type(value).__name__}")


def _group_id() -> str:
    return f"group_{uuid.uuid4().hex[:24]}"


def _legacy_positional(cls: type[VoicePipelineConfig]) -> type[VoicePipelineConfig]:
    """Why: ``tracing`` became the third field (as in the SDK), where ``trace_include_sensitive_data`` was; a bool
    given third by position is still that flag, as the SDK keeps it."""
    generated = cls.__init__

    @wraps(generated)
    def init(self: VoicePipelineConfig, *args: Any, **kwargs: Any) -> None:
        if len(args) >= 3 and isinstance(args[2], bool):
            args = (*args[:2], kwargs.pop("tracing", None), *args[2:])
        generated(self, *args, **kwargs)

    cls.__init__ = init  # type: ignore[method-assign]
    return cls


@_legacy_positional
@dataclass
class VoicePipelineConfig:
    """How a :class:`VoicePipeline` runs and is traced."""

    model_provider: VoiceModelProvider = field(default_factory=OpenAIVoiceModelProvider)
    """Resolves model names (and ``None``) given to the pipeline."""
    tracing_disabled: bool = False
    """``True``: the pipeline records no spans."""
    tracing: TracingConfig | None = None
    """As ``RunConfig.tracing``: ``{"api_key": ...}`` is the key a registered ``BackendSpanExporter`` uploads the
    pipeline's trace with; checked the same way (an unknown key, or a setting that cannot be honoured, is a
    ``UserError``)."""
    trace_include_sensitive_data: bool | None = None
    """Whether the pipeline's spans record the transcript and the spoken text (not what the workflow's runs
    record); ``None``: content capture decides (off by default)."""
    trace_include_sensitive_audio_data: bool | None = None
    """The same for the audio itself."""
    workflow_name: str = "Voice Agent"
    """Names the pipeline's ``invoke_workflow`` span."""
    group_id: str = field(default_factory=_group_id)
    """Links the traces of one conversation: ``gen_ai.conversation.id`` on every span of the pipeline."""
    trace_metadata: dict[str, Any] | None = None
    """``agents_otel.workflow.metadata.<key>`` attributes of the pipeline's span."""
    stt_settings: STTModelSettings = field(default_factory=STTModelSettings)
    tts_settings: TTSModelSettings = field(default_factory=TTSModelSettings)

    def __post_init__(self) -> None:
        self.tracing = checked_tracing_config(self.tracing, "VoicePipelineConfig")
        self.stt_settings = coerce_config(self.stt_settings, STTModelSettings, "VoicePipelineConfig.stt_settings")
        self.tts_settings = coerce_config(self.tts_settings, TTSModelSettings, "VoicePipelineConfig.tts_settings")
        if not isinstance(self.model_provider, VoiceModelProvider):
            raise UserError(
                f"VoicePipelineConfig.model_provider must be a VoiceModelProvider, got "
                f"{type(self.model_provider).__name__}"
            )

    def include_text(self) -> bool:
        """Whether spans may record text: the setting, else content capture."""
        flag = self.trace_include_sensitive_data
        return capture_content_from_env() if flag is None else bool(flag)

    def include_audio(self) -> bool:
        """Whether spans may record audio: the setting, else content capture."""
        flag = self.trace_include_sensitive_audio_data
        return capture_content_from_env() if flag is None else bool(flag)


__all__ = ["VoicePipelineConfig"]
