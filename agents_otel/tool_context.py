"""What a running tool knows about itself, and its one way to talk while it runs: ``send_progress``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from .agent import Agent
    from .tool_call import ToolCall

TContext = TypeVar("TContext")


class ToolContext(Generic[TContext]):
    """Passed to a tool whose first parameter is annotated ``ToolContext``.

    ``context`` is the object given to ``Runner.run(..., context=...)``, for the application's own state.
    """

    __slots__ = ("_call", "agent", "context")

    def __init__(self, call: ToolCall, agent: Agent[Any], context: TContext) -> None:
        self._call = call
        self.agent = agent
        self.context = context

    @property
    def tool_name(self) -> str:
        return self._call.identity.tool_name

    @property
    def tool_call_id(self) -> str:
        """The model's own call id: also ``gen_ai.tool.call.id`` on the span and ``tool_call_id`` in the stream."""
        return self._call.identity.tool_call_id

    @property
    def tool_arguments(self) -> str:
        """The raw JSON arguments the model sent."""
        return self._call.arguments

    @property
    def trace_id(self) -> str:
        return self._call.identity.trace_id

    @property
    def span_id(self) -> str:
        return self._call.identity.span_id

    def send_progress(self, data: Any) -> bool:
        """Report progress: one span event on this call's ``execute_tool`` span, and the same record in the stream.

        Synchronous and thread-safe, so sync tools in worker threads call it the same way as async tools. Works
        in non-streamed runs too (the trace still gets the event). Returns ``False``, recording nothing, if this
        call has already ended (e.g. a straggling thread after cancellation); such calls are counted in
        ``RunResult.progress_dropped``. Raises :class:`ProgressPayloadError` (a ``TypeError``) for data that cannot
        be JSON-encoded.
        """
        return self._call.progress(data)


def tool_call_of(ctx: ToolContext[Any]) -> ToolCall:
    """The runtime's record behind ``ctx``: how the engine finds the run a tool call belongs to (an agent used as a
    tool runs nested in it). Engine-only; applications use the properties above."""
    return ctx._call
