"""The OpenAI Realtime API's (GA) client messages, built from the session's settings and inputs.

Why apart from the connection: what goes on the wire is decided here, as plain dicts (the shape the API documents),
so it can be read and tested without a socket; ``openai_realtime`` only sends them.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any, cast

from ..exceptions import UserError
from ..handoffs import Handoff
from ..tool import FunctionTool
from .config import RealtimeModelTracingConfig, RealtimeSessionModelSettings
from .model_inputs import RealtimeModelSendToolOutput, RealtimeModelSendUserInput

DEFAULT_REALTIME_MODEL = "gpt-realtime"
DEFAULT_MODEL_SETTINGS: RealtimeSessionModelSettings = {
    "voice": "ash",
    "modalities": ["audio"],
    "input_audio_format": "pcm16",
    "output_audio_format": "pcm16",
    "input_audio_transcription": {"model": "gpt-4o-mini-transcribe"},
    "turn_detection": {"type": "semantic_vad", "interrupt_response": True},
}
_FORMATS: dict[str, dict[str, Any]] = {
    "pcm16": {"type": "audio/pcm", "rate": 24000},
    "g711_ulaw": {"type": "audio/pcmu"},
    "g711_alaw": {"type": "audio/pcma"},
}


def audio_format(value: Any) -> Any:
    """The GA API's format object for the SDK's names (``pcm16``, ``g711_ulaw``, ``g711_alaw``); a mapping (or a
    name the API itself uses, ``audio/pcm``) goes as it is."""
    if isinstance(value, str):
        known = _FORMATS.get(value.lower())
        if known is not None:
            return dict(known)
        return {"type": value, "rate": 24000} if value == "audio/pcm" else {"type": value}
    if isinstance(value, Mapping):
        return dict(value)
    return value


def _pick(
    nested: Mapping[str, Any], key: str, settings: Mapping[str, Any], flat: str, attached: bool
) -> tuple[bool, Any]:
    """The nested ``audio.input/output`` key first, then the SDK's older flat alias, then the default (not for the
    audio formats of a call the session attached to: the call has its own, e.g. G.711 for a phone line)."""
    if key in nested:
        return True, nested[key]
    if flat in settings:
        return True, settings[flat]
    if attached and key == "format":
        return False, None
    if flat in DEFAULT_MODEL_SETTINGS:
        return True, DEFAULT_MODEL_SETTINGS[flat]  # type: ignore[literal-required]
    return False, None


def session_config(settings: RealtimeSessionModelSettings, model: str, *, attached: bool = False) -> dict[str, Any]:
    """The ``session`` object of a ``session.update``: the settings, with the agent's instructions and its tools
    and handoffs as functions. ``attached``: the session is attached to a call (``call_id``), whose audio formats
    are kept unless the settings name one, as in the SDK."""
    audio = settings.get("audio") or {}
    nested_in: Mapping[str, Any] = audio.get("input") or {}
    nested_out: Mapping[str, Any] = audio.get("output") or {}
    audio_in: dict[str, Any] = {}
    audio_out: dict[str, Any] = {}
    for key, flat in (
        ("format", "input_audio_format"),
        ("transcription", "input_audio_transcription"),
        ("noise_reduction", "input_audio_noise_reduction"),
        ("turn_detection", "turn_detection"),
    ):
        found, value = _pick(nested_in, key, settings, flat, attached)
        if found:
            audio_in[key] = audio_format(value) if key == "format" else value
    for key, flat in (("format", "output_audio_format"), ("voice", "voice"), ("speed", "speed")):
        found, value = _pick(nested_out, key, settings, flat, attached)
        if found:
            audio_out[key] = audio_format(value) if key == "format" else value
    session: dict[str, Any] = {
        "type": "realtime",
        "model": settings.get("model_name") or model,
        "output_modalities": settings.get("output_modalities")
        or settings.get("modalities")
        or DEFAULT_MODEL_SETTINGS["modalities"],
        "audio": {"input": audio_in, "output": audio_out},
        "tools": tool_definitions(settings.get("tools", []), settings.get("handoffs", [])),
    }
    if "instructions" in settings:
        session["instructions"] = settings["instructions"]
    if "prompt" in settings:
        prompt = settings["prompt"]
        session["prompt"] = {k: v for k, v in prompt.items() if v is not None}
    for key in ("max_output_tokens", "tool_choice", "parallel_tool_calls", "reasoning"):
        value = cast(Mapping[str, Any], settings).get(key)
        if value is not None:
            session[key] = value
    return session


def tool_definitions(tools: list[Any], handoffs: list[Handoff[Any, Any]]) -> list[dict[str, Any]]:
    """Function tools and handoffs, as the API's function definitions; any other tool is a ``UserError`` (the
    Realtime API runs no hosted tools for an agent here)."""
    out: list[dict[str, Any]] = []
    for tool in tools:
        if not isinstance(tool, FunctionTool):
            raise UserError(
                f"Tool {getattr(tool, 'name', type(tool).__name__)!r} is unsupported by realtime agents: only "
                "function tools are"
            )
        out.append(
            {"type": "function", "name": tool.name, "description": tool.description,
             "parameters": tool.params_json_schema}
        )
    names = [d["name"] for d in out]
    for h in handoffs:
        if h.tool_name in names:
            raise UserError(f"Handoff to {h.agent_name!r} is named {h.tool_name!r} like another tool; rename one")
        names.append(h.tool_name)
        out.append(
            {"type": "function", "name": h.tool_name, "description": h.tool_description,
             "parameters": h.input_json_schema}
        )
    if len(set(names)) != len(names):
        duplicate = next(n for n in names if names.count(n) > 1)
        raise UserError(f"Two realtime tools are named {duplicate!r}; give one a name_override")
    return out


def tracing_config(config: RealtimeModelTracingConfig | str | None) -> Any:
    if config is None or isinstance(config, str):
        return config
    return {k: v for k, v in config.items() if v is not None}


def user_input_item(event: RealtimeModelSendUserInput) -> dict[str, Any]:
    """``conversation.item.create`` for a user message: text, or a structured message's text and images."""
    user_input = event.user_input
    if isinstance(user_input, str):
        content: list[dict[str, Any]] = [{"type": "input_text", "text": user_input}]
    elif isinstance(user_input, Mapping):
        content = []
        parts: list[Any] = list(user_input.get("content", []))
        for part in parts:
            kind = part.get("type") if isinstance(part, Mapping) else None
            if kind == "input_text" and isinstance(part.get("text"), str):
                content.append({"type": "input_text", "text": part["text"]})
            elif kind == "input_image" and isinstance(part.get("image_url"), str):
                image = {"type": "input_image", "image_url": part["image_url"]}
                if part.get("detail") in ("auto", "low", "high"):
                    image["detail"] = part["detail"]
                content.append(image)
            else:
                raise UserError(f"send_message: unsupported message content part {part!r}")
    else:
        raise UserError(f"send_message takes a str or a user message dict, got {type(user_input).__name__}")
    return {
        "type": "conversation.item.create",
        "item": {"type": "message", "role": "user", "content": content},
    }


def audio_append(audio: bytes) -> dict[str, Any]:
    if not isinstance(audio, bytes | bytearray | memoryview):
        raise UserError(f"send_audio takes bytes, got {type(audio).__name__}")
    return {"type": "input_audio_buffer.append", "audio": base64.b64encode(bytes(audio)).decode("ascii")}


def tool_output_item(event: RealtimeModelSendToolOutput) -> dict[str, Any]:
    return {
        "type": "conversation.item.create",
        "item": {"type": "function_call_output", "call_id": event.tool_call.call_id, "output": event.output},
    }


def truncate(item_id: str, content_index: int, audio_end_ms: int) -> dict[str, Any]:
    return {
        "type": "conversation.item.truncate",
        "item_id": item_id,
        "content_index": content_index,
        "audio_end_ms": audio_end_ms,
    }


__all__ = [
    "DEFAULT_MODEL_SETTINGS",
    "DEFAULT_REALTIME_MODEL",
    "audio_append",
    "audio_format",
    "session_config",
    "tool_definitions",
    "tool_output_item",
    "tracing_config",
    "truncate",
    "user_input_item",
]
