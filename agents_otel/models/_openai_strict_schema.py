"""Tool parameter schemas in OpenAI's strict mode, where that does not change what the tool accepts.

Strict mode makes the API guarantee arguments that match the schema, but it only takes closed objects whose
properties are all required. An optional parameter whose default is ``None`` and whose type admits ``null`` keeps its
meaning when made required (the model sends ``null``, the tool gets its default). Anything else, such as
``pages: int = 8``, would force the model to always choose a value, so such a tool is sent non-strict instead of
silently changing its contract.
"""

from __future__ import annotations

import copy
from typing import Any

_MAX_DEPTH = 64
_UNSUPPORTED = frozenset(
    {"oneOf", "not", "if", "then", "else", "patternProperties", "dependentSchemas", "dependentRequired",
     "unevaluatedProperties", "propertyNames"}
)


class _NotStrict(Exception):
    """The schema cannot be made strict without changing what it accepts."""


def strict_json_schema(schema: dict[str, Any]) -> dict[str, Any] | None:
    """A strict-mode copy of ``schema``, or ``None`` when the tool has to be sent non-strict."""
    if not schema:
        return {"type": "object", "properties": {}, "required": [], "additionalProperties": False}
    if schema.get("type") != "object":
        return None  # the root must be a plain (non-nullable) object
    root = copy.deepcopy(schema)
    try:
        return _strict(root, root, 0)
    except _NotStrict:
        return None


def _strict(node: dict[str, Any], root: dict[str, Any], depth: int) -> dict[str, Any]:
    if depth > _MAX_DEPTH or _UNSUPPORTED & node.keys():
        raise _NotStrict
    if "$ref" in node and len(node) > 1:
        # Strict mode wants a bare $ref; inline the target so sibling keywords (a description) survive.
        target = _resolve(node.pop("$ref"), root)
        node = {**copy.deepcopy(target), **node}
    for key in ("$defs", "definitions"):
        for name, sub in (node.get(key) or {}).items():
            node[key][name] = _strict(sub, root, depth + 1)
    if node.get("type") == "object" or "properties" in node:
        _close_object(node, root, depth)
    if isinstance(node.get("items"), dict):
        node["items"] = _strict(node["items"], root, depth + 1)
    for key in ("anyOf", "prefixItems"):
        if isinstance(node.get(key), list):
            node[key] = [_strict(sub, root, depth + 1) for sub in node[key]]
    all_of = node.get("allOf")
    if isinstance(all_of, list):
        if len(all_of) == 1:
            node.pop("allOf")
            node.update(_strict(all_of[0], root, depth + 1))
        else:
            node["allOf"] = [_strict(sub, root, depth + 1) for sub in all_of]
    if "default" in node and node["default"] is None:
        node.pop("default")
    return node


def _close_object(node: dict[str, Any], root: dict[str, Any], depth: int) -> None:
    if node.get("additionalProperties", False) is not False:
        raise _NotStrict
    node["additionalProperties"] = False
    properties: dict[str, Any] = node.setdefault("properties", {})
    required = set(node.get("required") or ())
    for name, sub in properties.items():
        if name not in required and not (sub.get("default") is None and _admits_null(sub, root)):
            raise _NotStrict
        properties[name] = _strict(sub, root, depth + 1)
    node["required"] = list(properties)


def _admits_null(node: dict[str, Any], root: dict[str, Any]) -> bool:
    if "$ref" in node:
        return _admits_null(_resolve(node["$ref"], root), root)
    kind = node.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    return any(_admits_null(sub, root) for sub in node.get("anyOf") or ())


def _resolve(ref: str, root: dict[str, Any]) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise _NotStrict  # remote references cannot be checked
    target: Any = root
    for part in ref[2:].split("/"):
        if not isinstance(target, dict) or part not in target:
            raise _NotStrict
        target = target[part]
    if not isinstance(target, dict):
        raise _NotStrict
    return target
