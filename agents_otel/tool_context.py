"""What a running tool knows about itself, and its one way to talk while it runs: ``send_progress``.

``ToolContext`` is a ``RunContextWrapper`` (the application's ``context`` and the run's ``usage``), as in the
OpenAI Agents SDK, plus the call's identity. The runtime makes at most one per call around its ``ToolCall`` record,
when something first asks for it (the tool takes one, a hook or an error handler runs, ``current_tool_context()``);
users make one directly to unit-test a tool: ``ToolContext(my_ctx, tool_name="search", tool_call_id="c1",
tool_arguments='{"q": "x"}')``. Such a standalone context has no span: ``send_progress`` keeps the data in
``progress_sent`` so the test can assert on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from .context_wrapper import RunContextWrapper
from .models.interface import Usage

if TYPE_CHECKING:
    from .agent import Agent
    from .items import FunctionCall
    from .tool_call import ToolCall

TContext = TypeVar("TContext")


class ToolContext(RunContextWrapper[TContext]):
    """Passed to a tool whose first parameter is annotated ``ToolContext`` (or ``RunContextWrapper``).

    ``context`` is the object given to ``Runner.run(..., context=...)``, for the application's own state;
    ``usage`` the run's token usage so far; ``tool_call`` the model's own call object; ``agent`` the agent whose
    model made the call.
    """

    def __init__(
        self,
        context: TContext,
        usage: Usage | None = None,
        *,
        tool_name: str,
        tool_call_id: str,
        tool_arguments: str = "",
        tool_call: FunctionCall | None = None,
        agent: Agent[Any] | None = None,
        tool_input: Any = None,
    ) -> None:
        super().__init__(context, usage if usage is not None else Usage(), tool_input=tool_input)
        self.agent = agent
        self.tool_call = tool_call
        self._name = tool_name
        self._call_id = tool_call_id
        self._arguments = tool_arguments
        self._call: ToolCall | None = None
        self.progress_sent: list[Any] = []
        """Standalone contexts only: what ``send_progress`` was given, in order."""

    @classmethod
    def for_call(
        cls,
        call: ToolCall,
        agent: Agent[Any],
        context: Any,
        usage: Usage,
        tool_call: FunctionCall,
        tool_input: Any = None,
    ) -> ToolContext[Any]:
        """The runtime's context for one call: identity and progress come from its ``ToolCall`` record.

        Built once per tool call, so it sets the same attributes as ``__init__`` directly instead of through the
        keyword call and the dataclass ``__init__`` above it (a test checks both agree)."""
        ctx: ToolContext[Any] = object.__new__(cls)
        attributes = ctx.__dict__
        attributes["context"] = context
        attributes["usage"] = usage
        attributes["tool_input"] = tool_input
        attributes["agent"] = agent
        attributes["tool_call"] = tool_call
        attributes["_name"] = tool_call.name
        attributes["_call_id"] = tool_call.call_id
        attributes["_arguments"] = tool_call.arguments
        attributes["_call"] = call
        attributes["progress_sent"] = []
        return ctx

    @property
    def tool_name(self) -> str:
        return self._name

    @property
    def tool_call_id(self) -> str:
        """The model's own call id: also ``gen_ai.tool.call.id`` on the span and ``tool_call_id`` in the stream."""
        return self._call_id

    @property
    def tool_arguments(self) -> str:
        """The raw JSON arguments the model sent."""
        return self._arguments

    @property
    def trace_id(self) -> str:
        return self._call.identified().trace_id if self._call is not None else ""

    @property
    def span_id(self) -> str:
        return self._call.identified().span_id if self._call is not None else ""

    def send_progress(self, data: Any) -> bool:
        """Report progress: one span event on this call's ``execute_tool`` span, and the same record in the stream.

        Synchronous and thread-safe, so sync tools in worker threads call it the same way as async tools. Works
        in non-streamed runs too (the trace still gets the event). Returns ``False``, recording nothing, if this
        call has already ended (e.g. a straggling thread after cancellation); such calls are counted in
        ``RunResult.progress_dropped``. Raises :class:`ProgressPayloadError` (a ``TypeError``) for data that cannot
        be JSON-encoded.
        """
        if self._call is None:
            from .progress_payload import encode_payload

            encode_payload(data, self._name)  # the same typed error a run would raise
            self.progress_sent.append(data)
            return True
        return self._call.progress(data)

    def __repr__(self) -> str:
        return f"ToolContext(tool_name={self._name!r}, tool_call_id={self._call_id!r}, context={self.context!r})"

    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        return self is other


def tool_call_of(ctx: ToolContext[Any]) -> ToolCall:
    """The runtime's record behind ``ctx``: how the engine finds the run a tool call belongs to (an agent used as a
    tool runs nested in it). Engine-only; applications use the properties above."""
    if ctx._call is None:
        from .exceptions import UserError

        raise UserError(f"{ctx!r} was made outside a run; only a run's own ToolContext can run a nested agent")
    return ctx._call
