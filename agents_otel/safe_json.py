"""Any Python value as JSON that every parser accepts, without ever raising: the one encoder for stream events.

Tool outputs, progress payloads and final outputs are whatever user code produced, and one odd value must not
fail a run or a watcher's stream (docs/server.md, "Event schema", lists these rules):

- JSON types pass through; tuples, sets and deques become arrays; keys that are numbers, booleans or ``None``
  become their JSON text (as ``json.dumps`` does), other non-string keys their ``str``.
- Pydantic models, dataclasses, enums, datetimes (ISO 8601), UUIDs, decimals and paths: their usual JSON form.
- ``bytes``, ``bytearray``, ``memoryview``: ``{"base64": "...", "length": n}``.
- ``NaN``, ``Infinity`` and ``-Infinity`` (which ``JSON.parse`` rejects): the strings ``"NaN"``, ``"Infinity"``,
  ``"-Infinity"``.
- A container that contains itself: the inner occurrence becomes ``"[cycle]"``; nesting deeper than
  :data:`MAX_DEPTH` becomes ``"[too deep]"``.
- Strings with lone surrogates (not encodable as UTF-8): the surrogates become U+FFFD.
- Iterators and generators are **not consumed** (an endless one would block the loop): ``"[iterator <type>]"``.
- Anything else: its ``str``; if even that raises, ``"[unrepresentable <type>]"``.
"""

from __future__ import annotations

import base64
import collections
import dataclasses
import datetime
import decimal
import enum
import json
import math
import pathlib
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

MAX_DEPTH = 64

_SCALARS = (str, int, bool, type(None))
_AS_STR = (uuid.UUID, decimal.Decimal, pathlib.PurePath)
_SEQUENCES = (list, tuple, set, frozenset, collections.deque)


def to_jsonable(value: Any) -> Any:
    """``value`` made of dicts, lists, strings, finite numbers, booleans and ``None`` only."""
    return _convert(value, set(), 0)


def holds_iterator(value: Any, depth: int = 4) -> bool:
    """Whether ``value`` is, or holds within ``depth`` levels of dicts, lists and tuples, an iterator or generator:
    what pydantic's encoders would consume (for ever, if it is endless). Cheap for the usual small payloads."""
    kind = type(value)
    if kind in _SCALARS or kind is float:
        return False
    # Plain containers are never iterators themselves: no ABC check, and a loop rather than any(<generator>), since
    # every send_progress payload passes here.
    if kind is dict:
        items: Any = value.values()
    elif kind is list or kind is tuple:
        items = value
    else:
        return isinstance(value, Iterator | AsyncIterator)
    if depth:
        for item in items:
            if type(item) not in _SCALARS and holds_iterator(item, depth - 1):
                return True
    return False


def dumps(value: Any) -> str:
    """Compact JSON text (UTF-8 safe, no ``NaN``) for any value; never raises."""
    try:
        return json.dumps(to_jsonable(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except Exception:  # the rules above make this unreachable; a stream must still never break on it
        return json.dumps(f"[unrepresentable {_type_name(value)}]")


def _convert(value: Any, path: set[int], depth: int) -> Any:
    kind = type(value)
    if kind is str:
        return _utf8(value)
    if kind in _SCALARS:
        return value
    if kind is float or isinstance(value, float):
        number = float(value)
        if math.isfinite(number):
            return number
        return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")
    if isinstance(value, enum.Enum):
        return _convert(value.value, path, depth)
    if isinstance(value, str | int):  # str and int subclasses
        return _utf8(str(value)) if isinstance(value, str) else int(value)
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        return {"base64": base64.b64encode(raw).decode("ascii"), "length": len(raw)}
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, _AS_STR):
        return str(value)
    if depth >= MAX_DEPTH:
        return "[too deep]"
    if id(value) in path:
        return "[cycle]"
    path.add(id(value))
    try:
        return _container(value, path, depth + 1)
    finally:
        path.discard(id(value))


def _container(value: Any, path: set[int], depth: int) -> Any:
    if isinstance(value, dict):
        return {_key(k): _convert(v, path, depth) for k, v in list(value.items())}
    if isinstance(value, _SEQUENCES):
        return [_convert(v, path, depth) for v in list(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _convert(_field(value, f.name), path, depth) for f in dataclasses.fields(value)}
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):  # a pydantic model
        try:
            return _convert(dump(mode="python"), path, depth)
        except Exception:
            return _str(value)
    if isinstance(value, Iterator):
        return f"[iterator {_type_name(value)}]"
    return _str(value)


def _field(value: Any, name: str) -> Any:
    try:
        return getattr(value, name)
    except Exception:
        return f"[unreadable field {name}]"


def _key(key: Any) -> str:
    if isinstance(key, str):
        return _utf8(str(key))
    if key is None or isinstance(key, bool | int):
        return json.dumps(key if type(key) in (bool, int) or key is None else int(key))
    converted = _convert(key, set(), 0) if isinstance(key, float | enum.Enum) else None
    return converted if isinstance(converted, str) else (json.dumps(converted) if converted is not None else _str(key))


def _str(value: Any) -> str:
    try:
        return _utf8(str(value))
    except Exception:
        return f"[unrepresentable {_type_name(value)}]"


def _utf8(text: str) -> str:
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def _type_name(value: Any) -> str:
    try:
        return type(value).__qualname__
    except Exception:
        return "object"
