"""A function tool's JSON arguments, validated into the keyword arguments of the call.

Why not ``Model.model_validate_json``: a tool call needs the validated fields, not a model instance, and building
the instance (its ``__dict__``, fields-set bookkeeping) costs about twice the validation itself, on every call.
pydantic-core validates a model in two layers, the model around its ``model-fields`` schema; validating against
the inner schema alone (with the model's config, so titles and extra-key rules are the same) yields exactly the
dict the model would have stored. Only a plain model qualifies: one with a custom ``__init__``, a
``model_post_init``, model validators or a root type keeps the model's own validator. When the fast path rejects
the input, the model's validator runs again to raise *its* error, so messages read exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import SchemaValidator

ArgumentsParser = Callable[[str], dict[str, Any]]


def arguments_parser(model: type[BaseModel]) -> ArgumentsParser:
    """``parse(arguments_json) -> kwargs``: a new dict of the validated fields; raises the model's
    ``ValidationError``."""
    validate_model = model.__pydantic_validator__.validate_json
    fields = _fields_validator(model)
    if fields is None:

        def parse_with_model(arguments: str) -> dict[str, Any]:
            return dict(validate_model(arguments).__dict__)

        return parse_with_model

    validate_fields = fields.validate_json

    def parse(arguments: str) -> dict[str, Any]:
        try:
            validated: dict[str, Any] = validate_fields(arguments)[0]
        except ValidationError:
            return dict(validate_model(arguments).__dict__)  # raises the model's own error (its wording)
        return validated

    return parse


def _fields_validator(model: type[BaseModel]) -> SchemaValidator | None:
    schema: Any = getattr(model, "__pydantic_core_schema__", None)
    if not isinstance(schema, dict) or schema.get("type") != "model":
        return None  # wrapped by model validators, or definitions for recursive types: keep the model's validator
    if schema.get("custom_init") or schema.get("root_model") or schema.get("post_init"):
        return None
    inner = schema.get("schema")
    if not isinstance(inner, dict) or inner.get("type") != "model-fields":
        return None
    try:
        return SchemaValidator(inner, schema.get("config"))
    except Exception:  # a schema shape this pydantic-core does not accept standalone: the model's path is exact
        return None
