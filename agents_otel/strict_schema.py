"""The SDK's ``agents.strict_schema``: ``ensure_strict_json_schema``, a JSON schema rewritten into OpenAI's strict form.

The SDK's public contract, for code that builds its own strict tool or output schemas: every object is closed
(``additionalProperties: false``) with all its properties required, ``oneOf`` becomes ``anyOf``, a single ``allOf``
entry is merged into its parent, a ``$ref`` with annotation siblings (a ``description``) is inlined, ``default:
null`` is dropped; the schema is changed in place and returned. What cannot be made strict without changing what it
accepts is a ``UserError``: an open object, a ``$ref`` or single ``allOf`` whose siblings would constrain it, a
reference into a nested ``$id`` resource, a circular reference chain, a nullable or union root, and schemas too deep
or too large (a ``$ref`` fan-out) to expand safely.

This is not the rule the runtime uses for the schemas it sends (``models/_openai_strict_schema``): there, a schema
is made strict only where that keeps its optional parameters optional, and is sent non-strict otherwise; this
function rewrites them as required, as the SDK's does, because that is what a caller of it asks for.
"""

from __future__ import annotations

from typing import Any

from .exceptions import UserError

__all__ = ["ensure_strict_json_schema"]

_MAX_SCHEMA_NODES = 100_000
"""How many schema nodes one conversion may visit (read at each call): a ``$ref`` ladder that doubles per level
would otherwise expand into billions of nodes."""
_MAX_SCHEMA_DEPTH = 100
"""Nesting deeper than this is refused before (and during) the recursive conversion."""

_ANNOTATIONS = frozenset({
    "$anchor", "$comment", "$defs", "$schema", "contentEncoding", "contentMediaType", "contentSchema", "default",
    "definitions", "deprecated", "description", "examples", "readOnly", "title", "writeOnly",
})
"""Keywords that may sit beside a ``$ref`` without constraining the value (the root may also carry ``$id``)."""

_TOO_DEEP = "JSON schema is too deeply nested to make strict safely; simplify or flatten it."
_TOO_LARGE = (
    "JSON schema is too large to make strict: its `$ref`s expand into too many nodes (a malformed or malicious "
    "schema)."
)
_OPEN_OBJECT = (
    "additionalProperties should not be set for object types: a strict schema only takes closed objects. Make the "
    "object's properties explicit, or do not use a strict schema for this tool or output."
)
_UNDECLARED = (
    "JSON schema has an object that permits undeclared properties; making it strict would change what it accepts."
)
_UNCHECKED_REF = "JSON schema has a reference whose target was not validated for strict mode."
_NESTED_RESOURCE = (
    "JSON schema has a reference inside, or into, a nested `$id` resource, which cannot be resolved against the "
    "document root."
)
_MISSING = object()


def ensure_strict_json_schema(schema: dict[str, Any], *, _reject_open_objects: bool = False) -> dict[str, Any]:
    """``schema`` in OpenAI's strict form, changed in place (an empty schema gives a new empty object schema).

    Raises ``UserError`` for what cannot be made strict (see the module docstring), ``TypeError`` for a schema that
    is not a dict and ``ValueError`` for a ``$ref`` that is not a local JSON pointer."""
    _check_depth(schema)
    if schema == {}:
        return {"additionalProperties": False, "type": "object", "properties": {}, "required": []}
    strict = _Strict(schema, _reject_open_objects).node(schema, (), 1, False)
    if isinstance(strict.get("anyOf"), list):
        raise UserError("The root of a strict JSON schema must not use `anyOf`.")
    kind = strict.get("type")
    if isinstance(kind, list) and "object" in kind:
        if kind != ["object"]:
            raise UserError(
                f"The root of a strict JSON schema must be a non-nullable object, but its type is {kind}. Make the "
                "root a plain object, or do not use a strict schema for this tool or output."
            )
        strict["type"] = "object"
    return strict


def _check_depth(value: object) -> None:
    """Refuses nesting the recursion could not take, before any of it runs (iteratively, so it cannot overflow)."""
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > _MAX_SCHEMA_DEPTH:
            raise UserError(_TOO_DEEP)
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


