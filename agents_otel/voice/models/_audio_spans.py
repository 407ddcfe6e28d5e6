"""What the voice spans record, shared by the OpenAI models and the pipeline.

Why: the span functions derive the audio's size from the base64 audio they are given, which the pipeline must not
keep when audio is withheld from the trace; the size is still worth recording (it shows what was sent), so it is
set on the span directly.
"""

from __future__ import annotations

from typing import Any

from ...tracing.sdk_spans import SdkSpan


def record_size(span: SdkSpan[Any], key: str, size: int) -> None:
    """The audio's size in bytes on a started span whose audio is withheld."""
    span.span.set_attribute(key, size)


def config_for(config: dict[str, Any], include_text: bool, content_keys: tuple[str, ...]) -> dict[str, Any]:
    """A model's settings for its span: without the ones that are content (a prompt, instructions) when text is
    withheld, and without unset ones."""
    return {k: v for k, v in config.items() if v is not None and (include_text or k not in content_keys)}
