"""Structured tool outputs, as in the OpenAI Agents SDK: a tool that shows the model an image or a file.

A function tool may return a :class:`ToolOutputText`, :class:`ToolOutputImage` or :class:`ToolOutputFileContent`,
its dict form (``{"type": "image", "image_url": ...}``, typed by the ``*Dict`` classes), or a non-empty list of
them. The model then reads Responses API content parts (``input_text``, ``input_image``, ``input_file``) instead of
text. Anything else, including a dict or list that is *almost* one of these (an unknown ``type``, no image source,
one stray entry in a list), is shown as text exactly as before: the SDK's all-or-nothing rule, so a tool's ordinary
JSON result never turns into a half-structured one.

Why here, in the records layer: the conversion is the one place where a return value becomes what the model reads,
and both the tool path (the model input) and ``ToolCallOutputItem`` (``raw_item``, ``to_input_item()``) use it, so
they cannot disagree. The runtime calls it only for a return value that is not a ``str``: a plain text tool pays
nothing for it.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypeAlias, TypedDict

import pydantic
import pydantic_core
from pydantic import BaseModel, model_validator

from .responses_format import output_text

ToolOutputContent: TypeAlias = str | list[dict[str, Any]]
"""What the model reads for one tool call: text, or Responses API content parts."""


class ToolOutputText(BaseModel):
    """Text, as one part of a structured tool output (alone, returning the ``str`` does the same)."""

    type: Literal["text"] = "text"
    text: str


class ToolOutputTextDict(TypedDict, total=False):
    """:class:`ToolOutputText` as a dict: ``{"type": "text", "text": ...}``."""

    type: Literal["text"]
    text: str


class ToolOutputImage(BaseModel):
    """An image for the model: ``image_url`` (an ``https:`` or ``data:`` URL) or ``file_id`` (an uploaded file),
    with an optional vision ``detail``. Neither source is a ``pydantic.ValidationError``: an image of nothing is
    a bug in the tool."""

    type: Literal["image"] = "image"
    image_url: str | None = None
    file_id: str | None = None
    detail: Literal["low", "high", "auto"] | None = None

    @model_validator(mode="after")
    def check_at_least_one_required_field(self) -> ToolOutputImage:
        """The SDK's validator (its name too): an image needs a source."""
        if self.image_url is None and self.file_id is None:
            raise ValueError("ToolOutputImage needs image_url or file_id")
        return self


class ToolOutputImageDict(TypedDict, total=False):
    """:class:`ToolOutputImage` as a dict: ``{"type": "image", "image_url": ...}``."""

    type: Literal["image"]
    image_url: NotRequired[str]
    file_id: NotRequired[str]
    detail: NotRequired[Literal["low", "high", "auto"]]


class ToolOutputFileContent(BaseModel):
    """A file for the model: ``file_data`` (base64), ``file_url`` or ``file_id``; ``filename`` names it. None of
    the three is a ``pydantic.ValidationError``."""

    type: Literal["file"] = "file"
    file_data: str | None = None
    file_url: str | None = None
    file_id: str | None = None
    filename: str | None = None

    @model_validator(mode="after")
    def check_at_least_one_required_field(self) -> ToolOutputFileContent:
        """The SDK's validator (its name too): a file needs a source."""
        if self.file_data is None and self.file_url is None and self.file_id is None:
            raise ValueError("ToolOutputFileContent needs file_data, file_url or file_id")
        return self


class ToolOutputFileContentDict(TypedDict, total=False):
    """:class:`ToolOutputFileContent` as a dict: ``{"type": "file", "file_data": ..., "filename": ...}``."""

    type: Literal["file"]
    file_data: NotRequired[str]
    file_url: NotRequired[str]
    file_id: NotRequired[str]
    filename: NotRequired[str]


_Structured = ToolOutputText | ToolOutputImage | ToolOutputFileContent
_BY_TYPE: dict[str, type[_Structured]] = {
    "text": ToolOutputText,
    "image": ToolOutputImage,
    "file": ToolOutputFileContent,
}


def model_output(value: Any) -> ToolOutputContent:
    """What the model reads for a tool's return value: content parts when it is a structured output, else
    :func:`~agents_otel.responses_format.output_text`."""
    if type(value) is str:
        return value
    parts = content_parts(value)
    return parts if parts is not None else output_text(value)


def content_parts(value: Any) -> list[dict[str, Any]] | None:
    """``value`` as Responses API content parts, or ``None`` when it is not a structured output (an empty list is
    not one: it would send the model nothing)."""
    if isinstance(value, list | tuple):
        parts = []
        for entry in value:
            one = _structured(entry)
            if one is None:
                return None
            parts.append(_part(one))
        return parts or None
    one = _structured(value)
    return None if one is None else [_part(one)]


def _structured(value: Any) -> _Structured | None:
    if isinstance(value, ToolOutputText | ToolOutputImage | ToolOutputFileContent):
        return value
    if not isinstance(value, dict):
        return None
    kind = value.get("type")
    model = _BY_TYPE.get(kind) if type(kind) is str else None
    if model is None:
        return None
    try:
        return model.model_validate(value)  # extra keys are ignored, as in the SDK
    except pydantic.ValidationError:
        return None


def _part(output: _Structured) -> dict[str, Any]:
    if isinstance(output, ToolOutputText):
        return {"type": "input_text", "text": output.text}
    fields: tuple[str, ...]
    if isinstance(output, ToolOutputImage):
        fields = ("image_url", "file_id", "detail")
        kind = "input_image"
    else:
        fields = ("file_data", "file_url", "file_id", "filename")
        kind = "input_file"
    part: dict[str, Any] = {"type": kind}
    for name in fields:
        field = getattr(output, name)
        if field is not None:
            part[name] = field
    return part


def structured_json(value: Any) -> Any:
    """A structured output as plain JSON data (its dict form), or ``None`` when ``value`` is not one: what a run
    state stores, so a resumed run's item converts to the same content parts."""
    if content_parts(value) is None:
        return None
    if isinstance(value, list | tuple):
        return [_plain(entry) for entry in value]
    return _plain(value)


def _plain(entry: Any) -> Any:
    return entry.model_dump(exclude_none=True) if isinstance(entry, BaseModel) else dict(entry)


def parts_trace_json(parts: list[dict[str, Any]]) -> str:
    """Content parts as JSON for a tool span's result, with inline data (a ``data:`` image URL's payload,
    ``file_data``) replaced by its size: a base64 image is no reading matter and would only crowd the limit."""
    shown = []
    for part in parts:
        part = dict(part)
        url = part.get("image_url")
        if isinstance(url, str) and url.startswith("data:"):
            head, _, data = url.partition(",")
            part["image_url"] = f"{head},[{len(data)} chars omitted]"
        if isinstance(part.get("file_data"), str):
            part["file_data"] = f"[{len(part['file_data'])} chars omitted]"
        shown.append(part)
    return pydantic_core.to_json(shown).decode()


__all__ = [
    "ToolOutputContent",
    "ToolOutputFileContent",
    "ToolOutputFileContentDict",
    "ToolOutputImage",
    "ToolOutputImageDict",
    "ToolOutputText",
    "ToolOutputTextDict",
    "content_parts",
    "model_output",
    "parts_trace_json",
    "structured_json",
]
