"""Agents, and agents used as tools by other agents."""

from __future__ import annotations

import dataclasses
import inspect
import re
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, NotRequired, TypedDict, TypeVar, cast

from .context_wrapper import RunContextWrapper
from .custom_tool import CustomTool
from .exceptions import UserError
from .hosted_mcp import HostedMCPTool
from .hosted_tools import HOSTED_TOOL_CLASSES, HostedTool
from .items import FunctionCall
from .local_tools import LOCAL_TOOL_CLASSES, LocalTool, ShellTool
from .models.gpt5_defaults import get_default_model
from .models.implied_settings import OmittedSettings
from .models.interface import Model, ModelSettings
from .prompts import DynamicPromptFunction, Prompt, check_prompt, resolve_prompt
from .stream_events import StreamEvent
from .tool import FunctionTool, NeedsApproval, Tool, ToolEnabled, is_tool_enabled
from .tool_errors import ToolErrorFunction, default_tool_error_function
from .tool_sources import KEEP, ToolNameCollisionError, ToolSource, collect_tools
from .tool_use_behavior import StopAtTools as StopAtTools  # re-exported at the SDK's agents.agent path
from .tool_use_behavior import ToolsToFinalOutputResult as ToolsToFinalOutputResult
from .tool_use_behavior import ToolUseBehavior, check_tool_use_behavior

if TYPE_CHECKING:
    from .agent_tool_input import StructuredToolInputBuilder
    from .guardrails import InputGuardrail, OutputGuardrail
    from .handoffs import Handoff
    from .lifecycle import AgentHooksBase, RunHooksBase
    from .run_config import RunConfig
    from .sessions import Session

if TYPE_CHECKING:
    from .result import RunResult

TContext = TypeVar("TContext")


class AgentToolStreamEvent(TypedDict):
    """What ``as_tool(on_stream=...)`` receives for each event of the inner run."""

    event: StreamEvent
    agent: Agent[Any]
    tool_call: FunctionCall


class MCPConfig(TypedDict):
    """As in the OpenAI Agents SDK: how an agent offers its ``mcp_servers``' tools. Any other key is a ``UserError``
    when the agent is built, never ignored."""

    convert_schemas_to_strict: NotRequired[bool]
    """Make the tools' schemas strict where possible (default ``False``)."""
    failure_error_function: NotRequired[ToolErrorFunction | None]
    """Words a failed MCP tool call for the model (default: ``default_tool_error_function``); ``None``: the error
    fails the run."""
    include_server_in_tool_names: NotRequired[bool]
    """Offer each tool as ``mcp_{server}__{tool}`` (default ``False``), so servers with same-named tools can be
    used together; the call still goes to that server's tool by its own name."""


_MCP_CONFIG_KEYS = frozenset(MCPConfig.__annotations__)


def check_mcp_config(agent: str, config: Any) -> None:
    """A ``TypedDict`` takes any key and value: without this check a misspelt setting would do nothing, silently."""
    if not isinstance(config, dict):
        raise TypeError(f"Agent {agent!r}: mcp_config must be a dict, got {type(config).__name__}")
    unknown = sorted(str(key) for key in config if key not in _MCP_CONFIG_KEYS)
    if unknown:
        raise UserError(
            f"Agent {agent!r}: mcp_config {unknown} is not supported (supported: {', '.join(sorted(_MCP_CONFIG_KEYS))})"
        )
    for key in ("convert_schemas_to_strict", "include_server_in_tool_names"):
        if key in config and not isinstance(config[key], bool):
            raise UserError(f"Agent {agent!r}: mcp_config {key!r} must be a bool, got {config[key]!r}")
    formatter = config.get("failure_error_function")
    if formatter is not None and not callable(formatter):
        raise UserError(f"Agent {agent!r}: mcp_config 'failure_error_function' must be callable or None")


OnStream = Callable[[AgentToolStreamEvent], Awaitable[None] | None]
OutputExtractor = Callable[["RunResult"], str | Awaitable[str]]


