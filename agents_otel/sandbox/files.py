"""One directory listing's entries, as ``session.ls()`` returns them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .types import Permissions


class EntryKind(StrEnum):
    DIRECTORY = "directory"
    FILE = "file"
    SYMLINK = "symlink"
    OTHER = "other"


@dataclass(frozen=True, kw_only=True)
class FileEntry:
    """A listed path with its mode, owner, group and size; a symlink is listed as itself, never followed."""

    path: str
    permissions: Permissions
    owner: str
    group: str
    size: int
    kind: EntryKind = EntryKind.FILE

    def is_dir(self) -> bool:
        return self.kind == EntryKind.DIRECTORY
