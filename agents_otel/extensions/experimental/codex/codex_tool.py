"""``codex_tool(...)``: a ``FunctionTool`` that hands a task to Codex and returns its final answer.

Each call runs one Codex turn (``codex exec`` as a subprocess): on a new thread, or on one it resumes (the call's
``thread_id``, the run context's, or the configured one, in that order). Codex's items are reported as progress on
the call's span while it works (see ``codex_tool_stream``); the call returns ``CodexToolResult`` (thread id,
response, usage), and Codex's usage is added to the run's. Failures are the tool's errors, worded for the model by
``failure_error_function`` as for any tool.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ....exceptions import UserError
from ....models import _openai_client
from ....models.interface import InputTokensDetails
from ....models.interface import Usage as RunUsage
from ....tool import FunctionTool, GuardedInvoker, ToolEnabled
from ....tool_context import ToolContext
from ....tool_errors import ToolErrorFunction, default_tool_error_function
from . import codex_tool_context as run_context
from .codex import Codex
from .codex_options import CodexOptions, coerce_codex_options
from .codex_tool_inputs import (
    CodexToolParameters,
    CodexToolRunContextParameters,
    build_codex_input,
    default_response,
    normalize_parameters,
    parse_tool_input,
)
from .codex_tool_schema import OutputSchemaDescriptor, closed_schema, resolve_output_schema
from .codex_tool_stream import CodexToolStreamEvent, StreamHandler, TurnOutcome, consume_events
from .events import Usage
from .thread import Thread
from .thread_options import SandboxMode, ThreadOptions, coerce_thread_options
from .turn_options import TurnOptions, coerce_turn_options

_DESCRIPTION = "Executes an agentic Codex task against the current workspace."


@dataclass(frozen=True)
class CodexToolResult:
    thread_id: str | None
    response: str
    usage: Usage | None

    def as_dict(self) -> dict[str, Any]:
        return {"thread_id": self.thread_id, "response": self.response,
                "usage": self.usage.as_dict() if self.usage is not None else None}

    def __str__(self) -> str:
        import json

        return json.dumps(self.as_dict())


@dataclass
class CodexToolOptions:
    name: str | None = None
    """``codex`` (the default) or ``codex_<suffix>``."""
    description: str | None = None
    parameters: type[BaseModel] | None = None
    """A pydantic model of the tool's arguments (it needs an ``inputs`` list of text / local_image items)."""
    output_schema: OutputSchemaDescriptor | Mapping[str, Any] | None = None
    codex: Codex | None = None
    codex_options: CodexOptions | Mapping[str, Any] | None = None
    default_thread_options: ThreadOptions | Mapping[str, Any] | None = None
    thread_id: str | None = None
    sandbox_mode: SandboxMode | None = None
    working_directory: str | None = None
    skip_git_repo_check: bool | None = None
    default_turn_options: TurnOptions | Mapping[str, Any] | None = None
    span_data_max_chars: int | None = 8192
    """The longest string of an item kept in its progress record (``None``: no limit)."""
    persist_session: bool = False
    """Every call of this tool continues one Codex thread."""
    on_stream: StreamHandler | None = None
    is_enabled: ToolEnabled = True
    failure_error_function: ToolErrorFunction | None = default_tool_error_function
    use_run_context_thread_id: bool = False
    run_context_thread_id_key: str | None = None


_UNSET: Any = object()
_OPTION_NAMES = [f.name for f in dataclasses.fields(CodexToolOptions)]


