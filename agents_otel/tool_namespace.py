"""``tool_namespace(...)``: function tools grouped under one name for hosted tool search (Responses API only).

Why copies: the same function tool may be offered plain to one agent and in a namespace to another, so the namespace
is set on a copy (``dataclasses.replace``), never on the tool given. The model sees one ``{"type": "namespace"}``
entry holding the functions; a ``ToolSearchTool`` loads them when the model looks for them. Tool names stay unique
per agent across namespaces (a call names its function, and this runtime finds the tool by that name).
"""

from __future__ import annotations

import dataclasses

from .exceptions import UserError
from .tool import FunctionTool


def tool_namespace(*, name: str, description: str | None, tools: list[FunctionTool]) -> list[FunctionTool]:
    """Copies of ``tools`` in the namespace ``name`` (both ``name`` and ``description`` non-empty)."""
    if not isinstance(name, str) or not name.strip():
        raise UserError("tool_namespace() needs a non-empty namespace name")
    if not isinstance(description, str) or not description.strip():
        raise UserError("tool_namespace() needs a non-empty description")
    if not isinstance(tools, list) or any(not isinstance(t, FunctionTool) for t in tools):
        raise UserError("tool_namespace() takes a list of FunctionTool (CustomTool and hosted tools cannot be in one)")
    namespace = name.strip()
    if namespace in {t.name for t in tools}:
        raise UserError(f"tool_namespace() {namespace!r} has a tool of the same name; rename one of them")
    return [
        dataclasses.replace(t, _tool_namespace=namespace, _tool_namespace_description=description.strip())
        for t in tools
    ]


__all__ = ["tool_namespace"]
