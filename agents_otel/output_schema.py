"""Structured output: ``Agent(output_type=...)`` as a JSON schema for the model and a validator for its answer.

Names and behaviour follow the OpenAI Agents SDK. Types that are not JSON objects (``list[int]``, ``int``, a
dataclass is an object but pydantic models and dicts are the only types the SDK sends unwrapped) are wrapped in an
object ``{"response": ...}``, because both OpenAI APIs want an object at the root of a structured-output schema;
the wrapper is removed again before the application sees the value. An answer that does not validate raises
``ModelBehaviorError``: the run does not pretend a malformed answer is the final output.
"""

from __future__ import annotations

import abc
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, get_args, get_origin

import pydantic
from pydantic import BaseModel, TypeAdapter
from typing_extensions import TypedDict  # typing.TypedDict is refused by pydantic before Python 3.12

from .exceptions import ModelBehaviorError, UserError
from .models._openai_strict_schema import strict_json_schema as _strict_schema
from .models.interface import OutputSchemaSpec

if TYPE_CHECKING:
    from .agent import Agent

_WRAPPER_KEY = "response"
OUTPUT_SCHEMA_NAME = "final_output"
"""The name both OpenAI APIs get for the schema (the SDK's name)."""


class AgentOutputSchemaBase(abc.ABC):
    """What the runtime needs from an output type: its schema, and how to turn the model's JSON into a value.

    Subclass it for a custom schema (one a type cannot express) and pass the instance as ``output_type``.
    """

    @abc.abstractmethod
    def is_plain_text(self) -> bool:
        """True when the final output is the model's text as is (no schema is sent)."""

    @abc.abstractmethod
    def name(self) -> str:
        """A readable name of the output type."""

    @abc.abstractmethod
    def json_schema(self) -> dict[str, Any]:
        """The JSON schema sent to the model; only called when not plain text."""

    @abc.abstractmethod
    def is_strict_json_schema(self) -> bool:
        """Whether the schema is sent in strict mode (the API then guarantees a matching answer)."""

    @abc.abstractmethod
    def validate_json(self, json_str: str) -> Any:
        """The validated value, or ``ModelBehaviorError`` when ``json_str`` does not match."""


@dataclass(init=False)
class AgentOutputSchema(AgentOutputSchemaBase):
    """The schema of a Python type: a pydantic model, dataclass, TypedDict, ``list[...]`` or a plain type.

    ``strict_json_schema=False`` sends the schema as is, for types strict mode cannot express (fields with
    non-null defaults, open dicts).
    """

    output_type: type[Any]

    def __init__(self, output_type: type[Any], strict_json_schema: bool = True) -> None:
        self.output_type = output_type
        self._strict = strict_json_schema
        self._wrapped = False
        if output_type is None or output_type is str:
            self._adapter: TypeAdapter[Any] = TypeAdapter(str)
            self._schema: dict[str, Any] = {}
            return
        self._wrapped = not _is_object_type(output_type)
        target: Any = (
            TypedDict("OutputType", {_WRAPPER_KEY: output_type})  # type: ignore[operator]
            if self._wrapped
            else output_type
        )
        try:
            self._adapter = TypeAdapter(target)
            schema = self._adapter.json_schema()
        except pydantic.PydanticUserError as exc:
            raise UserError(f"output_type {_type_name(output_type)} has no JSON schema: {exc}") from exc
        if strict_json_schema:
            strict = _strict_schema(schema)
            if strict is None:
                raise UserError(
                    f"output_type {_type_name(output_type)} cannot be expressed as a strict JSON schema (fields "
                    "with non-null defaults or open objects); use "
                    "AgentOutputSchema(YourType, strict_json_schema=False)"
                )
            schema = strict
        self._schema = schema

    def is_plain_text(self) -> bool:
        return self.output_type is None or self.output_type is str

    def is_strict_json_schema(self) -> bool:
        return self._strict

    def json_schema(self) -> dict[str, Any]:
        if self.is_plain_text():
            raise UserError("The output type is plain text, so there is no JSON schema")
        return self._schema

    def validate_json(self, json_str: str) -> Any:
        try:
            value = self._adapter.validate_json(json_str, strict=True if self._strict else None)
        except pydantic.ValidationError as exc:
            raise ModelBehaviorError(
                f"The model's final output does not match {self.name()}: {_short(exc)}; output: {json_str[:200]!r}"
            ) from exc
        if self._wrapped:
            if not isinstance(value, dict) or _WRAPPER_KEY not in value:
                raise ModelBehaviorError(f"Expected an object with key {_WRAPPER_KEY!r}, got {json_str[:200]!r}")
            return value[_WRAPPER_KEY]
        return value

    def name(self) -> str:
        return _type_name(self.output_type)


