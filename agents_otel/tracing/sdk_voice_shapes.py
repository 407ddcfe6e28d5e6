"""The spans our runtime makes for the OpenAI Agents SDK's voice span data (``TranscriptionSpanData``,
``SpeechSpanData``, ``SpeechGroupSpanData``), and the span data read back from them.

Why a module of its own, holding both directions: the voice kinds have no runtime span of their own to follow, so
the mapping is defined here once, each way beside the other where a reader can check one against the other;
:mod:`.sdk_span_shapes` (at ``start`` / ``finish``) and :mod:`.sdk_trace_bridge` (for the trace processors) call
it. The conventions define no speech-to-text or text-to-speech operation: the spans are CLIENT spans named like an
inference span (``transcription {model}``, ``speech {model}``) with the conventions' attributes where one fits
(``gen_ai.request.model``, ``gen_ai.output.type``, the opt-in ``gen_ai.input.messages`` / ``gen_ai.output.messages``
with ``blob`` parts for audio) and ours for the audio's format and size. Audio and text are content: recorded only
under content capture; the format and the size (bytes of audio, characters of text) always.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from opentelemetry.trace import SpanKind
from opentelemetry.util.types import Attributes

from ..safe_json import dumps
from . import attributes as A
from .sdk_span_data import SpanData, SpeechGroupSpanData, SpeechSpanData, TranscriptionSpanData

SPEECH_GROUP_SPAN_NAME = "speech_group"


def voice_shape(data: SpanData, capture: bool) -> tuple[str, SpanKind, dict[str, Any]] | None:
    """Name, kind and attributes of a voice span; ``None`` when ``data`` is not a voice kind."""
    attributes: dict[str, Any]
    if isinstance(data, TranscriptionSpanData):
        attributes = {A.GEN_AI_OPERATION_NAME: A.OP_TRANSCRIPTION, A.GEN_AI_OUTPUT_TYPE: "text",
                      **_model(data.model, data.model_config, capture)}
        attributes.update(_audio(A.AUDIO_INPUT_FORMAT, A.AUDIO_INPUT_SIZE, data.input_format, data.input))
        if capture and data.input is not None:
            attributes[A.GEN_AI_INPUT_MESSAGES] = _messages("user", _blob(data.input, data.input_format))
        if capture and data.output is not None:
            attributes[A.GEN_AI_OUTPUT_MESSAGES] = _messages("assistant", {"type": "text", "content": data.output})
        return _name(A.OP_TRANSCRIPTION, data.model), SpanKind.CLIENT, attributes
    if isinstance(data, SpeechSpanData):
        attributes = {A.GEN_AI_OPERATION_NAME: A.OP_SPEECH, A.GEN_AI_OUTPUT_TYPE: "speech",
                      **_model(data.model, data.model_config, capture)}
        attributes.update(_audio(A.AUDIO_OUTPUT_FORMAT, A.AUDIO_OUTPUT_SIZE, data.output_format, data.output))
        if data.first_content_at is not None:
            attributes[A.SPEECH_FIRST_CONTENT_AT] = data.first_content_at
        if capture and data.input is not None:
            attributes[A.GEN_AI_INPUT_MESSAGES] = _messages("user", {"type": "text", "content": data.input})
        if capture and data.output is not None:
            attributes[A.GEN_AI_OUTPUT_MESSAGES] = _messages("assistant", _blob(data.output, data.output_format))
        return _name(A.OP_SPEECH, data.model), SpanKind.CLIENT, attributes
    if isinstance(data, SpeechGroupSpanData):
        attributes = {A.SPEECH_GROUP_INPUT_LENGTH: len(data.input or "")}
        if capture and data.input is not None:
            attributes[A.SPEECH_GROUP_INPUT] = data.input
        return SPEECH_GROUP_SPAN_NAME, SpanKind.INTERNAL, attributes
    return None


def voice_span_data_of(attributes: Attributes) -> SpanData | None:
    """The SDK's span data of a voice span, from its attributes; ``None`` when it is not one."""
    assert attributes is not None
    operation = attributes.get(A.GEN_AI_OPERATION_NAME)
    if operation == A.OP_TRANSCRIPTION:
        return TranscriptionSpanData(
            input=_part_content(attributes.get(A.GEN_AI_INPUT_MESSAGES)),
            input_format=_str(attributes.get(A.AUDIO_INPUT_FORMAT)),
            output=_part_content(attributes.get(A.GEN_AI_OUTPUT_MESSAGES)),
            model=_str(attributes.get(A.GEN_AI_REQUEST_MODEL)),
            model_config=_config_of(attributes),
        )
    if operation == A.OP_SPEECH:
        return SpeechSpanData(
            input=_part_content(attributes.get(A.GEN_AI_INPUT_MESSAGES)),
            output=_part_content(attributes.get(A.GEN_AI_OUTPUT_MESSAGES)),
            output_format=_str(attributes.get(A.AUDIO_OUTPUT_FORMAT)),
            model=_str(attributes.get(A.GEN_AI_REQUEST_MODEL)),
            model_config=_config_of(attributes),
            first_content_at=_str(attributes.get(A.SPEECH_FIRST_CONTENT_AT)),
        )
    if A.SPEECH_GROUP_INPUT_LENGTH in attributes:
        return SpeechGroupSpanData(_str(attributes.get(A.SPEECH_GROUP_INPUT)))
    return None


def _name(operation: str, model: str | None) -> str:
    return f"{operation} {model}" if model else operation


def _model(model: str | None, config: Mapping[str, Any] | None, capture: bool) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    if model:
        attributes[A.GEN_AI_REQUEST_MODEL] = model
    temperature = (config or {}).get("temperature")
    if isinstance(temperature, int | float) and not isinstance(temperature, bool):
        attributes[A.GEN_AI_REQUEST_TEMPERATURE] = temperature
    if capture and config:
        attributes[A.VOICE_MODEL_CONFIG] = dumps(dict(config))
    return attributes


def _audio(format_key: str, size_key: str, audio_format: str | None, audio: str | None) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    if audio_format is not None:
        attributes[format_key] = audio_format
    if audio is not None:
        attributes[size_key] = _decoded_size(audio)
    return attributes


def _decoded_size(base64_text: str) -> int:
    """Bytes the base64 text encodes, counted without decoding it (the audio can be large)."""
    text = base64_text.strip()
    return len(text) * 3 // 4 - (len(text) - len(text.rstrip("=")))


def _blob(data: str, audio_format: str | None) -> dict[str, Any]:
    part: dict[str, Any] = {"type": "blob", "modality": "audio", "content": data}
    if audio_format is not None:
        part["mime_type"] = f"audio/{audio_format}"
    return part


def _messages(role: str, part: dict[str, Any]) -> str:
    return dumps([{"role": role, "parts": [part]}])


def _part_content(value: object) -> str | None:
    """The content of the one part :func:`_messages` wrote; ``None`` when not captured."""
    if not isinstance(value, str):
        return None
    try:
        content = json.loads(value)[0]["parts"][0]["content"]
    except (ValueError, LookupError, TypeError):
        return None
    return content if isinstance(content, str) else None


def _config_of(attributes: Any) -> dict[str, Any] | None:
    captured = attributes.get(A.VOICE_MODEL_CONFIG)
    if isinstance(captured, str):
        try:
            decoded = json.loads(captured)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict):
            return decoded
    if A.GEN_AI_REQUEST_TEMPERATURE in attributes:
        return {"temperature": attributes[A.GEN_AI_REQUEST_TEMPERATURE]}
    return None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
