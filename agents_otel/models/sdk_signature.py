"""A ``Model`` subclass written to the OpenAI Agents SDK's signature, driven by this runtime unchanged.

The SDK's models take ``get_response(system_instructions, input, model_settings, tools, output_schema, handoffs,
tracing, *, previous_response_id, conversation_id, prompt)`` and answer with the ``openai`` package's Responses
output items (``stream_response``: its stream events). Teams carry such models over (a gateway, a provider the SDK
has no adapter for, a test double), and before this module the run called them with our ``ModelRequest`` and
failed with Python's own ``TypeError``. ``resolve_model`` wraps a class whose ``get_response`` takes
``system_instructions`` (``Model.sdk_signature``) in :class:`SDKSignatureModel`, which translates both ways at the
one seam between the runtime and a model; the ``chat`` span, retries, hooks and the stream stay the runtime's.

What the model gets: the conversation as Responses input items (``to_input_list()``'s form), the agent's own
``FunctionTool`` / hosted tool / ``Handoff`` / ``AgentOutputSchemaBase`` objects as the run offered them this turn
(``ModelRequest.sources``; a tool a ``call_model_input_filter`` added is a ``FunctionTool`` made from its schema),
and ``ModelTracing.DISABLED``: the runtime already records the call as its ``chat`` span, and a ``generation_span``
the model opened would be a second record of the same call.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any, get_args

from openai.types.responses import ResponseOutputItem
from pydantic import BaseModel, TypeAdapter, ValidationError

from ..exceptions import ModelBehaviorError, UserError
from ..items import ModelOutputItem
from ..output_schema import AgentOutputSchemaBase
from ..tool import FunctionTool
from ._openai_responses_output import output_items
from .interface import (
    Model,
    ModelRequest,
    ModelResponse,
    ModelSettings,
    ModelStreamEvent,
    ModelTracing,
    OutputSchemaSpec,
    ToolSpec,
    Usage,
)
from .openai_responses import responses_input, responses_stream


class SDKSignatureModel(Model):
    """``model`` (an SDK-signature subclass) behind this package's ``Model`` interface. Its name, provider and
    server are the model's own (``model_name``, else a string ``model`` attribute, as SDK models keep it)."""

    def __init__(self, model: Model) -> None:
        self.model = model
        name = model.model_name if model.model_name != Model.model_name else getattr(model, "model", None)
        self.model_name = name if isinstance(name, str) else type(model).__name__
        self.provider_name = model.provider_name
        self.server_address, self.server_port = model.server_address, model.server_port
        self.network_protocol_name = model.network_protocol_name

    async def get_response(self, request: ModelRequest) -> ModelResponse:
        answer: Any = self.model.get_response  # the SDK's signature, which our Model's type does not know
        response = await answer(*_arguments(request), **_keywords(request))
        return sdk_response(response, type(self.model).__name__)

    async def stream_response(self, request: ModelRequest) -> AsyncIterator[ModelStreamEvent]:
        if type(self.model).stream_response is Model.stream_response:  # it streams nothing: its whole answer
            yield await self.get_response(request)
            return
        stream: Any = self.model.stream_response
        events = stream(*_arguments(request), **_keywords(request))
        if not hasattr(events, "__aiter__"):
            raise ModelBehaviorError(
                f"{type(self.model).__name__}.stream_response returned {type(events).__name__}, not an async "
                "iterator of Responses stream events (write it as an async generator, as for the SDK)"
            )
        aclose = getattr(events, "aclose", None)
        async with contextlib.AsyncExitStack() as stack:
            if aclose is not None:  # the model's stream is released however the run leaves it
                stack.push_async_callback(aclose)
            async for event in responses_stream(events, raw_usage=request.settings.preserve_raw_usage is True):
                yield event

    async def close(self) -> None:
        await self.model.close()

    def get_retry_advice(self, request: Any) -> Any:
        return self.model.get_retry_advice(request)

    def get_default_model_settings(self) -> ModelSettings | None:
        return self.model.get_default_model_settings()

    def __repr__(self) -> str:
        return f"SDKSignatureModel({self.model!r})"


