"""The manifest as the tree the model reads in its instructions: each entry's path, and its description if any.

Bounded (``MAX_MANIFEST_DESCRIPTION_CHARS``) so a manifest with thousands of entries cannot fill the context; the
truncated tree says so and points the model at ``ls``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

from .entries import BaseEntry, Dir

MAX_MANIFEST_DESCRIPTION_CHARS = 5000


class _Node:
    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.description: str | None = None
        self.is_dir = False


def _insert(tree: _Node, rel: PurePosixPath, entry: BaseEntry, depth: int | None) -> None:
    parts = [p for p in rel.parts if p not in {"", "."}]
    node = tree
    shown = parts if depth is None else parts[:depth]
    for index, part in enumerate(shown):
        node = node.children.setdefault(part, _Node())
        if index < len(parts) - 1:
            node.is_dir = True
    if len(shown) == len(parts):
        node.is_dir = node.is_dir or entry.is_dir
        node.description = node.description or entry.description
    if isinstance(entry, Dir) and (depth is None or len(parts) < depth):
        for child_rel, child in entry.children.items():
            _insert(tree, rel / PurePosixPath(str(child_rel)), child, depth)


def render_manifest_description(
    *,
    root: str,
    entries: Iterable[tuple[PurePosixPath, BaseEntry]],
    depth: int | None = 1,
    max_chars: int | None = MAX_MANIFEST_DESCRIPTION_CHARS,
) -> str:
    if depth is not None and depth <= 0:
        raise ValueError("depth must be a positive integer or None")
    if max_chars is not None and max_chars <= 0:
        raise ValueError("max_chars must be a positive integer or None")
    root = root.rstrip("/") or "/"
    tree = _Node()
    for rel, entry in entries:
        _insert(tree, rel, entry, depth)
    rows: list[tuple[str, str]] = []

    def walk(node: _Node, prefix: str, path: PurePosixPath) -> None:
        names = sorted(node.children)
        for index, name in enumerate(names):
            child = node.children[name]
            last = index == len(names) - 1
            label = f"{prefix}{'└── ' if last else '├── '}{name}{'/' if child.is_dir or child.children else ''}"
            comment = f"# {(path / name).as_posix()}" + (f" — {child.description}" if child.description else "")
            rows.append((label, comment))
            walk(child, prefix + ("    " if last else "│   "), path / name)

    walk(tree, "", PurePosixPath(root))
    width = max((len(label) for label, _ in rows), default=0)
    text = "\n".join([root, *(f"{label.ljust(width + 2)}{comment}" for label, comment in rows)]) + "\n"
    if max_chars is None or len(text) <= max_chars:
        return text
    marker = (
        f"\n... (truncated {len(text) - max_chars} chars)\n\n"
        "The layout above was cut short: use `ls` to look at directories before relying on paths not shown.\n"
    )
    return (text[: max(0, max_chars - len(marker))].rstrip() + marker)[:max_chars]
