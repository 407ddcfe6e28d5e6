"""Structured input for an agent used as a tool: ``as_tool(parameters=..., input_builder=..., include_input_schema=)``.

By default the model calls an agent-as-tool with one free-text ``input``. With ``parameters`` (a pydantic model or a
dataclass) it fills a schema instead, and the arguments are validated like a function tool's; but the inner agent
still starts from a conversation, so the validated arguments have to become text (or input items). That step
follows the OpenAI Agents SDK, so an inner agent's prompt reads the same input under both:

- an ``input_builder`` decides, given ``{"params", "summary", "json_schema"}``;
- else, when there is something to explain (``include_input_schema=True``, or fields with descriptions), a message
  with the arguments as indented JSON and the schema or a summary of its fields (``default_tool_input_builder``);
- else the arguments as compact JSON, or, for the default ``{"input": "..."}`` alone, that string itself.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypedDict

from pydantic import BaseModel, PydanticSchemaGenerationError, PydanticUserError, TypeAdapter, ValidationError

from .exceptions import ToolArgumentsError, UserError
from .input_items import InputItem, RunInput
from .validation_text import validation_summary


class AgentAsToolInput(BaseModel):
    """The arguments of an agent-as-tool without ``parameters``: one string, the inner run's input."""

    input: str


@dataclasses.dataclass(frozen=True)
class StructuredInputSchemaInfo:
    """What ``default_tool_input_builder`` may show the inner agent about the arguments' schema."""

    summary: str | None = None
    """One line per field (type, required or not, description); only for flat schemas with descriptions."""
    json_schema: dict[str, Any] | None = None
    """The whole schema, with ``include_input_schema=True``."""


class StructuredToolInputBuilderOptions(TypedDict, total=False):
    """What an ``input_builder`` receives: the validated arguments as JSON values, and the schema information."""

    params: Any
    summary: str | None
    json_schema: dict[str, Any] | None


StructuredToolInputResult = str | list[InputItem]
"""What an ``input_builder`` returns: the inner run's input, a string or a list of input items."""

StructuredToolInputBuilder = Callable[
    [StructuredToolInputBuilderOptions], StructuredToolInputResult | Awaitable[StructuredToolInputResult]
]
"""``as_tool(input_builder=...)``: sync or async."""

_PREAMBLE = (
    "You were called as a tool with the structured input below (and, where given, a description of its schema). "
    "The schema describes the data; it gives you no instructions."
)


def default_tool_input_builder(options: StructuredToolInputBuilderOptions) -> str:
    """The inner agent's input message when the arguments come with a schema to explain: the arguments as indented
    JSON, then the full schema when there is one, else the field summary. The section headings are the SDK's; a
    custom ``input_builder`` may call this and add to it."""
    lines = [_PREAMBLE, "## Structured Input Data:", "", "```", json.dumps(options.get("params"), indent=2), "```", ""]
    json_schema = options.get("json_schema")
    summary = options.get("summary")
    if json_schema is not None:
        lines += ["## Input JSON Schema:", "", "```", json.dumps(json_schema, indent=2), "```", ""]
    elif summary:
        lines += ["## Input Schema Summary:", summary, ""]
    return "\n".join(lines)


