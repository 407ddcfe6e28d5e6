"""``ToolOutputTrimmer``: the SDK's ready-made ``RunConfig(call_model_input_filter=...)`` that shortens bulky tool
outputs of older turns.

Why a filter and not a session or history edit: the run's history, its trace and the session keep every output
in full; only what one model call sends gets shorter (see :mod:`agents_otel.model_input_filter`). The latest
``recent_turns`` user turns are sent untouched, because the model is still working with them; an older output
longer than ``max_output_chars`` becomes a short note that says what was cut, followed by a preview.

Structured outputs (a list of ``input_text`` / ``input_image`` / ``input_file`` parts) are measured by their
payload strings and become text: the text parts' preview, with the images and files named but dropped (a
preview of base64 data would be noise to the model). A list of any other shape is left alone rather than guessed
at.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..model_input_filter import CallModelData, ModelInputData

logger = logging.getLogger(__name__)

_PART_FIELDS: dict[str, frozenset[str]] = {
    "input_text": frozenset({"type", "text"}),
    "input_image": frozenset({"type", "image_url", "file_id", "detail"}),
    "input_file": frozenset({"type", "file_data", "file_url", "file_id", "filename"}),
}


@dataclass
class ToolOutputTrimmer:
    """Pass as ``RunConfig(call_model_input_filter=ToolOutputTrimmer(...))``.

    ``recent_turns``: how many of the latest user messages (and everything after the oldest of them) are never
    trimmed. ``max_output_chars``: outputs longer than this are trimmed, and a structured output's replacement
    fits in it. ``preview_chars``: how much of the output's text is kept. ``trimmable_tools``: a tool name or
    names whose outputs may be trimmed (``None``: every tool's); a namespaced tool matches ``namespace.name``
    and its bare name.
    """

    recent_turns: int = 2
    max_output_chars: int = 500
    preview_chars: int = 200
    trimmable_tools: str | Iterable[str] | None = None

    def __post_init__(self) -> None:
        # ValueError, as the SDK raises for these, so code that catches it keeps working.
        for name, minimum in (("recent_turns", 1), ("max_output_chars", 1), ("preview_chars", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise ValueError(f"ToolOutputTrimmer {name} must be an int >= {minimum}, got {value!r}")
        tools = self.trimmable_tools
        if tools is None or isinstance(tools, frozenset):
            return
        if isinstance(tools, str):
            self.trimmable_tools = frozenset({tools})
            return
        if isinstance(tools, bytes | bytearray):
            raise ValueError("ToolOutputTrimmer trimmable_tools must be a str or an iterable of str, got bytes")
        names = frozenset(tools)
        wrong = [n for n in names if not isinstance(n, str)]
        if wrong:
            raise ValueError(f"ToolOutputTrimmer trimmable_tools must hold tool names (str), got {wrong[0]!r}")
        self.trimmable_tools = names

    def __call__(self, data: CallModelData[Any]) -> ModelInputData:
        from ..model_input_filter import ModelInputData

        given = data.model_data
        items = given.input
        boundary = self._find_recent_boundary(items)
        if boundary == 0:
            return given
        names = _tool_names_by_call_id(items[:boundary])
        allowed = self.trimmable_tools
        sent: list[Any] = []
        saved = 0
        for index, item in enumerate(items):
            if index < boundary and isinstance(item, dict) and item.get("type") == "function_call_output":
                candidates = names.get(str(item.get("call_id") or ""), ())
                if allowed is None or any(name in allowed for name in candidates):
                    output = self._trimmed(item.get("output"), candidates[0] if candidates else "unknown_tool")
                    if output is not None:
                        saved += _size(item.get("output")) - len(output)
                        sent.append({**item, "output": output})  # a copy: the run's own item is not touched
                        continue
            sent.append(item)
        if saved:
            logger.debug("ToolOutputTrimmer: about %d characters of old tool outputs not sent", saved)
        return ModelInputData(input=sent, instructions=given.instructions)

    def _find_recent_boundary(self, items: list[Any]) -> int:
        """Where the recent items start: the ``recent_turns``-th user message from the end (0 when there are
        fewer user messages: then nothing is old)."""
        seen = 0
        for index in range(len(items) - 1, -1, -1):
            item = items[index]
            if isinstance(item, dict) and item.get("role") == "user":
                seen += 1
                if seen == self.recent_turns:
                    return index
        return 0

    def _trimmed(self, output: Any, tool: str) -> str | None:
        """The replacement of one output, or ``None`` to send it as it is."""
        if isinstance(output, list):
            return self._trimmed_parts(output, tool)
        text = output if isinstance(output, str) else str(output)
        if len(text) <= self.max_output_chars:
            return None
        note = f"[Trimmed: {tool} output, {len(text)} chars; first {self.preview_chars} kept]\n"
        summary = note + text[: self.preview_chars] + "..."
        return summary if len(summary) < len(text) else None

    def _trimmed_parts(self, parts: list[Any], tool: str) -> str | None:
        measured = _measure_parts(parts)
        if measured is None:
            return None
        size, text, dropped = measured
        budget = self.max_output_chars
        if size <= budget:
            return None
        dropped_note = ", ".join(f"{count} {kind}" for kind, count in sorted(dropped.items()))
        dropped_part = f"; dropped {dropped_note}" if dropped else ""

        def full(keep: int) -> str:
            return f"[Trimmed: {tool}; payload {size}{f'; preview {keep}' if text else ''}{dropped_part}]"

        kinds = ", ".join(sorted(dropped))
        headers: list[Callable[[int], str]] = [full]
        if dropped:
            headers += [lambda _: f"[Trimmed: {tool}{dropped_part}]", lambda _: f"[Trimmed: {kinds}]"]
        headers += [lambda _: f"[Trimmed: payload {size}]", lambda _: f"[Trimmed: {tool}]"]
        # The text matters more than the bookkeeping: the most telling header that leaves the whole preview its room,
        # else the bare marker with as much of the preview as fits.
        wanted = min(len(text), self.preview_chars)
        for header in headers:
            summary = _with_preview(header(wanted), text, wanted)
            if len(summary) <= budget:
                return summary
        summary = _with_preview("[Trimmed]", text, min(wanted, max(0, budget - len("[Trimmed]") - 1)))
        if len(summary) > budget:  # no room for the ellipsis
            summary = summary.removesuffix("...")
        return summary[:budget]


def _with_preview(header: str, text: str, keep: int) -> str:
    if not keep:
        return header
    return f"{header}\n{text[:keep]}" + ("..." if keep < len(text) else "")


def _tool_names_by_call_id(items: list[Any]) -> dict[str, tuple[str, ...]]:
    """Each function call's names, qualified (``namespace.name``) first, then bare."""
    found: dict[str, tuple[str, ...]] = {}
    for item in items:
        if not (isinstance(item, dict) and item.get("type") == "function_call"):
            continue
        name, namespace, call_id = item.get("name"), item.get("namespace"), item.get("call_id")
        if not (isinstance(name, str) and name and call_id):
            continue
        qualified = isinstance(namespace, str) and namespace and namespace != name
        found[str(call_id)] = (f"{namespace}.{name}", name) if qualified else (name,)
    return found


def _measure_parts(parts: list[Any]) -> tuple[int, str, dict[str, int]] | None:
    """A structured output's payload size, its text and the count of each dropped part kind; ``None`` for a list
    that is not made of the SDK's output parts only."""
    if not parts:
        return None
    size = 0
    texts: list[str] = []
    dropped: dict[str, int] = {}
    for part in parts:
        if not isinstance(part, dict):
            return None
        kind = part.get("type")
        fields = _PART_FIELDS.get(kind) if isinstance(kind, str) else None
        if fields is None or not set(part) <= fields:
            return None
        values = [value for key, value in part.items() if key != "type"]
        if not values or not all(isinstance(value, str) for value in values):
            return None
        if kind == "input_text":
            if "text" not in part:
                return None
            texts.append(part["text"])
        else:
            payload = ("image_url", "file_id") if kind == "input_image" else ("file_data", "file_url", "file_id")
            if not any(key in part for key in payload):
                return None
            if kind == "input_image" and part.get("detail", "auto") not in ("low", "high", "auto"):
                return None
            assert isinstance(kind, str)
            dropped[kind] = dropped.get(kind, 0) + 1
        size += sum(len(value) for value in values)
    return size, "\n".join(texts), dropped


def _size(output: Any) -> int:
    if isinstance(output, list):
        measured = _measure_parts(output)
        return 0 if measured is None else measured[0]
    return len(output if isinstance(output, str) else str(output))


__all__ = ["ToolOutputTrimmer"]
