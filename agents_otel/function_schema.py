"""From a Python function to a tool schema and a validated call.

Pydantic builds the argument model from type hints (so validation and the JSON schema the model sees can never
disagree) and docstring-parser reads parameter descriptions from Google, NumPy or reST docstrings.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_type_hints

import docstring_parser
from pydantic import BaseModel, ConfigDict, Field, create_model

from .exceptions import UserError


@dataclass(frozen=True, slots=True)
class FunctionSchema:
    name: str
    description: str
    params_json_schema: dict[str, Any]
    arguments_model: type[BaseModel]
    takes_context: bool
    positional: tuple[str, ...]
    """Names passed positionally (positional-only parameters), in order; the rest go by keyword."""


class _ForbidExtra(BaseModel):
    model_config = ConfigDict(extra="forbid", protected_namespaces=())


def function_schema(
    func: Callable[..., Any], *, name_override: str | None = None, description_override: str | None = None
) -> FunctionSchema:
    from .tool_context import ToolContext

    name = name_override or func.__name__
    doc = docstring_parser.parse(inspect.getdoc(func) or "")
    param_docs = {p.arg_name: p.description for p in doc.params}
    description = description_override
    if description is None:
        description = "\n\n".join(d for d in (doc.short_description, doc.long_description) if d)

    try:
        hints = get_type_hints(func, include_extras=True)
    except Exception as exc:  # an unresolved forward reference is a bug in the tool, say which
        raise UserError(f"Cannot resolve type hints of tool {name!r}: {exc}") from exc
    params = list(inspect.signature(func).parameters.values())

    takes_context = False
    if params:
        first = hints.get(params[0].name)
        if (isinstance(first, type) and issubclass(first, ToolContext)) or _is_generic_of(first, ToolContext):
            takes_context = True
            params = params[1:]

    fields: dict[str, Any] = {}
    positional: list[str] = []
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise UserError(f"Tool {name!r}: *args/**kwargs cannot be described to a model")
        annotation = hints.get(p.name, Any)
        default = ... if p.default is inspect.Parameter.empty else p.default
        fields[p.name] = (annotation, Field(default, description=param_docs.get(p.name)))
        if p.kind is p.POSITIONAL_ONLY:
            positional.append(p.name)

    model = create_model(f"{name}_args", __base__=_ForbidExtra, **fields)
    schema = model.model_json_schema()
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
    return FunctionSchema(name, description, schema, model, takes_context, tuple(positional))


def _is_generic_of(annotation: Any, cls: type) -> bool:
    origin = getattr(annotation, "__origin__", None)
    return isinstance(origin, type) and issubclass(origin, cls)
