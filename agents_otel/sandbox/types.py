"""The sandbox's plain records: who runs a command, with which permissions, and what it returned.

They mirror the SDK's ``agents.sandbox.types`` field for field, so a manifest or a session state written by SDK code
validates here unchanged.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from enum import IntEnum
from typing import Self

from pydantic import BaseModel, Field


class FileMode(IntEnum):
    """One rwx triplet's bits, as ``chmod`` reads them."""

    ALL = 0o7
    NONE = 0
    READ = 1 << 2
    WRITE = 1 << 1
    EXEC = 1


class User(BaseModel):
    """A sandbox OS user; two users are the same user when their names are equal."""

    name: str

    def __hash__(self) -> int:
        return hash(self.name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, User):
            return NotImplemented
        return self.name == other.name


class Group(BaseModel):
    """A sandbox OS group and its members; identified by name, as ``chgrp`` does."""

    name: str
    users: list[User]

    def __hash__(self) -> int:
        return hash(self.name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Group):
            return NotImplemented
        return self.name == other.name


_TRIPLET_CHARS = ((FileMode.READ, "r"), (FileMode.WRITE, "w"), (FileMode.EXEC, "x"))


class Permissions(BaseModel):
    """A file's mode as three rwx triplets (and whether it is a directory), convertible to and from ``st_mode``."""

    owner: int = Field(default=0o7)
    group: int = Field(default=0)
    other: int = Field(default=0)
    directory: bool = Field(default=False)

    def to_mode(self) -> int:
        mode = (int(self.owner) << 6) | (int(self.group) << 3) | int(self.other)
        return mode | stat.S_IFDIR if self.directory else mode

    @classmethod
    def from_mode(cls, mode: int) -> Permissions:
        return cls(owner=(mode >> 6) & 7, group=(mode >> 3) & 7, other=mode & 7, directory=stat.S_ISDIR(mode))

    @classmethod
    def from_str(cls, perms: str) -> Permissions:
        """Parse ``ls -l``'s mode column (``drwxr-x---``); a trailing ACL / xattr marker is ignored."""
        if len(perms) == 11 and perms[-1] in "@+.":
            perms = perms[:-1]
        if len(perms) != 10:
            raise ValueError(f"invalid permissions string length: {perms!r}")
        if perms[0] not in "d-":
            raise ValueError(f"invalid permissions type: {perms!r}")

        def triplet(text: str, special: str) -> int:
            read, write, execute = text[0], text[1], text[2]
            if read not in "r-" or write not in "w-" or execute not in "x-" + special + special.upper():
                raise ValueError(f"invalid permissions triplet: {text!r}")
            exec_bit = FileMode.EXEC if execute in "x" + special else 0
            return (FileMode.READ if read == "r" else 0) | (FileMode.WRITE if write == "w" else 0) | exec_bit

        return cls(
            owner=triplet(perms[1:4], "s"),
            group=triplet(perms[4:7], "s"),
            other=triplet(perms[7:10], "t"),
            directory=perms[0] == "d",
        )

    def owner_can(self, mode: int) -> Self:
        self.owner = mode
        return self

    def group_can(self, mode: int) -> Self:
        self.group = mode
        return self

    def others_can(self, mode: int) -> Self:
        self.other = mode
        return self

    def __repr__(self) -> str:
        def fmt(bits: int) -> str:
            return "".join(char if bits & bit else "-" for bit, char in _TRIPLET_CHARS)

        return ("d" if self.directory else "-") + fmt(self.owner) + fmt(self.group) + fmt(self.other)

    def __str__(self) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Permissions):
            return NotImplemented
        return self.to_mode() == other.to_mode()

    def __hash__(self) -> int:
        return hash(self.to_mode())


class ExecResult:
    """What a command left behind: its output bytes and exit code (``ok()`` when it exited 0)."""

    stdout: bytes
    stderr: bytes
    exit_code: int

    def __init__(self, *, stdout: bytes, stderr: bytes, exit_code: int) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.exit_code = exit_code

    def ok(self) -> bool:
        return self.exit_code == 0

    def __repr__(self) -> str:
        return f"ExecResult(exit_code={self.exit_code}, stdout={self.stdout[:80]!r}, stderr={self.stderr[:80]!r})"


@dataclass(frozen=True)
class ExposedPortEndpoint:
    """Where the host reaches a port the sandbox exposes."""

    host: str
    port: int
    tls: bool = False
    query: str = ""

    def url_for(self, scheme: str) -> str:
        """The endpoint as an ``http(s)://`` or ``ws(s)://`` URL, its port left out when it is the scheme's default."""
        normalized = scheme.lower()
        if normalized not in {"http", "ws"}:
            raise ValueError("scheme must be either 'http' or 'ws'")
        prefix = normalized + ("s" if self.tls else "")
        default_port = 443 if self.tls else 80
        host = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        base = f"{prefix}://{host}/" if self.port == default_port else f"{prefix}://{host}:{self.port}/"
        query = self.query.removeprefix("?")
        return f"{base}?{query}" if query else base
