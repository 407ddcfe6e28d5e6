"""``apply_diff``: a V4A diff (what the ``apply_patch`` tool's model writes) applied to a file's text, as the OpenAI
Agents SDK's helper does, for editors that keep files as text.

The format, as read here: ``@@ text`` lines anchor what follows to a line equal to ``text`` (after the previous
edit); ``' '`` lines are context, ``'-'`` lines are removed, ``'+'`` lines added; ``*** End of File`` pins the
block to the file's end. Each block between anchors (its context and removed lines, in order) must be found in the
file at or after the previous block, exactly or, failing that, ignoring trailing and then surrounding whitespace.
A lone anchor that matches nothing is a hint and is ignored; stacked anchors (``@@ class A`` then ``@@ def f():``)
narrow step by step and must all match (an anchor already passed counts), else ``ValueError("Invalid Anchor")``.
Line endings follow the file (``\\r\\n`` stays ``\\r\\n``); a new file takes the diff's.

Why our own code: the applier must fail loudly on a diff that does not fit (a silently misplaced edit corrupts the
file the model believes it changed), and it is small.
"""

from __future__ import annotations

from typing import Literal

ApplyDiffMode = Literal["default", "create"]

_END_OF_FILE = "*** End of File"


def apply_diff(input: str, diff: str, mode: ApplyDiffMode = "default") -> str:
    """``input`` with ``diff`` applied. ``mode="create"``: the diff is a new file's text, every line ``+``-prefixed.
    Raises ``ValueError`` when the diff is malformed or does not fit ``input``."""
    newline = _newline(input) if input else _newline(diff)
    lines = _diff_lines(diff)
    if mode == "create":
        bad = next((line for line in lines if not line.startswith("+")), None)
        if bad is not None:
            raise ValueError(f"Invalid create-file diff line (every line must start with '+'): {bad!r}")
        return newline.join(line[1:] for line in lines)
    text = input.split(newline) if input else [""]
    if newline == "\r\n":
        text = [line.rstrip("\r") for line in text]
    cursor = 0
    for anchors, old, new, eof in _blocks(lines):
        cursor = _anchor(text, anchors, cursor)
        at = _find(text, old, cursor, eof)
        if at < 0:
            shown = "\n".join(old)
            raise ValueError(f"Invalid Context at line {cursor + 1}: could not find the lines:\n{shown}")
        text[at : at + len(old)] = new
        cursor = at + len(new)
    return newline.join(text)


def _newline(text: str) -> str:
    end = text.find("\n")
    return "\r\n" if end > 0 and text[end - 1] == "\r" else "\n"


def _diff_lines(diff: str) -> list[str]:
    lines = [line[:-1] if line.endswith("\r") else line for line in diff.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()  # the diff's own final newline
    return lines


Block = tuple[list[str], list[str], list[str], bool]


def _blocks(lines: list[str]) -> list[Block]:
    """The diff as blocks: (anchor texts, old lines, new lines, pinned to the end)."""
    blocks: list[Block] = []
    anchors: list[str] = []
    old: list[str] = []
    new: list[str] = []
    changed = eof = False
    for line in lines:
        if line.startswith("@@"):
            if old or new or changed:
                blocks.append((anchors, old, new, eof))
                anchors, old, new, changed, eof = [], [], [], False, False
            anchors.append(line[2:].strip())
        elif line == _END_OF_FILE:
            eof = True
        elif line.startswith("***"):
            raise ValueError(f"Invalid diff marker: {line!r}")
        elif line.startswith("+"):
            new.append(line[1:])
            changed = True
        elif line.startswith("-"):
            old.append(line[1:])
            changed = True
        elif line.startswith(" ") or line == "":
            old.append(line[1:])
            new.append(line[1:])
        else:
            raise ValueError(f"Invalid diff line (must start with ' ', '+', '-' or '@@'): {line!r}")
    if old or new or changed:
        blocks.append((anchors, old, new, eof))
    return blocks


def _anchor(text: list[str], anchors: list[str], cursor: int) -> int:
    named = [a for a in anchors if a]
    stacked = len(anchors) > 1
    for anchor in named:
        found = _find_line(text, anchor, cursor)
        if found >= 0:
            cursor = found + 1
        elif stacked and _find_line(text[:cursor], anchor, 0) < 0:  # not ahead, nor already passed
            raise ValueError(f"Invalid Anchor: {anchor!r} not found")
    return cursor


def _find_line(text: list[str], wanted: str, start: int) -> int:
    for normalize in (_same, str.rstrip, str.strip):
        target = normalize(wanted)
        for index in range(start, len(text)):
            if normalize(text[index]) == target:
                return index
    return -1


def _same(line: str) -> str:
    return line


def _find(text: list[str], old: list[str], start: int, eof: bool) -> int:
    if not old:
        return start if start <= len(text) else -1
    size = len(old)
    # The file's final newline splits into a last "" line: a block at the end is matched without it.
    end = len(text) - 1 if text and text[-1] == "" else len(text)
    for normalize in (_same, str.rstrip, str.strip):
        wanted = [normalize(line) for line in old]
        if eof and end - size >= start and [normalize(line) for line in text[end - size : end]] == wanted:
            return end - size
        for index in range(start, len(text) - size + 1):
            if [normalize(line) for line in text[index : index + size]] == wanted:
                return index
    return -1


__all__ = ["ApplyDiffMode", "apply_diff"]
