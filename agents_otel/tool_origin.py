"""Where a function-tool call's tool came from, as the SDK's ``ToolOrigin``: the agent's own function, an MCP server,
or another agent used as a tool (``as_tool``). Read as ``tool_origin`` on ``ToolCallItem``, ``ToolCallOutputItem``
and ``ToolApprovalItem``.

Why derived on read, not stored per call: the hot path builds a call's items without looking at its tool, and most
programs never read the origin. The item knows its agent and tool name; the agent's ``tools`` hold the function (an
``as_tool`` tool carries its origin on its invoker, set when it is made), and a name not among them was listed by
one of its ``mcp_servers`` (names are unique across both, see ``tool_sources``). Hosted tools and calls of a tool
the agent does not have have no origin (``None``), as in the SDK.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .approval_item import ToolApprovalItem
from .items import ToolCallItem, ToolCallOutputItem


class ToolOriginType(str, Enum):  # noqa: UP042 - the SDK's: str() gives 'ToolOriginType.MCP'
    """The kinds of :class:`ToolOrigin`."""

    FUNCTION = "function"
    MCP = "mcp"
    AGENT_AS_TOOL = "agent_as_tool"


@dataclass(frozen=True)
class ToolOrigin:
    """Which source a function-tool call's tool came from: a UI groups calls by server or sub-agent with it."""

    type: ToolOriginType
    mcp_server_name: str | None = None
    agent_name: str | None = None
    agent_tool_name: str | None = None

    def to_json_dict(self) -> dict[str, str]:
        """The origin as JSON data: ``type`` and whichever names are set."""
        data = {"type": self.type.value}
        for key in ("mcp_server_name", "agent_name", "agent_tool_name"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data

    @classmethod
    def from_json_dict(cls, data: Any) -> ToolOrigin | None:
        """The origin :meth:`to_json_dict` wrote; ``None`` for data that is not one (as the SDK reads it)."""
        if not isinstance(data, Mapping) or not isinstance(data.get("type"), str):
            return None
        try:
            kind = ToolOriginType(data["type"])
        except ValueError:
            return None
        keys = ("mcp_server_name", "agent_name", "agent_tool_name")
        return cls(kind, **{k: v for k in keys if isinstance(v := data.get(k), str)})


_FUNCTION = ToolOrigin(ToolOriginType.FUNCTION)
_ORIGIN_ATTRIBUTE = "_agents_otel_tool_origin"
_AGENT_ATTRIBUTE = "_agents_otel_tool_agent"


def mark_origin(tool: Any, origin: ToolOrigin) -> None:
    """Record ``origin`` on ``tool``'s invoker (the plain function under a ``GuardedInvoker``), which copies of the
    tool (``dataclasses.replace``) share."""
    invoker = tool.on_invoke_tool
    setattr(getattr(invoker, "raw", invoker), _ORIGIN_ATTRIBUTE, origin)


def mark_tool_agent(tool: Any, agent: Any) -> None:
    """Record on an ``as_tool`` tool's invoker the agent it runs, so a paused run's JSON can find that agent again
    by name (``run_state_agents``) through the tools of the agents that use it."""
    invoker = tool.on_invoke_tool
    setattr(getattr(invoker, "raw", invoker), _AGENT_ATTRIBUTE, agent)


def tool_agent(tool: Any) -> Any:
    """The agent an ``as_tool`` tool runs (``None`` for any other tool)."""
    invoker = getattr(tool, "on_invoke_tool", None)
    return getattr(getattr(invoker, "raw", invoker), _AGENT_ATTRIBUTE, None) if invoker is not None else None


def origin_of(agent: Any, tool_name: str) -> ToolOrigin | None:
    """The origin of ``agent``'s tool ``tool_name`` (see the module's docstring)."""
    if agent is None:
        return None
    for tool in getattr(agent, "tools", ()):
        invoker = getattr(tool, "on_invoke_tool", None)
        if invoker is not None and tool.name == tool_name:
            found = getattr(getattr(invoker, "raw", invoker), _ORIGIN_ATTRIBUTE, None)
            return found if isinstance(found, ToolOrigin) else _FUNCTION
    for server in getattr(agent, "mcp_servers", ()):
        listed = getattr(server, "listed_tool_names", None)
        if listed is not None and tool_name in listed():
            return ToolOrigin(ToolOriginType.MCP, mcp_server_name=safe_server_name(server.name))
    return None


def safe_server_name(name: str) -> str:
    """A server name made from its URL (``streamable_http: https://user:pw@host/mcp?key=...``) without credentials,
    query or fragment, as the SDK writes it: the origin ends up in UIs and saved run states."""
    prefix, _, rest = name.rpartition(": ") if ": " in name else ("", "", name)
    try:
        parts = urlsplit(rest)
        host, port = parts.hostname, parts.port
    except ValueError:
        return f"{prefix}: <invalid-url>" if prefix else "<invalid-url>"
    if parts.scheme not in ("http", "https") or not host:
        return name
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port is not None else "")
    safe = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return f"{prefix}: {safe}" if prefix else safe


def _call_origin(item: ToolCallItem | ToolCallOutputItem) -> ToolOrigin | None:
    return origin_of(item.call.agent, item.call.tool_name)


def _approval_origin(item: ToolApprovalItem) -> ToolOrigin | None:
    return None if item.mcp_request is not None else origin_of(item.agent, item.tool_name)


# Installed on the item classes from here, so ``items`` (a record module every layer reads) stays free of it.
ToolCallItem.tool_origin = property(_call_origin, doc="Where the called tool came from (``None``: hosted).")  # type: ignore[attr-defined]
ToolCallOutputItem.tool_origin = property(_call_origin, doc="Where the called tool came from.")  # type: ignore[attr-defined]
ToolApprovalItem.tool_origin = property(_approval_origin, doc="Where the tool waiting for approval came from.")  # type: ignore[attr-defined]
