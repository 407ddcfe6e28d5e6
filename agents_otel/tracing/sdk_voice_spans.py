"""The OpenAI Agents SDK's voice span functions — ``transcription_span()``, ``speech_span()``,
``speech_group_span()`` — as OpenTelemetry spans.

Why: SDK programs that run speech-to-text or text-to-speech themselves (or code ported from the SDK's voice
pipeline) wrap those calls in these spans so they show in the run's trace. Each is a span like the other span
functions' (:mod:`.sdk_spans`: the same ``Span`` object, a child of the current span or of ``parent=``,
``span_data`` written again at ``finish``), shaped by :mod:`.sdk_voice_shapes`: ``transcription {model}`` and
``speech {model}`` CLIENT spans and a ``speech_group`` span. The audio and the text are content, recorded only
under content capture; their format and size always.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from .sdk_span_data import SpanData, SpeechGroupSpanData, SpeechSpanData, TranscriptionSpanData
from .sdk_spans import Parent, SdkSpan, _span

TData = TypeVar("TData", bound=SpanData)


def transcription_span(
    model: str | None = None,
    input: str | None = None,
    input_format: str | None = "pcm",
    output: str | None = None,
    model_config: Mapping[str, Any] | None = None,
    span_id: str | None = None,
    parent: Parent = None,
    disabled: bool = False,
) -> SdkSpan[TranscriptionSpanData]:
    """As in the SDK (``input`` is the audio as base64, ``output`` the text): a ``transcription {model}`` CLIENT
    span with the audio's format and size; the audio and the text under content capture."""
    return _span(TranscriptionSpanData(input, input_format, output, model, model_config), span_id, parent, disabled)


def speech_span(
    model: str | None = None,
    input: str | None = None,
    output: str | None = None,
    output_format: str | None = "pcm",
    model_config: Mapping[str, Any] | None = None,
    first_content_at: str | None = None,
    span_id: str | None = None,
    parent: Parent = None,
    disabled: bool = False,
) -> SdkSpan[SpeechSpanData]:
    """As in the SDK (``input`` is the text, ``output`` the audio as base64): a ``speech {model}`` CLIENT span,
    ``gen_ai.output.type=speech``, with the audio's format and size; the text and the audio under content
    capture."""
    data = SpeechSpanData(input, output, output_format, model, model_config, first_content_at)
    return _span(data, span_id, parent, disabled)


def speech_group_span(
    input: str | None = None,
    span_id: str | None = None,
    parent: Parent = None,
    disabled: bool = False,
) -> SdkSpan[SpeechGroupSpanData]:
    """As in the SDK: a ``speech_group`` span over the speech spans for one text (its length always, the text
    under content capture)."""
    return _span(SpeechGroupSpanData(input), span_id, parent, disabled)


def capturing(span: SdkSpan[TData], capture: bool) -> SdkSpan[TData]:
    """``span`` (not started yet) recording its content when ``capture``, whatever the content-capture variable
    says: how the voice pipeline applies ``VoicePipelineConfig.trace_include_sensitive_data`` (set or resolved
    from the variable), as ``RunConfig.trace_include_sensitive_data`` does for a run."""
    span._capture = capture
    return span


__all__ = ["speech_group_span", "speech_span", "transcription_span"]