def _arguments(request: ModelRequest) -> tuple[Any, ...]:
    sources = request.sources
    tools: list[Any] = []
    handoffs: list[Any] = []
    for spec in request.tools:
        if sources is not None and spec.name in sources.handoffs:
            handoffs.append(sources.handoffs[spec.name])
        elif sources is not None and spec.name in sources.tools:
            tools.append(sources.tools[spec.name])
        else:
            tools.append(_tool_of(spec))
    tools.extend(request.hosted_tools)
    schema = request.output_schema
    output_schema = None
    if schema is not None:
        given = sources.output_schema if sources is not None else None
        output_schema = given if isinstance(given, AgentOutputSchemaBase) else _SpecSchema(schema)
    return (
        request.system_instructions,
        responses_input(request.input),
        request.settings,
        tools,
        output_schema,
        handoffs,
        ModelTracing.DISABLED,
    )


def _keywords(request: ModelRequest) -> dict[str, Any]:
    return {
        "previous_response_id": request.previous_response_id,
        "conversation_id": request.conversation_id,
        "prompt": request.prompt,
    }


def sdk_response(response: Any, model: str) -> ModelResponse:
    """The SDK-signature model's ``ModelResponse`` with its output as this package's items; anything else it
    returned is a ``ModelBehaviorError`` naming what came back, never a run that reads an empty answer."""
    if not isinstance(response, ModelResponse):
        raise ModelBehaviorError(f"{model}.get_response returned {type(response).__name__}, not a ModelResponse")
    usage = response.usage
    response.output = sdk_output(list(response.output), model)
    if not isinstance(usage, Usage):  # the SDK's field is required; None here means the model kept no count
        response.usage = Usage()
    return response


def sdk_output(output: list[Any], model: str) -> list[ModelOutputItem]:
    """``openai`` Responses output items (or their dicts) as this package's items, in order; ours pass as they are."""
    items: list[ModelOutputItem] = []
    for item in output:
        if isinstance(item, _OUR_ITEMS):
            items.append(item)  # type: ignore[arg-type]  # the tuple is get_args(ModelOutputItem)
            continue
        if isinstance(item, dict):
            try:
                item = _OUTPUT_ITEM.validate_python(item)
            except ValidationError as error:
                raise ModelBehaviorError(f"{model} answered with an output item that is not a Responses output "
                                         f"item: {error}") from error
        if not isinstance(item, BaseModel):
            raise ModelBehaviorError(f"{model} answered with a {type(item).__name__}, not a Responses output item")
        items.extend(output_items([item]))
    return items


_OUR_ITEMS = tuple(t for t in get_args(ModelOutputItem) if isinstance(t, type))
_OUTPUT_ITEM: TypeAdapter[Any] = TypeAdapter(ResponseOutputItem)


def _tool_of(spec: ToolSpec) -> FunctionTool:
    """A ``FunctionTool`` carrying ``spec`` for a tool with no object behind it (a ``call_model_input_filter`` added
    it): the model reads its name, description and schema; running it is the runtime's business, not the model's."""

    async def not_run_here(_context: Any, _arguments: str) -> str:
        raise UserError(f"tool {spec.name!r} was made for the model's request only; the run invokes its tools")

    return FunctionTool(spec.name, spec.description, spec.parameters, not_run_here, strict_json_schema=spec.strict)


class _SpecSchema(AgentOutputSchemaBase):
    """The output schema the request carries, when the agent's own object is not at hand (a filtered request)."""

    def __init__(self, spec: OutputSchemaSpec) -> None:
        self._spec = spec

    def is_plain_text(self) -> bool:
        return False

    def name(self) -> str:
        return self._spec.name

    def json_schema(self) -> dict[str, Any]:
        return self._spec.schema

    def is_strict_json_schema(self) -> bool:
        return self._spec.strict

    def validate_json(self, json_str: str) -> Any:
        raise UserError("the run validates the final output against the agent's output_type, not the model")

