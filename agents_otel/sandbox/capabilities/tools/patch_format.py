"""The ``apply_patch`` envelope the model writes (``*** Begin Patch`` ... ``*** End Patch``), read into
``ApplyPatchOperation``s, as the SDK's sandbox ``apply_patch`` tool reads it; a JSON form (an operation object, a
list of them, or ``{"operations": [...]}``) is taken too. Every malformed patch is a ``ValueError`` the model reads,
raised before any file changes."""

from __future__ import annotations

import json
from typing import Any

from ....local_tools import ApplyPatchOperation

GRAMMAR = r"""
start: "*** Begin Patch" LF file_op+ "*** End Patch" LF?
file_op: add_file | delete_file | update_file
add_file: "*** Add File: " path LF ("+" /(.*)/ LF)+
delete_file: "*** Delete File: " path LF
update_file: "*** Update File: " path LF move? chunk+ end_of_file?
move: "*** Move to: " path LF
chunk: anchor | edit_line
anchor: ("@@" | "@@ " /(.+)/) LF
edit_line: ("+" | "-" | " ") /(.*)/ LF
end_of_file: "*** End of File" LF
path: /(.+)/
%import common.LF
""".strip()

DESCRIPTION = """Edits files in the sandbox workspace. Write the patch itself (not JSON):

*** Begin Patch
*** Add File: path/new.txt
+every line of the new file, each prefixed with +
*** Update File: path/old.py
*** Move to: path/renamed.py   (optional)
@@ def the_function():        (a line to anchor the change; optional)
 a context line
-a removed line
+an added line
*** Delete File: path/obsolete.txt
*** End Patch

Paths are relative to the working directory. Give about three lines of context around each change."""

_BEGIN, _END = "*** Begin Patch", "*** End Patch"
_ADD, _DELETE, _UPDATE, _MOVE = "*** Add File: ", "*** Delete File: ", "*** Update File: ", "*** Move to: "
_HEADERS = (_ADD, _DELETE, _UPDATE)


def parse_patch(text: str) -> list[ApplyPatchOperation]:
    if text.lstrip().startswith(("{", "[")):
        return _parse_json(json.loads(text))
    lines = text.strip("\n").splitlines()
    if not lines or lines[0].strip() != _BEGIN:
        raise ValueError("apply_patch input must start with '*** Begin Patch'")
    if len(lines) < 2 or lines[-1].strip() != _END:
        raise ValueError("apply_patch input must end with '*** End Patch'")
    body = lines[1:-1]
    operations: list[ApplyPatchOperation] = []
    index = 0
    while index < len(body):
        header = body[index]
        index += 1
        section: list[str] = []
        while index < len(body) and not body[index].startswith(_HEADERS):
            section.append(body[index])
            index += 1
        operations.append(_operation(header, section))
    if not operations:
        raise ValueError("apply_patch input must change at least one file")
    return operations


def _operation(header: str, section: list[str]) -> ApplyPatchOperation:
    if header.startswith(_ADD):
        path = _path(header, _ADD)
        if not section or any(not line.startswith("+") for line in section):
            raise ValueError(f"Add File {path}: every line of the new file must start with '+'")
        return ApplyPatchOperation("create_file", path, "\n".join(section) + "\n")
    if header.startswith(_DELETE):
        path = _path(header, _DELETE)
        if section:
            raise ValueError(f"Delete File {path} takes no lines")
        return ApplyPatchOperation("delete_file", path)
    if header.startswith(_UPDATE):
        path = _path(header, _UPDATE)
        move_to = None
        if section and section[0].startswith(_MOVE):
            move_to = _path(section.pop(0), _MOVE)
        if not section:
            raise ValueError(f"Update File {path} has no change")
        return ApplyPatchOperation("update_file", path, "\n".join(section) + "\n", move_to=move_to)
    raise ValueError(f"Not an apply_patch file header: {header!r}")


def _path(line: str, prefix: str) -> str:
    path = line[len(prefix) :].strip()
    if not path:
        raise ValueError(f"apply_patch header without a path: {line!r}")
    return path


def _parse_json(data: Any) -> list[ApplyPatchOperation]:
    if isinstance(data, dict) and isinstance(data.get("operations"), list):
        data = data["operations"]
    items = data if isinstance(data, list) else [data.get("operation", data) if isinstance(data, dict) else data]
    operations = []
    for item in items:
        if not isinstance(item, dict):
            raise ValueError("an apply_patch operation must be an object")
        kind, path, diff = item.get("type"), item.get("path"), item.get("diff")
        if kind not in ("create_file", "update_file", "delete_file"):
            raise ValueError(f"Invalid apply_patch operation type: {kind!r}")
        if not isinstance(path, str) or not path:
            raise ValueError("an apply_patch operation needs a path")
        if kind != "delete_file" and not isinstance(diff, str):
            raise ValueError(f"apply_patch operation {kind} needs a diff")
        move_to = item.get("move_to")
        if move_to is not None and not isinstance(move_to, str):
            raise ValueError("apply_patch move_to must be a string")
        operations.append(ApplyPatchOperation(kind, path, diff if kind != "delete_file" else None, move_to=move_to))
    return operations