@dataclass
class AgentBase(Generic[TContext]):
    """What every agent has, as the SDK's ``AgentBase`` (the base of its ``Agent`` and ``RealtimeAgent``): a name,
    a description for handoffs, and its tools (its own and its MCP servers'). Code typed against ``AgentBase``
    (hooks, tool ``is_enabled`` callables) takes our agents as it takes the SDK's.

    The fields are the SDK's, in its order, so ``Agent("Support", "Answers billing questions")`` sets
    ``handoff_description`` as it does there.
    """

    name: str
    handoff_description: str | None = None
    """Tells other agents' models when to hand off to this one (added to the ``transfer_to_...`` description)."""
    tools: list[Tool] = field(default_factory=list)
    """Function tools, and hosted tools (``WebSearchTool``, ...) that only an OpenAI Responses API model can use."""
    mcp_servers: list[ToolSource] = field(default_factory=list)
    """MCP servers (``agents_otel.mcp``) whose tools join ``tools``, listed again every turn unless they cache."""
    mcp_config: MCPConfig = field(default_factory=lambda: MCPConfig())

    async def get_mcp_tools(self, run_context: Any = None) -> list[FunctionTool]:
        """The tools of ``mcp_servers`` as ``FunctionTool``s (a name collision raises ``ToolNameCollisionError``)."""
        return [t for t in await self._with_mcp_tools([], run_context) if isinstance(t, FunctionTool)]

    async def _with_mcp_tools(self, own: list[Tool], run_context: RunContextWrapper[Any] | None) -> list[Tool]:
        """``own`` and the MCP servers' tools, offered as ``mcp_config`` says."""
        config = self.mcp_config
        prefix = config.get("include_server_in_tool_names", False)
        reserved: set[str] = set()
        if prefix:  # the names the model already has this turn: a prefixed name must not take one
            from .handoffs import enabled_handoffs

            reserved = {t.name for t in self.tools}
            if getattr(self, "handoffs", None):
                wrapper = run_context if run_context is not None else RunContextWrapper(None)
                agent = cast("Agent[Any]", self)
                reserved.update(h.tool_name for h in await enabled_handoffs(agent, wrapper))
        return await collect_tools(
            own,
            self.mcp_servers,
            bool(config.get("convert_schemas_to_strict", False)),
            prefix_names=prefix,
            reserved=reserved,
            failure_error_function=config.get("failure_error_function", KEEP),
            run_context=run_context if run_context is not None else RunContextWrapper(None),
            agent=self,
        )

    async def get_all_tools(self, run_context: RunContextWrapper[Any] | None = None) -> list[Tool]:
        """What the model is offered this turn: ``tools`` as they are now, then the MCP servers' tools, without
        the disabled ones (``is_enabled``). Hosted tools have no ``is_enabled`` and are always offered, as in the
        SDK; their names (``web_search``, ...) share the one namespace with the functions, so a function named
        ``web_search`` beside a ``WebSearchTool`` is a ``ToolNameCollisionError`` (``tool_choice="web_search"``
        and the trace could not tell them apart)."""
        if self.mcp_servers:
            candidates = await self._with_mcp_tools(self.tools, run_context)
        else:
            candidates = list(self.tools)
        wrapper = run_context if run_context is not None else RunContextWrapper(None)
        offered: list[Tool] = []
        for tool in candidates:
            if isinstance(tool, FunctionTool):
                if await is_tool_enabled(tool, wrapper, cast("Agent[Any]", self)):  # every AgentBase is an Agent
                    offered.append(tool)
            elif isinstance(tool, (*HOSTED_TOOL_CLASSES, *LOCAL_TOOL_CLASSES, CustomTool)):
                offered.append(tool)
            else:  # an SDK tool type this runtime lacks, or not a tool at all
                raise UserError(
                    f"Agent {self.name!r}: {type(tool).__name__} is not a tool this runtime supports (supported: "
                    "FunctionTool, CustomTool, WebSearchTool, FileSearchTool, CodeInterpreterTool, "
                    "ImageGenerationTool, HostedMCPTool, ToolSearchTool, ProgrammaticToolCallingTool, ShellTool, "
                    "LocalShellTool, ApplyPatchTool, ComputerTool)"
                )
        names = [t.name for t in offered if not isinstance(t, HostedMCPTool)]
        if len(set(names)) != len(names):  # one would shadow the other without a word
            duplicate = next(n for n in names if names.count(n) > 1)
            raise ToolNameCollisionError(
                f"Agent {self.name!r} offers two tools named {duplicate!r}; give one a name_override / tool_name"
            )
        if len(names) != len(offered):  # hosted MCP servers are told apart by label (the API's and approvals')
            labels = [t.server_label for t in offered if isinstance(t, HostedMCPTool)]
            if len(set(labels)) != len(labels):
                duplicate = next(n for n in labels if labels.count(n) > 1)
                raise ToolNameCollisionError(f"Agent {self.name!r} has two HostedMCPTools labelled {duplicate!r}")
        return offered


