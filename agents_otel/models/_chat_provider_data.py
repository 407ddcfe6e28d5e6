"""Gemini's thought signatures on Chat Completions tool calls: read from an answer, kept on the call, sent back.

Gemini thinking models (2.5, 3) sign the function calls of a turn and refuse the next request unless each call comes
back with its signature. Through Chat Completions the signature rides on the tool call: LiteLLM puts it in the call's
``provider_specific_fields`` (and appends ``__thought__<signature>`` to its id), Google's OpenAI-compatible endpoint
in ``extra_content.google``. As the OpenAI Agents SDK does, the call keeps it in ``provider_data`` (with the model's
name and the completion's id: a :class:`~agents_otel.items.ProviderDataCall`), its id without LiteLLM's suffix (an id
another model can take), and it goes back in Google's ``extra_content`` form to a Gemini model
(:func:`signature_field`); ``LitellmModel`` turns that into LiteLLM's form (:func:`litellm_signatures`).
LiteLLM's field is read only for a model whose name says Gemini, as the SDK reads it.
"""

from __future__ import annotations

from typing import Any, Final

from ..items import FunctionCall, ProviderDataCall

THOUGHT_SIGNATURE: Final = "thought_signature"
SKIP_VALIDATOR: Final = "skip_thought_signature_validator"
"""The value Gemini takes in place of a signature it did not issue (a call made by another model, or one whose
signature was lost): the SDK sends it for every call of the current turn that has none, through LiteLLM."""
_SUFFIX: Final = "__thought__"


def is_gemini(model: str | None) -> bool:
    return bool(model) and "gemini" in str(model).lower()


def call_id(raw_id: str, model: str | None) -> str:
    """A Gemini call's id without the ``__thought__<signature>`` LiteLLM appends (the signature is kept apart)."""
    if _SUFFIX in raw_id and is_gemini(model):
        return raw_id.split(_SUFFIX, 1)[0]
    return raw_id


def call_signature(call: Any, model: str | None) -> str | None:
    """The thought signature of an answer's tool call (or of a streamed fragment), if it has one."""
    signature = None
    fields = getattr(call, "provider_specific_fields", None)
    if isinstance(fields, dict) and is_gemini(model):
        signature = fields.get(THOUGHT_SIGNATURE)
    extra = getattr(call, "extra_content", None)
    google = extra.get("google") if isinstance(extra, dict) else None
    if isinstance(google, dict) and google.get(THOUGHT_SIGNATURE):
        signature = google[THOUGHT_SIGNATURE]
    return signature if isinstance(signature, str) and signature else None


def output_call(
    name: str, arguments: str, raw_id: str, signature: str | None, provider_data: dict[str, Any]
) -> FunctionCall:
    """The call as the run keeps it: a plain ``FunctionCall``, or with its signature in ``provider_data``."""
    if signature is None:
        return FunctionCall(name, arguments, raw_id)
    return ProviderDataCall(name, arguments, raw_id, {**provider_data, THOUGHT_SIGNATURE: signature})


def signature_field(call: FunctionCall, model: str) -> dict[str, Any]:
    """What a call adds to its Chat Completions tool call for ``model``: Google's ``extra_content`` with the call's
    signature, for a Gemini model only (another provider would reject the field, and the signature is Gemini's)."""
    if type(call) is not ProviderDataCall or not is_gemini(model):
        return {}
    signature = call.provider_data.get(THOUGHT_SIGNATURE)
    if not isinstance(signature, str) or not signature:
        return {}
    return {"extra_content": {"google": {THOUGHT_SIGNATURE: signature}}}


def litellm_signatures(messages: list[dict[str, Any]]) -> None:
    """Google's ``extra_content`` as LiteLLM's ``provider_specific_fields``, in place, for the tool calls after the
    last user message (the turn Gemini validates): each call's own signature, else :data:`SKIP_VALIDATOR`, as the
    SDK sends them. Earlier calls are left as they are."""
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    for message in messages[last_user + 1 :]:
        if message.get("role") != "assistant":
            continue
        for tool_call in message.get("tool_calls") or ():
            extra = tool_call.pop("extra_content", None)
            google = extra.get("google") if isinstance(extra, dict) else None
            signature = google.get(THOUGHT_SIGNATURE) if isinstance(google, dict) else None
            tool_call["provider_specific_fields"] = {THOUGHT_SIGNATURE: signature or SKIP_VALIDATOR}
