"""Tools that come from elsewhere each turn (MCP servers), and the one rule for combining them with an agent's own.

The core does not know MCP: an ``Agent``'s ``mcp_servers`` are anything with ``name`` and an async
``function_tools(convert_schemas_to_strict)`` returning ``FunctionTool``s (``agents_otel.mcp`` provides them).
Names must be unique across everything the model is offered; a clash is a :class:`ToolNameCollisionError`, never a
silent shadowing, because the model would call one tool and get the other.

``mcp_config={"include_server_in_tool_names": True}`` renames each source's tools ``mcp_{server}__{tool}``, as the
SDK does and with the same names (so prompts and saved traces written for the SDK match): only ASCII letters,
digits, ``_`` and ``-``, at most 64 characters, and a short hash of the server and tool names when that is needed
to keep the name unique (a name too long, two names that clean up the same, a name already taken). Renaming the
``FunctionTool`` is enough to route the call back: each one's invoker holds its own server and the MCP tool name.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Collection, Sequence
from typing import Any, Protocol, runtime_checkable

from .exceptions import UserError
from .tool import FunctionTool, Tool
from .tool_origin import safe_server_name

_MAX_NAME = 64
_HASH_LENGTH = 8
KEEP = object()
"""``collect_tools(failure_error_function=KEEP)``: each tool keeps the formatter its source gave it."""


class ToolNameCollisionError(UserError):
    """Two tools offered to the model share a name (two MCP servers, or an MCP server and the agent's own tools)."""


@runtime_checkable
class ToolSource(Protocol):
    @property
    def name(self) -> str: ...

    async def function_tools(self, convert_schemas_to_strict: bool = False) -> list[FunctionTool]: ...


async def collect_tools(
    own: Sequence[Tool],
    sources: Sequence[ToolSource],
    convert_schemas_to_strict: bool = False,
    *,
    prefix_names: bool = False,
    reserved: Collection[str] = (),
    failure_error_function: Any = KEEP,
    run_context: Any = None,
    agent: Any = None,
) -> list[Tool]:
    """The agent's own tools followed by each source's, in order; raises on the first duplicate name.

    ``prefix_names`` gives the sources' tools server-prefixed names that avoid ``reserved`` (the agent's own tool
    and handoff names); ``failure_error_function`` (``mcp_config``'s) replaces the formatter of the tools of each
    source that does not set one itself (``sets_failure_error_function``, an MCP server's own setting: the
    server's choice wins, as in the SDK). A source whose listing depends on the turn (``function_tools_take_run``:
    a callable tool filter or approval policy) is given ``run_context`` and ``agent`` too."""
    batches = [
        (
            source,
            await source.function_tools(convert_schemas_to_strict, run_context, agent)  # type: ignore[call-arg]
            if getattr(source, "function_tools_take_run", False)
            else await source.function_tools(convert_schemas_to_strict),
        )
        for source in sources
    ]
    if prefix_names:
        batches = _prefixed(batches, reserved)
    if failure_error_function is not KEEP:
        batches = [
            (s, tools)
            if getattr(s, "sets_failure_error_function", False)
            else (s, [dataclasses.replace(t, failure_error_function=failure_error_function) for t in tools])
            for s, tools in batches
        ]
    tools: list[Tool] = list(own)
    origin = {t.name: "the agent's own tools" for t in tools}
    for source, found in batches:
        for tool in found:
            if tool.name in origin:
                hint = (
                    "; or set mcp_config={'include_server_in_tool_names': True} on the agent to prefix MCP tool names "
                    "with their server's name"
                    if not prefix_names and origin[tool.name].startswith("MCP")
                    else ""
                )
                raise ToolNameCollisionError(
                    f"Tool name {tool.name!r} of MCP server {source.name!r} collides with {origin[tool.name]}; "
                    "rename one, or filter it out with tool_filter=create_static_tool_filter(blocked_tool_names=[...])"
                    f"{hint}"
                )
            origin[tool.name] = f"MCP server {source.name!r}"
            tools.append(tool)
    return tools


def _prefixed(
    batches: list[tuple[ToolSource, list[FunctionTool]]], reserved: Collection[str]
) -> list[tuple[ToolSource, list[FunctionTool]]]:
    """Every tool renamed; a source that wants to know the names it was offered under is told (``offered_as``:
    the run items' ``tool_origin`` finds the server by them)."""
    names = public_names([(source.name, [t.name for t in tools]) for source, tools in batches], reserved)
    renamed: list[tuple[ToolSource, list[FunctionTool]]] = []
    for (source, tools), public in zip(batches, names, strict=True):
        renamed.append((source, [dataclasses.replace(t, name=n) for t, n in zip(tools, public, strict=True)]))
        offered_as = getattr(source, "offered_as", None)
        if callable(offered_as):
            offered_as(public)
    return renamed


def public_names(listings: Sequence[tuple[str, Sequence[str]]], reserved: Collection[str] = ()) -> list[list[str]]:
    """The server-prefixed name of each ``(server name, tool names)`` listing's tools, in the same shape.

    A name is decided by its server and tool names and the other names in the same listing, never by list order:
    candidates are settled in sorted order, so the same tools get the same names whichever server comes first."""
    bases = [[_base(server, tool) for tool in tools] for server, tools in listings]
    counts = Counter(base for row in bases for base in row)
    candidates: list[tuple[str, str, int, int]] = []  # (first choice, seed, listing, tool): the settling order
    for i, (server, tools) in enumerate(listings):
        for j, tool in enumerate(tools):
            seed = f"{safe_server_name(server)}\0{tool}"
            base = bases[i][j]
            candidates.append((_shortened(base, seed, counts[base] > 1 or base in reserved), seed, i, j))
    taken = set(reserved)
    out = [[""] * len(tools) for _, tools in listings]
    for first, seed, i, j in sorted(candidates):
        name, attempt = first, 1
        while name in taken:
            name = _shortened(bases[i][j], f"{seed}\0{attempt}", True)
            attempt += 1
        taken.add(name)
        out[i][j] = name
    return out


def _base(server: str, tool: str) -> str:
    return f"mcp_{_name_part(safe_server_name(server), 'server')}__{_name_part(tool, 'tool')}"


def _name_part(value: str, fallback: str) -> str:
    """What every model API accepts in a tool name: ASCII letters and digits, ``_`` and ``-``."""
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "_-") else "_" for c in value).strip("_-")
    return cleaned or fallback


def _shortened(base: str, seed: str, force_hash: bool) -> str:
    if not force_hash and len(base) <= _MAX_NAME:
        return base
    digest = hashlib.sha1(seed.encode("utf-8"), usedforsecurity=False).hexdigest()[:_HASH_LENGTH]
    stem = base[: _MAX_NAME - _HASH_LENGTH - 1].rstrip("_-") or "mcp"
    return f"{stem}_{digest}"
