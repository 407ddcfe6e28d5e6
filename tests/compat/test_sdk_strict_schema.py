"""Compatibility: ``agents.strict_schema.ensure_strict_json_schema``, the SDK's public strict-schema rewrite.

The cases are those the SDK's tests/test_strict_schema.py pins (its whole file also passes against ours with the
import renamed; these are the contract's main lines, in our words): objects closed with every property required,
typeless objects typed, ``oneOf`` as ``anyOf``, single ``allOf`` merged, ``$ref`` with annotations inlined,
``default: null`` dropped, the schema changed in place; a ``UserError`` for what cannot be made strict.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import BaseModel

from agents_otel.exceptions import UserError
from agents_otel.strict_schema import ensure_strict_json_schema


def test_an_empty_schema_is_a_fresh_closed_object_each_time() -> None:
    first = ensure_strict_json_schema({})
    first["properties"]["x"] = {}
    assert ensure_strict_json_schema({}) == {
        "additionalProperties": False, "type": "object", "properties": {}, "required": [],
    }


def test_objects_are_closed_and_every_property_required_in_place() -> None:
    schema: dict[str, Any] = {
        "properties": {
            "name": {"type": "string"},
            "tags": {"type": "array", "items": {"properties": {"k": {"type": "string", "default": None}}}},
            "config": {"type": ["object", "null"], "properties": {"key": {"type": "string"}}},
        },
        "required": ["name"],
    }
    result = ensure_strict_json_schema(schema)
    assert result is schema  # changed in place, as the SDK's
    assert result["type"] == "object" and result["additionalProperties"] is False
    assert result["required"] == ["name", "tags", "config"]
    item = result["properties"]["tags"]["items"]
    assert item == {"type": "object", "properties": {"k": {"type": "string"}}, "additionalProperties": False,
                    "required": ["k"]}
    assert result["properties"]["config"]["type"] == ["object", "null"]  # nullable below the root is kept


def test_a_pydantic_models_optional_field_becomes_required_and_nullable() -> None:
    class Query(BaseModel):
        text: str
        limit: int | None = None

    result = ensure_strict_json_schema(Query.model_json_schema())
    assert result["required"] == ["text", "limit"] and result["additionalProperties"] is False
    assert "default" not in result["properties"]["limit"]


def test_one_of_becomes_any_of_and_a_single_all_of_is_merged() -> None:
    result = ensure_strict_json_schema({
        "type": "object",
        "properties": {"v": {"oneOf": [{"type": "string"}, {"properties": {}}]}},
        "allOf": [{"properties": {"v": {"oneOf": [{"type": "string"}, {"properties": {}}]}}}],
    })
    assert "allOf" not in result and "oneOf" not in result["properties"]["v"]
    assert result["properties"]["v"]["anyOf"][1] == {
        "properties": {}, "type": "object", "additionalProperties": False, "required": [],
    }


def test_a_ref_with_annotations_is_inlined_and_a_bare_ref_kept() -> None:
    schema = {
        "$defs": {"Inner": {"type": "string", "default": None}, "Alias": {"$ref": "#/$defs/Inner"}},
        "type": "object",
        "properties": {"a": {"$ref": "#/$defs/Alias", "description": "d"}, "b": {"$ref": "#/$defs/Inner"}},
    }
    result = ensure_strict_json_schema(schema)
    assert result["properties"]["a"] == {"type": "string", "description": "d"}
    assert result["properties"]["b"] == {"$ref": "#/$defs/Inner"}


def test_json_pointer_tokens_are_decoded() -> None:
    schema = {"$defs": {"a/b": {"type": "object", "properties": {"x": {"type": "string"}}}},
              "type": "object", "allOf": [{"$ref": "#/$defs/a~1b"}]}
    assert ensure_strict_json_schema(schema)["required"] == ["x"]


@pytest.mark.parametrize(("schema", "message"), [
    ({"type": "object", "properties": {"a": {}}, "additionalProperties": True}, "additionalProperties"),
    ({"type": "object", "properties": {"a": {}}, "additionalProperties": {}}, "additionalProperties"),
    ({"type": "object", "properties": {"m": {"additionalProperties": {"type": "string"}}}}, "additionalProperties"),
    ({"type": ["object", "null"], "properties": {}}, "root of a strict JSON schema"),
    ({"oneOf": [{"properties": {}}, {"type": "null"}]}, "root of a strict JSON schema"),
    ({"$defs": {"T": {"type": "string"}}, "type": "object",
      "properties": {"n": {"$ref": "#/$defs/T", "minLength": 1}}}, "incompatible sibling"),
    ({"$defs": {"T": {"type": "object", "properties": {"i": {}}}}, "type": "object",
      "properties": {"o": {"type": "string"}}, "allOf": [{"$ref": "#/$defs/T"}]}, "singleton `allOf`"),
    ({"$defs": {"T": {"const": 1}}, "const": True, "allOf": [{"$ref": "#/$defs/T"}]}, "singleton `allOf`"),
    ({"$defs": {"A": {"$ref": "#/$defs/B"}, "B": {"$ref": "#/$defs/A"}}, "type": "object",
      "allOf": [{"$ref": "#/$defs/A"}]}, "circular"),
    ({"$defs": {"T": {"type": "string"}}, "type": "object",
      "properties": {"v": {"$id": "https://x.test/n", "$ref": "#/$defs/T"}}}, r"nested `\$id`"),
], ids=["open", "open-empty", "open-map", "nullable-root", "union-root", "ref-sibling", "allof-clash",
        "json-distinct", "circular", "nested-id"])
def test_what_cannot_be_made_strict_is_a_user_error(schema: dict[str, Any], message: str) -> None:
    with pytest.raises(UserError, match=message):
        ensure_strict_json_schema(copy.deepcopy(schema))


def test_deep_or_exploding_schemas_are_refused_before_they_run_away() -> None:
    deep: dict[str, Any] = {"type": "object", "properties": {}}
    node = deep
    for _ in range(500):
        node["properties"]["c"] = node = {"type": "object", "properties": {}}
    with pytest.raises(UserError, match="too deeply nested"):
        ensure_strict_json_schema(deep)
    ladder: dict[str, Any] = {
        f"L{i}": {"type": "object", "properties": {k: {"$ref": f"#/$defs/L{i + 1}", "title": "t"} for k in "ab"}}
        for i in range(30)
    }
    ladder["L30"] = {"type": "string"}
    bomb = {"$defs": ladder, "type": "object", "properties": {"r": {"$ref": "#/$defs/L0", "title": "t"}}}
    with pytest.raises(UserError, match="too large"):
        ensure_strict_json_schema(bomb)


def test_a_malformed_input_is_a_type_or_value_error() -> None:
    with pytest.raises(TypeError):
        ensure_strict_json_schema([])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="invalid"):
        ensure_strict_json_schema({"type": "object", "properties": {"a": {"$ref": "invalid", "description": "d"}}})