def codex_tool(
    options: CodexToolOptions | Mapping[str, Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    parameters: type[BaseModel] | None = None,
    output_schema: OutputSchemaDescriptor | Mapping[str, Any] | None = None,
    codex: Codex | None = None,
    codex_options: CodexOptions | Mapping[str, Any] | None = None,
    default_thread_options: ThreadOptions | Mapping[str, Any] | None = None,
    thread_id: str | None = None,
    sandbox_mode: SandboxMode | None = None,
    working_directory: str | None = None,
    skip_git_repo_check: bool | None = None,
    default_turn_options: TurnOptions | Mapping[str, Any] | None = None,
    span_data_max_chars: int | None = _UNSET,
    persist_session: bool | None = None,
    on_stream: Callable[[CodexToolStreamEvent], Awaitable[None] | None] | None = None,
    is_enabled: ToolEnabled | None = None,
    failure_error_function: ToolErrorFunction | None = _UNSET,
    use_run_context_thread_id: bool | None = None,
    run_context_thread_id_key: str | None = None,
) -> FunctionTool:
    """The Codex tool. Options come as ``CodexToolOptions``, a mapping, keywords, or a mix (keywords win); the two
    whose ``None`` means something (``span_data_max_chars``, ``failure_error_function``) count when given."""
    opts = _coerce_tool_options(options)
    keywords = dict(locals())
    for option in _OPTION_NAMES:
        value = keywords[option]
        unset = value is _UNSET if option in ("span_data_max_chars", "failure_error_function") else value is None
        if not unset:
            setattr(opts, option, value)
    opts.codex_options = coerce_codex_options(opts.codex_options)
    opts.default_thread_options = coerce_thread_options(opts.default_thread_options)
    opts.default_turn_options = coerce_turn_options(opts.default_turn_options)

    tool_name = _tool_name(opts.name)
    key = run_context.resolve_key(
        tool_name, opts.run_context_thread_id_key, strict_default_key=opts.use_run_context_thread_id
    )
    if opts.parameters is not None:
        parameters_model = opts.parameters
    else:
        parameters_model = CodexToolRunContextParameters if opts.use_run_context_thread_id else CodexToolParameters
    params_schema: dict[str, Any] = closed_schema(parameters_model.model_json_schema())
    codex_instance = opts.codex
    codex_settings = _with_default_api_key(opts.codex_options)
    schema = resolve_output_schema(opts.output_schema)
    thread_options = _thread_options(opts)
    persisted: Thread | None = None

    async def run_codex(ctx: ToolContext[Any] | None, input_json: str) -> Any:
        nonlocal codex_instance, persisted
        assert ctx is not None  # takes_context=True: the runtime always passes one
        outcome = TurnOutcome(thread_id=None)
        try:
            args = normalize_parameters(parse_tool_input(parameters_model, input_json))
            if opts.use_run_context_thread_id:
                run_context.validate_context(ctx, key)
            if codex_instance is None:
                codex_instance = Codex(codex_settings)  # made at the first call: no CLI lookup for unused tools
            call_thread_id = (
                args["thread_id"]
                or (run_context.read_thread_id(ctx, key) if opts.use_run_context_thread_id else None)
                or opts.thread_id
            )
            if opts.persist_session:
                if persisted is not None and call_thread_id and persisted.id and persisted.id != call_thread_id:
                    raise UserError(
                        "Codex tool is configured with persist_session=true and already has an active thread."
                    )
                thread = persisted = persisted or _thread(codex_instance, call_thread_id, thread_options)
            else:
                thread = _thread(codex_instance, call_thread_id, thread_options)
            outcome.thread_id = thread.id or call_thread_id
            turn = _turn_options(opts.default_turn_options, schema)
            streamed = await thread.run_streamed(build_codex_input(args), turn)
            await consume_events(streamed.events, ctx, thread, opts.on_stream, opts.span_data_max_chars, outcome)
            if outcome.usage is not None:
                ctx.usage.add(_run_usage(outcome.usage))
            if opts.use_run_context_thread_id:
                run_context.store_thread_id(ctx, key, outcome.thread_id)
            return CodexToolResult(
                thread_id=outcome.thread_id, response=outcome.response or default_response(args), usage=outcome.usage
            )
        except BaseException:
            run_context.store_after_error(ctx, key, outcome.thread_id, opts.use_run_context_thread_id)
            raise

    return FunctionTool(
        name=tool_name,
        description=opts.description or _DESCRIPTION,
        params_json_schema=params_schema,
        on_invoke_tool=GuardedInvoker(run_codex, True),
        strict_json_schema=True,
        is_enabled=opts.is_enabled,
        failure_error_function=opts.failure_error_function,
    )


def _coerce_tool_options(options: CodexToolOptions | Mapping[str, Any] | None) -> CodexToolOptions:
    if options is None:
        resolved = CodexToolOptions()
    elif isinstance(options, CodexToolOptions):
        resolved = dataclasses.replace(options)  # the caller's object is not changed by keywords
    elif isinstance(options, Mapping):
        unknown = set(options) - set(_OPTION_NAMES)
        if unknown:
            raise UserError(f"Unknown Codex tool option(s): {sorted(unknown)}")
        resolved = CodexToolOptions(**dict(options))
    else:
        raise UserError(f"Codex tool options must be a CodexToolOptions or a mapping, got {type(options).__name__}")
    if resolved.run_context_thread_id_key is not None:
        resolved.run_context_thread_id_key = run_context.validate_key(resolved.run_context_thread_id_key)
    return resolved


def _tool_name(configured: str | None) -> str:
    if configured is None:
        return run_context.DEFAULT_CODEX_TOOL_NAME
    if not isinstance(configured, str):
        raise UserError(f"Codex tool name must be a string, got {type(configured).__name__}")
    name = configured.strip()
    if not name:
        raise UserError("Codex tool name must be a non-empty string.")
    if name != run_context.DEFAULT_CODEX_TOOL_NAME and not name.startswith(run_context.CODEX_TOOL_NAME_PREFIX):
        raise UserError('Codex tool name must be "codex" or start with "codex_".')
    return name


def _with_default_api_key(options: CodexOptions | None) -> CodexOptions | None:
    """The SDK's key lookup when none is configured: ``CODEX_API_KEY`` then ``OPENAI_API_KEY`` (from ``env`` when
    given, else the process's), then ``set_default_openai_key``'s."""
    if options is not None and options.api_key:
        return options
    env = options.env if options is not None and options.env else {}
    key = (
        env.get("CODEX_API_KEY") or env.get("OPENAI_API_KEY") or os.environ.get("CODEX_API_KEY")
        or os.environ.get("OPENAI_API_KEY") or _openai_client._default_key
    )
    if not key:
        return options
    return dataclasses.replace(options or CodexOptions(), api_key=key)


def _thread_options(opts: CodexToolOptions) -> ThreadOptions | None:
    defaults = coerce_thread_options(opts.default_thread_options)
    overrides: dict[str, Any] = {}
    if opts.sandbox_mode:
        overrides["sandbox_mode"] = opts.sandbox_mode
    if opts.working_directory:
        overrides["working_directory"] = opts.working_directory
    if opts.skip_git_repo_check is not None:
        overrides["skip_git_repo_check"] = opts.skip_git_repo_check
    if defaults is None and not overrides:
        return None
    return dataclasses.replace(defaults or ThreadOptions(), **overrides)


def _turn_options(defaults: TurnOptions | Mapping[str, Any] | None, schema: dict[str, Any] | None) -> TurnOptions:
    resolved = coerce_turn_options(defaults) or TurnOptions()
    return dataclasses.replace(resolved, output_schema=schema) if schema is not None else resolved


def _thread(codex: Codex, thread_id: str | None, options: ThreadOptions | None) -> Thread:
    return codex.resume_thread(thread_id, options) if thread_id else codex.start_thread(options)


def _run_usage(usage: Usage) -> RunUsage:
    """Codex's tokens as one more request of the run (its cached tokens as the cached part of the input)."""
    return RunUsage(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        input_tokens_details=InputTokensDetails(cached_tokens=usage.cached_input_tokens),
        requests=1,
    )