_OMITTED = threading.local()
"""The settings the ``model_settings`` default just made in this thread, so ``__post_init__`` can tell them from
settings the application passed (an equal ``ModelSettings()`` passed is a choice, as in the SDK 0.25)."""


def _omitted_settings() -> ModelSettings:
    settings = ModelSettings()
    _OMITTED.settings = settings
    return settings


@dataclass
class Agent(AgentBase[TContext]):
    """An LLM with instructions and tools, as in the OpenAI Agents SDK; ``Runner`` runs it.

    ``model`` is a model name (the OpenAI Responses API by default), a :class:`Model`, or ``None`` for the run's
    ``RunConfig.model``. ``name`` becomes ``gen_ai.agent.name`` on every span of its runs, so pick one an
    operator will recognise in a trace. The first fields are :class:`AgentBase`'s, in the SDK's order.
    """

    instructions: str | Callable[[RunContextWrapper[TContext], Agent[TContext]], str | Awaitable[str]] | None = None
    """A system prompt, or ``(ctx, agent) -> str`` (sync or async) called before every model call, as in the SDK."""
    model: str | Model | None = None
    model_settings: ModelSettings = field(default_factory=_omitted_settings)
    """Left out: the run sends the implied defaults of the model it resolves (``models.gpt5_defaults``), as the SDK
    does, while this stays ``ModelSettings()``; given (even equal to those defaults), sent as given."""
    handoffs: list[Agent[Any] | Handoff[Any, Any]] = field(default_factory=list)
    """Agents this one may hand the conversation to; the model sees each as a ``transfer_to_<name>`` tool."""
    output_type: Any = None
    """``None``/``str``: the final output is the model's text. A type (pydantic model, dataclass, TypedDict,
    ``list[...]``, ``int``...) or an ``AgentOutputSchemaBase``: the model answers in that JSON schema and the
    final output is the validated value."""
    input_guardrails: list[InputGuardrail[Any]] = field(default_factory=list)
    """Checked concurrently with the first model call when this agent starts the run."""
    output_guardrails: list[OutputGuardrail[Any]] = field(default_factory=list)
    """Checked on the final output when this agent produces it."""
    hooks: AgentHooksBase[Any, Any] | None = None
    tool_use_behavior: ToolUseBehavior = "run_llm_again"
    """What happens with tool results: back to the model (default), or the end of the run (see
    ``agents_otel.tool_use_behavior``)."""
    reset_tool_choice: bool = True
    """As in the SDK: once this agent's model has called a tool (or a handoff) in a run, its later model calls in
    that run send no ``tool_choice``, so ``tool_choice="required"`` cannot make it call tools forever."""
    prompt: Prompt | DynamicPromptFunction | None = None
    """A prompt template stored with OpenAI (``{"id": ..., "version": ..., "variables": {...}}``) or a function of
    ``GenerateDynamicPromptData`` returning one, asked before every model call; Responses API models only (see
    :mod:`agents_otel.prompts`)."""

    def __post_init__(self) -> None:
        omitted = getattr(_OMITTED, "settings", None) is self.model_settings
        _OMITTED.settings = None
        self._omitted_settings = OmittedSettings(self.model_settings, get_default_model()) if omitted else None
        # Checked here, not at the first model call: an agent that cannot work says so where it is written.
        check_tool_use_behavior(self.tool_use_behavior)
        if self.hooks is not None:
            from .lifecycle import AgentHooksBase

            if not isinstance(self.hooks, AgentHooksBase):  # e.g. RunHooks here: they would never be called
                raise TypeError(
                    f"Agent hooks must be AgentHooks, got {type(self.hooks).__name__}; "
                    "RunHooks go to Runner.run(hooks=...)"
                )
        if self.output_type is not None:
            from .output_schema import check_output_type

            # Only the kind of value is checked here, as in the SDK: a type whose schema cannot be strict is a
            # UserError when a run first builds its schema, so an agent can still be built and then given
            # AgentOutputSchema(..., strict_json_schema=False) (the SDK's non_strict_output_type example).
            check_output_type(self.output_type)
        if not isinstance(self.name, str):
            raise UserError(f"Agent name must be a string, got {type(self.name).__name__}")
        instructions = self.instructions
        if instructions is not None and not isinstance(instructions, str):
            if not callable(instructions):
                raise UserError(
                    f"Agent {self.name!r}: instructions must be a string or a callable, "
                    f"got {type(instructions).__name__}"
                )
            try:
                inspect.signature(instructions).bind(None, None)
            except TypeError:
                raise UserError(
                    f"Agent {self.name!r}: an instructions callable must accept exactly 2 arguments (context, agent)"
                ) from None
            except ValueError:
                pass  # a builtin without a signature: trust it
        check_mcp_config(self.name, self.mcp_config)
        if not isinstance(self.reset_tool_choice, bool):
            raise TypeError(f"Agent reset_tool_choice must be a boolean, got {type(self.reset_tool_choice).__name__}")
        check_prompt(self.prompt, self.name)
        if not isinstance(self.tools, list):
            raise UserError(f"Agent {self.name!r}: tools must be a list, got {type(self.tools).__name__}")

    def clone(self, **changes: Any) -> Agent[TContext]:
        """A copy with ``changes``, as the SDK's: a clone of an agent whose settings were left out shares them (and
        still counts as setting none); with a new ``model``, it gets new left-out settings."""
        omitted = self._omitted_settings
        if omitted is None or omitted.settings is not self.model_settings or "model_settings" in changes:
            return dataclasses.replace(self, **changes)
        if "model" not in changes:
            cloned = dataclasses.replace(self, **changes)
            cloned._omitted_settings = omitted
            return cloned
        return dataclasses.replace(self, **changes, model_settings=_omitted_settings())

    def tool_names(self) -> list[str]:
        return [t.name for t in self.tools]

    async def get_system_prompt(self, run_context: RunContextWrapper[TContext]) -> str | None:
        """The instructions for the next model call: the string, or what the callable returns for this turn."""
        instructions = self.instructions
        if instructions is None or isinstance(instructions, str):
            return instructions
        value = instructions(run_context, self)
        if inspect.isawaitable(value):
            value = await value
        if value is not None and not isinstance(value, str):
            raise UserError(f"Agent {self.name!r}: the instructions callable returned {type(value).__name__}, not str")
        return value

    async def get_prompt(self, run_context: RunContextWrapper[TContext]) -> dict[str, Any] | None:
        """The prompt for the next model call, as the Responses API takes it (``None``: no prompt)."""
        return await resolve_prompt(self.prompt, run_context, self)

    async def turn_tools(
        self, run_context: RunContextWrapper[Any]
    ) -> tuple[dict[str, FunctionTool], list[HostedTool | LocalTool]]:
        """:meth:`get_all_tools` split for a model call: the functions by name (the runtime runs those), and the
        tools declared by their own ``tools`` entry (the hosted ones the model's provider runs; the local execution
        tools, which also run here through a ``FunctionTool`` stand-in, see :mod:`agents_otel.local_tool_run`)."""
        functions: dict[str, FunctionTool] = {}
        hosted: list[HostedTool | LocalTool] = []
        for tool in await self.get_all_tools(run_context):
            if isinstance(tool, FunctionTool):
                functions[tool.name] = tool
            elif isinstance(tool, CustomTool):  # run as its FunctionTool; the model sees its custom entry
                functions[tool.name] = tool.runner
            else:
                hosted.append(tool)
                if isinstance(tool, LOCAL_TOOL_CLASSES) and (not isinstance(tool, ShellTool) or tool.is_local):
                    from .local_tool_run import function_for

                    functions[tool.name] = function_for(tool)
        return functions, hosted

    def as_tool(
        self,
        tool_name: str | None = None,
        tool_description: str | None = None,
        custom_output_extractor: OutputExtractor | None = None,
        is_enabled: ToolEnabled = True,
        on_stream: OnStream | None = None,
        run_config: RunConfig | None = None,
        max_turns: int | None = None,
        hooks: RunHooksBase[Any, Any] | None = None,
        previous_response_id: str | None = None,
        conversation_id: str | None = None,
        session: Session | None = None,
        failure_error_function: ToolErrorFunction | None = default_tool_error_function,
        needs_approval: NeedsApproval = False,
        parameters: type[Any] | None = None,
        input_builder: StructuredToolInputBuilder | None = None,
        include_input_schema: bool = False,
        on_stream_max_pending_events: int | None = 1024,
    ) -> FunctionTool:
        """This agent as a tool returning its final output (or what ``custom_output_extractor(result)`` makes of
        the inner ``RunResult``). The arguments are in the SDK's order.

        The tool takes one string argument ``input``, the inner run's input; or, with ``parameters`` (a pydantic
        model or dataclass type), arguments of that schema, validated like a function tool's and turned into the
        inner run's input by ``input_builder`` (sync or async; see :mod:`agents_otel.agent_tool_input`).
        ``include_input_schema`` shows the inner agent the full schema. The inner run runs under ``run_config``
        (default: the calling run's ``RunConfig``) with its own ``hooks``, ``session``, ``previous_response_id`` /
        ``conversation_id`` and ``max_turns``.

        The inner run is traced as children of the calling ``execute_tool`` span. Its events go to ``on_stream``
        (sync or async; an exception there is logged, never fatal) with ``tool_call`` the model's own call object;
        more than ``on_stream_max_pending_events`` events waiting for it (``None``: no bound) ends the inner run and
        fails the call, as in the SDK.
        Its tool calls and their progress also reach the outer run's stream, with ``parent_tool_call_id`` set to
        the outer call's id. A failing inner run is a tool error worded by ``failure_error_function``
        (``None``: the outer run fails too). ``needs_approval`` gates the call to this agent as for any tool; a
        tool *inside* it that needs approval fails the run (approvals inside an agent-as-tool are not supported).
        """
        from .agent_tool import NestedRunOptions, agent_tool

        options = NestedRunOptions(
            on_stream, max_turns, run_config, hooks, session, previous_response_id, conversation_id,
            on_stream_max_pending_events,
        )
        return agent_tool(
            self,
            name=tool_name or _function_style(self.name),
            description=tool_description or "",
            custom_output_extractor=custom_output_extractor,
            is_enabled=is_enabled,
            failure_error_function=failure_error_function,
            needs_approval=needs_approval,
            options=options,
            parameters=parameters,
            input_builder=input_builder,
            include_input_schema=include_input_schema,
        )


def _function_style(name: str) -> str:
    """The SDK's default tool name for an agent: every character other than a letter, digit or ``_`` becomes
    ``_``, then lower case (``"Spanish agent-v2"`` -> ``"spanish_agent_v2"``)."""
    return re.sub(r"[^a-zA-Z0-9_]", "_", name).lower()
