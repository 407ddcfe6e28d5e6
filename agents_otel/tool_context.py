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
    from .run_config import RunConfig
    from .tool_call import ToolCall

TContext = TypeVar("TContext")


class ToolContext(RunContextWrapper[TContext]):
    """Passed to a tool whose first parameter is annotated ``ToolContext`` (or ``RunContextWrapper``).

    ``context`` is the object given to ``Runner.run(..., context=...)``, for the application's own state;
    ``usage`` the run's token usage so far; ``tool_call`` the model's own call object (the SDK's
    ``ResponseFunctionToolCall`` in a run); ``agent`` the agent whose model made the call.
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
        tool_namespace: str | None = None,
        run_config: RunConfig | None = None,
        turn_input: list[Any] | None = None,
    ) -> None:
        # The same attributes ``for_call`` sets (a test checks both agree), plus the optional ones only when given:
        # their properties read the run's own for a context the runtime made.
        attributes = self.__dict__
        attributes["context"] = context
        attributes["usage"] = usage if usage is not None else Usage()
        attributes["tool_input"] = tool_input
        self.agent = agent
        attributes["_given_tool_call"] = tool_call
        self._name = tool_name
        self._call_id = tool_call_id
        self._arguments = tool_arguments
        self._call: ToolCall | None = None
        self.progress_sent: list[Any] = []
        """Standalone contexts only: what ``send_progress`` was given, in order."""
        if tool_namespace is not None:
            attributes["_given_namespace"] = tool_namespace
        if run_config is not None:
            attributes["_given_run_config"] = run_config
        if turn_input is not None:
            attributes["_given_turn_input"] = list(turn_input)

    @classmethod
    def from_agent_context(
        cls,
        context: RunContextWrapper[Any],
        tool_call_id: str,
        tool_call: FunctionCall | None = None,
        agent: Agent[Any] | None = None,
        *,
        tool_name: str | None = None,
        tool_arguments: str | None = None,
        tool_namespace: str | None = None,
        run_config: RunConfig | None = None,
    ) -> ToolContext[Any]:
        """A tool context over ``context`` (the SDK's constructor): its ``context``, ``usage``, ``turn_input`` and
        ``tool_input``, and its approval decisions, which the new context shares (deciding on one decides on
        both). ``tool_name`` / ``tool_arguments`` default to ``tool_call``'s; ``agent`` / ``run_config`` to those
        of ``context`` when it is a ``ToolContext``."""
        name = tool_name if tool_name is not None else tool_call.name if tool_call is not None else None
        arguments = tool_arguments if tool_arguments is not None else tool_call.arguments if tool_call else None
        if name is None or arguments is None:
            from .exceptions import UserError

            raise UserError("ToolContext.from_agent_context() needs tool_call, or tool_name and tool_arguments")
        if isinstance(context, ToolContext):
            agent = agent if agent is not None else context.agent
            run_config = run_config if run_config is not None else context.run_config
        made: ToolContext[Any] = cls(
            context.context,
            context.usage,
            tool_name=name,
            tool_call_id=tool_call_id,
            tool_arguments=arguments,
            tool_call=tool_call,
            agent=agent,
            tool_input=context.tool_input,
            tool_namespace=tool_namespace,
            run_config=run_config,
            turn_input=context.turn_input,
        )
        made._approvals_from = context._decision_owner()
        return made

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
        attributes["_record"] = tool_call
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
    def tool_call(self) -> Any:
        """The model's call as the SDK gives it: in a run, a ``ResponseFunctionToolCall`` (a program's call or a
        hosted agent's call in its own ``openai`` type), made from the runtime's record on first read, since most
        tools never look; in a context made by hand, the object it was given (``None`` if none)."""
        attributes = self.__dict__
        if "_given_tool_call" in attributes:
            return attributes["_given_tool_call"]
        record = attributes.get("_record")
        if record is None:
            return None
        from .response_view import sdk_output_item  # first read only: the runtime never needs the SDK's form

        made = attributes["_given_tool_call"] = sdk_output_item(record)
        return made

    @tool_call.setter
    def tool_call(self, value: Any) -> None:
        self.__dict__["_given_tool_call"] = value

    def _call_record(self) -> FunctionCall:
        """The call as the runtime keeps it (the engine's form): the run's record, else one made of the context's
        name, arguments and id (a context made by hand may hold an ``openai`` call object, or none)."""
        record = self.__dict__.get("_record")
        if record is not None:
            return record  # type: ignore[no-any-return]
        from .conversation_items import FunctionCall

        return FunctionCall(self._name, self._arguments, self._call_id)

    @property
    def tool_namespace(self) -> str | None:
        """The ``tool_namespace(...)`` the called tool is in (``None``: none), as in the SDK."""
        given: str | None = self.__dict__.get("_given_namespace")
        if given is not None or self.agent is None:
            return given
        for tool in getattr(self.agent, "tools", ()):  # read when asked, never per call
            if getattr(tool, "name", None) == self._name and isinstance(getattr(tool, "_tool_namespace", None), str):
                namespace: str = tool._tool_namespace
                return namespace
        return None

    @property
    def run_config(self) -> RunConfig | None:
        """The run's ``RunConfig`` (``None`` for a context made outside a run without one), as in the SDK."""
        given: RunConfig | None = self.__dict__.get("_given_run_config")
        if given is not None or self._call is None:
            return given
        return self._call.run.config

    @property
    def turn_input(self) -> list[Any]:
        """The input of the calling agent's turn (the run's ``RunContextWrapper.turn_input``)."""
        given: list[Any] | None = self.__dict__.get("_given_turn_input")
        if given is not None:
            return given
        owner = self._decision_owner()
        return owner.turn_input if owner is not self else []

    @turn_input.setter
    def turn_input(self, value: list[Any]) -> None:
        self.__dict__["_given_turn_input"] = value

    def _decision_owner(self) -> RunContextWrapper[Any]:
        """The run's wrapper, for a context the runtime made: decisions made here are the run's."""
        shared = self._approvals_from
        if shared is not None:
            return shared
        call = self._call
        wrapper = call.run.wrapper if call is not None else None
        return wrapper if wrapper is not None else self

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