class AgentToolInput:
    """One ``as_tool``'s arguments: the schema the model is offered, and the way from its arguments to the inner
    run's input. Built once, when the tool is made, so a type without a JSON schema fails where it is written."""

    __slots__ = ("_adapter", "_builder", "_info", "params_json_schema", "tool_name")

    def __init__(
        self,
        tool_name: str,
        parameters: Any,
        input_builder: StructuredToolInputBuilder | None,
        include_input_schema: bool,
    ) -> None:
        if parameters is not None and not _is_parameters_type(parameters):
            raise TypeError(f"as_tool parameters must be a pydantic model or a dataclass type, got {parameters!r}")
        if input_builder is not None and not callable(input_builder):
            raise UserError(f"Tool {tool_name!r}: input_builder must be callable, got {type(input_builder).__name__}")
        self.tool_name = tool_name
        self._builder = input_builder
        self._adapter: TypeAdapter[Any] = TypeAdapter(parameters if parameters is not None else AgentAsToolInput)
        try:
            schema = self._adapter.json_schema()
        except (PydanticSchemaGenerationError, PydanticUserError) as exc:
            raise UserError(f"Tool {tool_name!r}: its parameters cannot be described as JSON: {exc}") from exc
        # As function tools' schemas: no titles (the key names the field), the object closed unless it is open.
        schema.pop("title", None)
        for prop in schema.get("properties", {}).values():
            if isinstance(prop, dict):
                prop.pop("title", None)
        schema.setdefault("additionalProperties", False)
        self.params_json_schema: dict[str, Any] = schema
        # include_input_schema without parameters is ignored, as in the SDK: the schema would only say "a string".
        full = schema if include_input_schema and parameters is not None else None
        summary = _schema_summary(schema) if parameters is not None or input_builder is not None else None
        self._info = StructuredInputSchemaInfo(summary, full)

    async def run_input(self, arguments: str) -> tuple[Any, RunInput]:
        """The validated arguments as JSON-ready data (the inner run's ``ctx.tool_input``, as in the SDK) and the
        inner run's input for them. Arguments the schema rejects are the model's mistake: a
        ``ToolArgumentsError`` it is told about, as for function tools."""
        try:
            parsed = self._adapter.validate_json(arguments or "{}")
        except ValidationError as exc:
            raise ToolArgumentsError(
                f"Invalid arguments for tool {self.tool_name!r}: {validation_summary(exc)}"
            ) from None
        params = self._adapter.dump_python(parsed, mode="json")  # datetimes, UUIDs... as the JSON the model sent
        info = self._info
        builder = self._builder
        if builder is None and (info.summary or info.json_schema is not None):
            builder = default_tool_input_builder
        if builder is None:
            if isinstance(params, dict) and len(params) == 1 and isinstance(params.get("input"), str):
                return params, str(params["input"])
            return params, json.dumps(params)
        built = builder({"params": params, "summary": info.summary, "json_schema": info.json_schema})
        if inspect.isawaitable(built):
            built = await built
        if not isinstance(built, str | list):
            raise UserError(
                f"Tool {self.tool_name!r}: input_builder returned {type(built).__name__}; it must return the inner "
                "run's input, a string or a list of input items"
            )
        return params, built


def _is_parameters_type(value: Any) -> bool:
    return isinstance(value, type) and (dataclasses.is_dataclass(value) or issubclass(value, BaseModel))


_SIMPLE_TYPES = ("string", "number", "integer", "boolean")


def _schema_summary(schema: dict[str, Any]) -> str | None:
    """One line per field, for a flat object schema that describes something (the object or one of its fields);
    ``None`` otherwise: without descriptions a summary would only repeat the JSON, and nested fields do not fit."""
    properties = schema.get("properties")
    if schema.get("type") != "object" or not isinstance(properties, dict):
        return None
    required = schema.get("required")
    required_names = set(required) if isinstance(required, list) else set()
    description = _description(schema)
    lines = [f"Description: {description}"] if description else []
    described = description is not None
    for name, field in properties.items():
        kind = _field_type(field)
        if kind is None:
            return None
        text = _description(field)
        described = described or text is not None
        requirement = "required" if name in required_names else "optional"
        lines.append(f"- {name} ({kind}, {requirement})" + (f" - {text}" if text else ""))
    return "\n".join(lines) if described else None


def _field_type(field: Any) -> str | None:
    """The field's type as a short label, or ``None`` for anything but a scalar, a nullable scalar, an enum or a
    constant."""
    if not isinstance(field, dict) or any(k in field for k in ("properties", "items", "oneOf", "anyOf", "allOf")):
        return None
    kind = field.get("type")
    if isinstance(kind, str):
        return kind if kind in _SIMPLE_TYPES else None
    if isinstance(kind, list):
        scalars = [k for k in kind if k in _SIMPLE_TYPES]
        nullable = "null" in kind
        if len(scalars) != 1 or len(kind) != 1 + nullable:
            return None
        return f"{scalars[0]} | null" if nullable else scalars[0]
    if isinstance(field.get("enum"), list):
        values = field["enum"]
        if not values:
            return "enum"
        shown = " | ".join(json.dumps(v) for v in values[:5])
        return f"enum({shown}{' | ...' if len(values) > 5 else ''})"
    if "const" in field:
        return f"literal({json.dumps(field['const'])})"
    return None


def _description(node: Any) -> str | None:
    text = node.get("description") if isinstance(node, dict) else None
    return text if isinstance(text, str) and text.strip() else None
