"""The items of a Codex thread (the ``item`` of each ``item.*`` event the CLI writes): messages, reasoning,
commands, file changes, MCP tool calls, web searches, to-do lists and errors.

An item type this version does not know is kept (``_UnknownThreadItem`` with the raw payload), as in the SDK: a
newer CLI must not break a turn, and nothing it sent is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias, TypeGuard

from .payloads import _DictLike

CommandExecutionStatus = Literal["in_progress", "completed", "failed"]
PatchChangeKind = Literal["add", "delete", "update"]
PatchApplyStatus = Literal["completed", "failed"]
McpToolCallStatus = Literal["in_progress", "completed", "failed"]


@dataclass(frozen=True)
class CommandExecutionItem(_DictLike):
    id: str
    command: str
    status: CommandExecutionStatus
    aggregated_output: str = ""
    exit_code: int | None = None
    type: Literal["command_execution"] = field(default="command_execution", init=False)


@dataclass(frozen=True)
class FileUpdateChange(_DictLike):
    path: str
    kind: PatchChangeKind


@dataclass(frozen=True)
class FileChangeItem(_DictLike):
    id: str
    changes: list[FileUpdateChange]
    status: PatchApplyStatus
    type: Literal["file_change"] = field(default="file_change", init=False)


@dataclass(frozen=True)
class McpToolCallResult(_DictLike):
    content: list[Any]
    """MCP content blocks, as the CLI wrote them."""
    structured_content: Any


@dataclass(frozen=True)
class McpToolCallError(_DictLike):
    message: str


@dataclass(frozen=True)
class McpToolCallItem(_DictLike):
    id: str
    server: str
    tool: str
    arguments: Any
    status: McpToolCallStatus
    result: McpToolCallResult | None = None
    error: McpToolCallError | None = None
    type: Literal["mcp_tool_call"] = field(default="mcp_tool_call", init=False)


@dataclass(frozen=True)
class AgentMessageItem(_DictLike):
    id: str
    text: str
    type: Literal["agent_message"] = field(default="agent_message", init=False)


@dataclass(frozen=True)
class ReasoningItem(_DictLike):
    id: str
    text: str
    type: Literal["reasoning"] = field(default="reasoning", init=False)


@dataclass(frozen=True)
class WebSearchItem(_DictLike):
    id: str
    query: str
    type: Literal["web_search"] = field(default="web_search", init=False)


@dataclass(frozen=True)
class ErrorItem(_DictLike):
    id: str
    message: str
    type: Literal["error"] = field(default="error", init=False)


@dataclass(frozen=True)
class TodoItem(_DictLike):
    text: str
    completed: bool


@dataclass(frozen=True)
class TodoListItem(_DictLike):
    id: str
    items: list[TodoItem]
    type: Literal["todo_list"] = field(default="todo_list", init=False)


@dataclass(frozen=True)
class _UnknownThreadItem(_DictLike):
    type: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    id: str | None = None


ThreadItem: TypeAlias = (
    AgentMessageItem
    | ReasoningItem
    | CommandExecutionItem
    | FileChangeItem
    | McpToolCallItem
    | WebSearchItem
    | TodoListItem
    | ErrorItem
    | _UnknownThreadItem
)


def is_agent_message_item(item: ThreadItem) -> TypeGuard[AgentMessageItem]:
    return isinstance(item, AgentMessageItem)


def _command(raw: Mapping[str, Any]) -> ThreadItem:
    return CommandExecutionItem(
        id=raw["id"],
        command=raw["command"],
        status=raw["status"],
        aggregated_output=raw.get("aggregated_output") or "",
        exit_code=raw.get("exit_code"),
    )


def _file_change(raw: Mapping[str, Any]) -> ThreadItem:
    changes = [
        c if isinstance(c, FileUpdateChange) else FileUpdateChange(path=c["path"], kind=c["kind"])
        for c in raw.get("changes") or []
    ]
    return FileChangeItem(id=raw["id"], changes=changes, status=raw["status"])


def _mcp_call(raw: Mapping[str, Any]) -> ThreadItem:
    result, error = raw.get("result"), raw.get("error")
    if isinstance(result, Mapping):
        result = McpToolCallResult(
            content=list(result.get("content") or []), structured_content=result.get("structured_content")
        )
    if isinstance(error, Mapping):
        error = McpToolCallError(message=error.get("message", ""))
    return McpToolCallItem(
        id=raw["id"], server=raw["server"], tool=raw["tool"], arguments=raw.get("arguments"),
        status=raw["status"], result=result, error=error,
    )


def _todo_list(raw: Mapping[str, Any]) -> ThreadItem:
    todos = [
        t if isinstance(t, TodoItem) else TodoItem(text=t.get("text", ""), completed=bool(t.get("completed")))
        for t in raw.get("items") or []
    ]
    return TodoListItem(id=raw["id"], items=todos)


_PARSERS: dict[str, Callable[[Mapping[str, Any]], ThreadItem]] = {
    "command_execution": _command,
    "file_change": _file_change,
    "mcp_tool_call": _mcp_call,
    "agent_message": lambda raw: AgentMessageItem(id=raw["id"], text=raw.get("text", "")),
    "reasoning": lambda raw: ReasoningItem(id=raw["id"], text=raw.get("text", "")),
    "web_search": lambda raw: WebSearchItem(id=raw["id"], query=raw.get("query", "")),
    "todo_list": _todo_list,
    "error": lambda raw: ErrorItem(id=raw.get("id", ""), message=raw.get("message", "")),
}


def coerce_thread_item(raw: ThreadItem | Mapping[str, Any]) -> ThreadItem:
    """The typed item for one raw ``item`` payload. A known type missing a required key raises ``KeyError`` (the
    thread reports it as an unparsable event); an unknown type is kept whole."""
    if isinstance(raw, _DictLike):
        return raw
    if not isinstance(raw, Mapping):
        raise TypeError(f"a Codex thread item must be a mapping, got {type(raw).__name__}")
    kind = raw.get("type")
    parser = _PARSERS.get(kind) if isinstance(kind, str) else None
    if parser is None:
        unknown = kind if isinstance(kind, str) else "unknown"
        return _UnknownThreadItem(type=unknown, payload=dict(raw), id=raw.get("id"))
    return parser(raw)
