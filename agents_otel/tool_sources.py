"""Tools that come from elsewhere each turn (MCP servers), and the one rule for combining them with an agent's own.

The core does not know MCP: an ``Agent``'s ``mcp_servers`` are anything with ``name`` and an async
``function_tools(convert_schemas_to_strict)`` returning ``FunctionTool``s (``agents_otel.mcp`` provides them).
Names must be unique across everything the model is offered; a clash is a :class:`ToolNameCollisionError`, never a
silent shadowing, because the model would call one tool and get the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from .exceptions import UserError
from .tool import FunctionTool, Tool


class ToolNameCollisionError(UserError):
    """Two tools offered to the model share a name (two MCP servers, or an MCP server and the agent's own tools)."""


@runtime_checkable
class ToolSource(Protocol):
    @property
    def name(self) -> str: ...

    async def function_tools(self, convert_schemas_to_strict: bool = False) -> list[FunctionTool]: ...


async def collect_tools(
    own: Sequence[Tool], sources: Sequence[ToolSource], convert_schemas_to_strict: bool = False
) -> list[Tool]:
    """The agent's own tools followed by each source's, in order; raises on the first duplicate name."""
    tools: list[Tool] = list(own)
    origin = {t.name: "the agent's own tools" for t in tools}
    for source in sources:
        for tool in await source.function_tools(convert_schemas_to_strict):
            if tool.name in origin:
                raise ToolNameCollisionError(
                    f"Tool name {tool.name!r} of MCP server {source.name!r} collides with {origin[tool.name]}; "
                    "rename one, or filter it out with tool_filter=create_static_tool_filter(blocked_tool_names=[...])"
                )
            origin[tool.name] = f"MCP server {source.name!r}"
            tools.append(tool)
    return tools
