"""A function tool's JSON arguments, validated into the keyword arguments of the call.

Why not ``Model.model_validate_json``: a tool call needs the validated fields, not a model instance, and building
the instance (its ``__dict__``, fields-set bookkeeping) costs about twice the validation itself, on every call.
pydantic-core validates a model in two layers, the model around its ``model-fields`` schema. The fast path
validates against the same fields as a ``typed-dict`` schema (with the model's config, so extra-key rules are the
same): each field keeps its own schema (types, constraints, field validators, default), required exactly when it
has no default, as in the model. That yields the dict the model would have stored, and costs about two thirds of
validating ``model-fields`` alone, which also builds the fields-set and the tuple around the dict. Only a plain
model qualifies: one with a custom ``__init__``, a ``model_post_init``, model validators, a root type, or any
schema key this translation does not know keeps the model's own validator. When the fast path rejects the input,
the model's validator runs again to raise *its* error, so messages read exactly as before.
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
            validated: dict[str, Any] = validate_fields(arguments)
        except ValidationError:
            return dict(validate_model(arguments).__dict__)  # raises the model's own error (its wording)
        return validated

    return parse


_FIELDS_KEYS = frozenset({"type", "fields", "model_name", "computed_fields", "strict", "extra_behavior", "ref"})
"""``model-fields`` keys the translation carries over (or, for the names, may drop); any other key: no fast path."""
_FIELD_KEYS = frozenset({"type", "schema", "validation_alias", "serialization_alias", "serialization_exclude"})
_DROPPED_FIELD_KEYS = frozenset({"metadata", "frozen"})
"""Field keys with no bearing on validating input: JSON-schema metadata, and ``frozen`` (assignment only)."""


def _fields_validator(model: type[BaseModel]) -> SchemaValidator | None:
    schema: Any = getattr(model, "__pydantic_core_schema__", None)
    if not isinstance(schema, dict) or schema.get("type") != "model":
        return None  # wrapped by model validators, or definitions for recursive types: keep the model's validator
    if schema.get("custom_init") or schema.get("root_model") or schema.get("post_init"):
        return None
    inner = schema.get("schema")
    if not isinstance(inner, dict) or inner.get("type") != "model-fields" or not _FIELDS_KEYS.issuperset(inner):
        return None
    if inner.get("computed_fields"):
        return None
    fields: dict[str, Any] = {}
    for name, field in inner["fields"].items():
        if not isinstance(field, dict) or field.get("type") != "model-field":
            return None
        if not _FIELD_KEYS.issuperset(key for key in field if key not in _DROPPED_FIELD_KEYS):
            return None
        typed = {key: value for key, value in field.items() if key in _FIELD_KEYS}
        typed["type"] = "typed-dict-field"
        typed["required"] = field["schema"].get("type") != "default"  # as model-fields decides it
        fields[name] = typed
    typed_dict: dict[str, Any] = {"type": "typed-dict", "fields": fields}
    for key in ("strict", "extra_behavior"):
        if key in inner:
            typed_dict[key] = inner[key]
    extra = (schema.get("config") or {}).get("extra_fields_behavior")
    if extra is not None and "extra_behavior" not in typed_dict:  # the model's config says it, a typed dict its own
        typed_dict["extra_behavior"] = extra  # (extra="forbid" beside **kwargs must hold on this path too)
    try:
        return SchemaValidator(typed_dict, schema.get("config"))
    except Exception:  # a schema shape this pydantic-core does not accept standalone: the model's path is exact
        return None
