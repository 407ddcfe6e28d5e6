"""The Codex tool's ``output_schema``: a JSON object schema, or the SDK's short descriptor form (a list of named
properties with primitive or array types), turned into the strict schema ``codex exec --output-schema`` needs.

Everything is checked when the tool is made, so a bad schema is a ``UserError`` before any run.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypeAlias

from typing_extensions import TypedDict

from ....exceptions import UserError

_PRIMITIVES = {"string", "number", "integer", "boolean"}


class OutputSchemaPrimitive(TypedDict, total=False):
    type: Literal["string", "number", "integer", "boolean"]
    description: NotRequired[str]
    enum: NotRequired[list[str]]


class OutputSchemaArray(TypedDict, total=False):
    type: Literal["array"]
    description: NotRequired[str]
    items: OutputSchemaPrimitive


OutputSchemaField: TypeAlias = OutputSchemaPrimitive | OutputSchemaArray


class OutputSchemaPropertyDescriptor(TypedDict, total=False):
    name: str
    description: NotRequired[str]
    schema: OutputSchemaField


class OutputSchemaDescriptor(TypedDict, total=False):
    title: NotRequired[str]
    description: NotRequired[str]
    properties: list[OutputSchemaPropertyDescriptor]
    required: NotRequired[list[str]]


def resolve_output_schema(option: OutputSchemaDescriptor | Mapping[str, Any] | None) -> dict[str, Any] | None:
    if option is None:
        return None
    if not isinstance(option, Mapping):
        raise UserError("Codex output schema must be a JSON schema or descriptor.")
    if _looks_like_descriptor(option):
        return _from_descriptor(option)
    schema = copy.deepcopy(dict(option))
    if "type" in schema and schema["type"] != "object":
        raise UserError('Codex output schema must be a JSON object schema with type "object".')
    closed: dict[str, Any] = closed_schema(schema)
    return closed


def closed_schema(node: Any) -> Any:
    """The SDK's strict form of a schema, in place on a copy: every object closed, every property required (what
    Codex's structured output asks for); an object that allows additional properties is a ``UserError``."""
    if isinstance(node, list):
        return [closed_schema(entry) for entry in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") == "object" or "properties" in node:
        if node.get("additionalProperties", False) is not False:
            raise UserError(f"Codex output schema objects cannot allow additionalProperties: {node!r}")
        node["additionalProperties"] = False
        node["required"] = list(node.get("properties") or {})
    for key in ("properties", "$defs", "definitions"):
        if isinstance(node.get(key), dict):
            node[key] = {name: closed_schema(sub) for name, sub in node[key].items()}
    for key in ("items", "anyOf", "allOf", "prefixItems"):
        if key in node:
            node[key] = closed_schema(node[key])
    if "default" in node and node["default"] is None:
        del node["default"]  # required now: the model sends null instead
    return node


def _looks_like_descriptor(option: Mapping[str, Any]) -> bool:
    properties = option.get("properties")
    return isinstance(properties, list) and all(isinstance(p, Mapping) and "name" in p for p in properties)


def _from_descriptor(option: Mapping[str, Any]) -> dict[str, Any]:
    properties = option.get("properties")
    if not properties:
        raise UserError("Codex output schema descriptor must include properties.")
    built: dict[str, Any] = {}
    for prop in properties:
        name = prop.get("name")
        if not isinstance(name, str) or not name.strip():
            raise UserError("Codex output schema properties must include non-empty names.")
        if name in built:
            raise UserError(f'Duplicate property name "{name}" in output_schema.')
        field = _field(prop.get("schema"))
        if field is None:
            raise UserError(f'Invalid schema for output property "{name}".')
        if prop.get("description"):
            field["description"] = prop["description"]
        built[name] = field
    required = option.get("required")
    if required is not None:
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            raise UserError("output_schema.required must be a list of strings.")
        missing = [r for r in required if r not in built]
        if missing:
            raise UserError(f'Required property "{missing[0]}" must also be defined in "properties".')
    schema: dict[str, Any] = {
        "type": "object", "additionalProperties": False, "properties": built, "required": list(required or []),
    }
    for key in ("title", "description"):
        if option.get(key):
            schema[key] = option[key]
    return schema


def _field(spec: Any) -> dict[str, Any] | None:
    """The JSON schema of one descriptor field, or ``None`` when it is not a valid one."""
    if not isinstance(spec, Mapping):
        return None
    kind = spec.get("type")
    if kind == "array":
        items = _field(spec.get("items"))
        if items is None:
            return None
        out: dict[str, Any] = {"type": "array", "items": items}
    elif kind in _PRIMITIVES:
        enum = spec.get("enum")
        if enum is not None and (not isinstance(enum, list) or not all(isinstance(e, str) for e in enum)):
            return None
        out = {"type": kind}
        if enum is not None:
            out["enum"] = enum
    else:
        return None
    if spec.get("description"):
        out["description"] = spec["description"]
    return out