def check_output_type(output_type: Any) -> None:
    """``Agent(output_type=...)``: a type (a class or a generic alias such as ``list[int]``), an
    ``AgentOutputSchemaBase`` or ``None``, else a ``TypeError`` when the agent is built, as in the SDK."""
    if output_type is None or isinstance(output_type, type | AgentOutputSchemaBase):
        return
    if get_origin(output_type) is not None:
        return
    raise TypeError(
        f"Agent output_type must be a type, AgentOutputSchemaBase, or None, got {type(output_type).__name__}"
    )


def output_schema_of(output_type: Any) -> AgentOutputSchemaBase | None:
    """The schema for ``Agent.output_type``; ``None`` for plain text (``None`` or ``str``)."""
    if output_type is None or output_type is str:
        return None
    if isinstance(output_type, AgentOutputSchemaBase):
        return None if output_type.is_plain_text() else output_type
    return AgentOutputSchema(output_type)


def output_schema_for(agent: Agent[Any]) -> AgentOutputSchemaBase | None:
    """The agent's schema, built once per ``output_type`` value (a TypeAdapter costs milliseconds)."""
    cached = agent.__dict__.get("_output_schema_cache")
    if cached is not None and cached[0] is agent.output_type:
        return cached[1]  # type: ignore[no-any-return]
    schema = output_schema_of(agent.output_type)
    agent.__dict__["_output_schema_cache"] = (agent.output_type, schema)
    return schema


def output_json(schema: AgentOutputSchemaBase, value: Any) -> str:
    """``value`` as the JSON a model would have answered with (the inverse of ``validate_json``): what a final
    output made by the application (a run error handler's) is validated from, and the text its message shows.
    Raises ``TypeError`` / ``ValueError`` for a value that has no JSON form."""
    if not isinstance(schema, AgentOutputSchema):
        return json.dumps(value, ensure_ascii=False)
    payload = value
    if schema._wrapped and not (isinstance(value, dict) and _WRAPPER_KEY in value):
        payload = {_WRAPPER_KEY: value}
    # No serializer warnings: a dict for a model type is a normal thing to hand over, and what does not fit the
    # type fails the validation that follows with the reason.
    return schema._adapter.dump_json(payload, warnings=False).decode()


def schema_spec(schema: AgentOutputSchemaBase) -> OutputSchemaSpec:
    """What a model gets: the provider-neutral record both OpenAI models turn into their own parameter."""
    return OutputSchemaSpec(OUTPUT_SCHEMA_NAME, schema.json_schema(), schema.is_strict_json_schema())


def _is_object_type(t: Any) -> bool:
    origin = get_origin(t)
    if origin is not None:
        return isinstance(origin, type) and issubclass(origin, BaseModel | dict)
    return isinstance(t, type) and issubclass(t, BaseModel | dict)


def _type_name(t: Any) -> str:
    origin = get_origin(t)
    if origin is None:
        return getattr(t, "__name__", repr(t))
    args = get_args(t)
    if not args:
        return str(t)
    return f"{getattr(origin, '__name__', str(origin))}[{', '.join(_type_name(a) for a in args)}]"


def _short(exc: pydantic.ValidationError) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in errors[:3])
