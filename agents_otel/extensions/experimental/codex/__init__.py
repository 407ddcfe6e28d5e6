"""The SDK's ``agents.extensions.experimental.codex``: the Codex CLI (``codex exec --experimental-json``) driven from
Python — ``Codex`` threads and turns, their typed events and items — and ``codex_tool(...)``, which lets an agent hand a
task to Codex, with Codex's work reported live as progress on the tool call's span and in the run's stream.

No extra package: the CLI runs as an asyncio subprocess. Install it with ``npm install -g @openai/codex`` (or point
``CODEX_PATH`` / ``CodexOptions(codex_path_override=...)`` at it). See docs/codex.md.
"""

from __future__ import annotations

from .codex import Codex
from .codex_options import CodexOptions
from .codex_tool import CodexToolOptions, CodexToolResult, codex_tool
from .codex_tool_schema import OutputSchemaDescriptor
from .codex_tool_stream import CodexToolStreamEvent
from .events import (
    ItemCompletedEvent,
    ItemStartedEvent,
    ItemUpdatedEvent,
    ThreadError,
    ThreadErrorEvent,
    ThreadEvent,
    ThreadStartedEvent,
    TurnCompletedEvent,
    TurnFailedEvent,
    TurnStartedEvent,
    Usage,
)
from .items import (
    AgentMessageItem,
    CommandExecutionItem,
    ErrorItem,
    FileChangeItem,
    FileUpdateChange,
    McpToolCallError,
    McpToolCallItem,
    McpToolCallResult,
    ReasoningItem,
    ThreadItem,
    TodoItem,
    TodoListItem,
    WebSearchItem,
)
from .thread import Input, RunResult, RunStreamedResult, Thread, Turn, UserInput
from .thread_options import ApprovalMode, ModelReasoningEffort, SandboxMode, ThreadOptions, WebSearchMode
from .turn_options import TurnOptions

__all__ = [
    "AgentMessageItem",
    "ApprovalMode",
    "Codex",
    "CodexOptions",
    "CodexToolOptions",
    "CodexToolResult",
    "CodexToolStreamEvent",
    "CommandExecutionItem",
    "ErrorItem",
    "FileChangeItem",
    "FileUpdateChange",
    "Input",
    "ItemCompletedEvent",
    "ItemStartedEvent",
    "ItemUpdatedEvent",
    "McpToolCallError",
    "McpToolCallItem",
    "McpToolCallResult",
    "ModelReasoningEffort",
    "OutputSchemaDescriptor",
    "ReasoningItem",
    "RunResult",
    "RunStreamedResult",
    "SandboxMode",
    "Thread",
    "ThreadError",
    "ThreadErrorEvent",
    "ThreadEvent",
    "ThreadItem",
    "ThreadOptions",
    "ThreadStartedEvent",
    "TodoItem",
    "TodoListItem",
    "Turn",
    "TurnCompletedEvent",
    "TurnFailedEvent",
    "TurnOptions",
    "TurnStartedEvent",
    "Usage",
    "UserInput",
    "WebSearchItem",
    "WebSearchMode",
    "codex_tool",
]