class _Strict:
    """One conversion: the document root (``$ref`` targets), the node budget, and whether open objects are refused."""

    def __init__(self, root: dict[str, Any], reject_open: bool) -> None:
        self.root = root
        self.budget = _MAX_SCHEMA_NODES
        self.reject_open = reject_open

    def spend(self) -> None:
        self.budget -= 1
        if self.budget < 0:
            raise UserError(_TOO_LARGE)

    def node(self, node: Any, path: tuple[str, ...], depth: int, in_resource: bool) -> dict[str, Any]:
        if depth > _MAX_SCHEMA_DEPTH:
            raise UserError(_TOO_DEEP)
        if not isinstance(node, dict):
            raise TypeError(f"Expected {node} to be a dictionary; path={path}")
        self.spend()
        in_resource = in_resource or (node is not self.root and isinstance(node.get("$id"), str))
        deeper = depth + 1

        def sub(child: Any, *where: str) -> dict[str, Any]:
            return self.node(child, (*path, *where), deeper, in_resource)

        if "$ref" in node:
            if in_resource:
                raise UserError(_NESTED_RESOURCE)
            allowed = _ANNOTATIONS | {"$id"} if node is self.root else _ANNOTATIONS
            extra = set(node) - {"$ref"} - allowed
            if extra:
                raise UserError(
                    f"JSON schema has a `$ref` with incompatible sibling keyword(s) ({', '.join(sorted(extra))}) "
                    "that cannot be merged without changing what it accepts."
                )
        for key in ("$defs", "definitions"):
            if isinstance(node.get(key), dict):
                for name, definition in node[key].items():
                    sub(definition, key, name)
        self._close(node)
        properties = node.get("properties")
        if isinstance(properties, dict):
            node["required"] = list(properties)
            node["properties"] = {name: sub(prop, "properties", name) for name, prop in properties.items()}
        if isinstance(node.get("items"), dict):
            node["items"] = sub(node["items"], "items")
        if isinstance(node.get("anyOf"), list):
            node["anyOf"] = [sub(variant, "anyOf", str(i)) for i, variant in enumerate(node["anyOf"])]
        if isinstance(node.get("oneOf"), list):  # strict mode takes anyOf (and a discriminated union means the same)
            earlier: list[Any] = node["anyOf"] if isinstance(node.get("anyOf"), list) else []
            node["anyOf"] = earlier + [sub(variant, "oneOf", str(i)) for i, variant in enumerate(node.pop("oneOf"))]
        all_of = node.get("allOf")
        if isinstance(all_of, list):
            if len(all_of) != 1:
                node["allOf"] = [sub(entry, "allOf", str(i)) for i, entry in enumerate(all_of)]
            else:
                entry = self._single(all_of[0], in_resource, sub)
                del node["allOf"]
                merged = _merged(entry, node)
                node.clear()
                node.update(merged)
                return self.node(node, path, deeper, in_resource)
        if node.get("default", _MISSING) is None:
            del node["default"]  # a nullable value defaults to null anyway
        ref = node.get("$ref")
        if ref is not None and len(node) > 1:  # strict mode takes a bare $ref only: inline the target
            target = self._resolve(ref)
            del node["$ref"]
            node.update({**target, **node})  # the node's own keywords win
            return self.node(node, path, deeper, in_resource)
        if self.reject_open and "$ref" in node:
            raise UserError(_UNCHECKED_REF)
        return node

    def _close(self, node: dict[str, Any]) -> None:
        kind = node.get("type")
        if kind is None and isinstance(node.get("properties"), dict):
            kind = node["type"] = "object"
        elif kind is None and node.get("additionalProperties", False) is not False:
            raise UserError(_OPEN_OBJECT)
        if not (kind == "object" or (isinstance(kind, list) and "object" in kind)):
            return
        if self.reject_open and node.get("properties") in (None, {}) and node.get("additionalProperties") is not False:
            raise UserError(_UNDECLARED)
        # `is not False`, not falsiness: `additionalProperties: {}` (anything goes) is open too
        if node.setdefault("additionalProperties", False) is not False:
            raise UserError(_OPEN_OBJECT)

    def _single(self, entry: Any, in_resource: bool, sub: Any) -> dict[str, Any]:
        """A single ``allOf`` entry, strict: a reference (with annotations only) is followed to its target."""
        if not (isinstance(entry, dict) and "$ref" in entry and not set(entry) - {"$ref"} - _ANNOTATIONS):
            return sub(entry, "allOf", "0")  # type: ignore[no-any-return]
        if in_resource:
            raise UserError(_NESTED_RESOURCE)
        self.spend()
        seen: set[str] = set()
        annotations: dict[str, Any] = {}
        current: dict[str, Any] = entry
        while "$ref" in current and not set(current) - {"$ref"} - _ANNOTATIONS:
            ref = current["$ref"]
            if ref in seen:
                raise UserError("JSON schema has a circular `$ref` chain.")
            seen.add(ref)
            annotations = {**{k: v for k, v in current.items() if k != "$ref"}, **annotations}  # nearer ones win
            self.spend()
            current = self._resolve(ref)
        return {**current, **annotations}

    def _resolve(self, ref: Any) -> dict[str, Any]:
        if not isinstance(ref, str) or not ref.startswith("#/"):  # a remote or relative reference cannot be read
            raise ValueError(f"Unexpected $ref format {ref!r}; Does not start with #/")
        target: Any = self.root
        for token in ref[2:].split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
            if not isinstance(target, dict):
                raise ValueError(f"Expected `$ref: {ref}` to resolve to a dictionary but got {target}")
            if isinstance(target.get("$id"), str):
                raise UserError(_NESTED_RESOURCE)
        resolved: dict[str, Any] = target
        return resolved


def _merged(entry: dict[str, Any], parent: dict[str, Any]) -> dict[str, Any]:
    """A single ``allOf`` entry with its parent's keywords: annotations from the parent, a constraint only when it
    says the same as the entry's (else a ``UserError``: either side would be lost)."""
    merged = dict(entry)
    clashes = []
    for key, value in parent.items():
        if key not in merged or key in _ANNOTATIONS:
            merged[key] = value
        elif not (_same_json(value, merged[key]) or (key, value) in (("properties", {}), ("required", []))):
            clashes.append(key)
    if clashes:
        raise UserError(
            "JSON schema has a singleton `allOf` entry with incompatible parent keyword(s) "
            f"({', '.join(sorted(clashes))}) that cannot be merged without changing what it accepts."
        )
    return merged


def _same_json(a: Any, b: Any) -> bool:
    """Equal as JSON values: ``1 == 1.0``, but ``1 != true`` (Python's ``==`` says otherwise)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(map(_same_json, a, b))
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
                and all(_same_json(a[k], b[k]) for k in a))
    return type(a) is type(b) and bool(a == b)

