"""The records of the ``Skills`` capability: ``Skill`` (one skill given inline), ``SkillMetadata`` (one line of the
skill index the model reads), and the checks both rely on: skill paths stay relative and inside the skills root, and
a ``SKILL.md``'s frontmatter gives the name and description shown to the model.

Why the path checks are strict (absolute, Windows-absolute, ``..`` and empty paths refused at construction): a skill's
name becomes a directory under the workspace's skills root, so a bad name would write outside it, and finding that
out only when a session materializes the manifest would be far from the mistake.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..entries import BaseEntry, Dir, File, LocalFile
from ..errors import SkillsConfigError
from ..workspace_paths import coerce_posix_path

NO_DESCRIPTION = "No description provided."


@dataclass(frozen=True)
class SkillMetadata:
    """What the model is told about one skill: its name, description and path (relative to the workspace root)."""

    name: str
    description: str
    path: Path


def windows_absolute_path(path: str | PurePath) -> PureWindowsPath | None:
    """``path`` when it is absolute only in Windows syntax (``C:\\x``, ``\\\\host\\share``), else ``None``."""
    candidate = path if isinstance(path, PureWindowsPath) else PureWindowsPath(str(path))
    if candidate.is_absolute() and not PurePosixPath(candidate.as_posix()).is_absolute():
        return candidate
    return None


def as_path(path: PurePosixPath) -> Path:
    return Path(path.as_posix())


def validate_relative_path(
    value: str | PurePath, *, field_name: str, context: Mapping[str, object] | None = None
) -> Path:
    """``value`` as a non-empty relative path without ``..`` (a ``SkillsConfigError`` naming the field otherwise)."""
    extra = dict(context or {})
    windows = windows_absolute_path(value)
    if windows is not None:
        raise SkillsConfigError(
            message=f"{field_name} must be a relative path",
            context={"field": field_name, "path": windows.as_posix(), "reason": "absolute", **extra},
        )
    posix = coerce_posix_path(value)
    if posix.is_absolute():
        reason, message = "absolute", f"{field_name} must be a relative path"
    elif ".." in posix.parts:
        reason, message = "escape_root", f"{field_name} must not escape the skills root"
    elif posix.parts in ((), (".",)):
        reason, message = "empty", f"{field_name} must be non-empty"
    else:
        return as_path(posix)
    raise SkillsConfigError(
        message=message, context={"field": field_name, "path": posix.as_posix(), "reason": reason, **extra}
    )


def parse_frontmatter(markdown: str) -> dict[str, str]:
    """The ``key: value`` lines between a leading ``---`` line and the next one (quotes around a value dropped).

    Only this flat shape is read: skill indexes need ``name`` and ``description``, and a YAML parser would be a new
    dependency for two strings. No closing ``---``: no frontmatter.
    """
    lines = markdown.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        return {}
    found: dict[str, str] = {}
    for line in lines[1:end]:
        text = line.strip()
        if not text or text.startswith("#") or ":" not in text:
            continue
        key, value = (part.strip() for part in text.split(":", 1))
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        found[key] = value
    return found


def metadata_from_markdown(markdown: str, *, dir_name: str, path: Path) -> SkillMetadata:
    """A skill's index line from its ``SKILL.md``: the frontmatter's name (else the directory's) and description."""
    frontmatter = parse_frontmatter(markdown)
    return SkillMetadata(
        name=frontmatter.get("name", dir_name), description=frontmatter.get("description", NO_DESCRIPTION), path=path
    )


def read_text(handle: io.IOBase) -> str:
    payload = handle.read()
    if isinstance(payload, str):
        return payload
    if isinstance(payload, bytes | bytearray):
        return bytes(payload).decode("utf-8", errors="replace")
    return str(payload)


def _entry_map(value: object) -> dict[str | Path, BaseEntry]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"a skill's scripts / references / assets must be a mapping, got {type(value).__name__}")
    return {key: BaseEntry.parse(entry) for key, entry in value.items()}


class Skill(BaseModel):
    """One skill given inline: its ``SKILL.md`` (``content``: text, bytes or a file entry) and optional
    ``scripts/``, ``references/`` and ``assets/`` files, staged under ``<skills_path>/<name>/``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    description: str
    content: str | bytes | BaseEntry
    compatibility: str | None = Field(default=None)
    scripts: dict[str | Path, BaseEntry] = Field(default_factory=dict)
    references: dict[str | Path, BaseEntry] = Field(default_factory=dict)
    assets: dict[str | Path, BaseEntry] = Field(default_factory=dict)
    deferred: bool = Field(default=False)

    @field_validator("content", mode="before")
    @classmethod
    def _parse_content(cls, value: object) -> object:
        return BaseEntry.parse(value) if isinstance(value, Mapping) else value

    @field_validator("scripts", "references", "assets", mode="before")
    @classmethod
    def _parse_entry_map(cls, value: object) -> dict[str | Path, BaseEntry]:
        return _entry_map(value)

    def model_post_init(self, context: Any, /) -> None:
        validate_relative_path(self.name, field_name="name", context={"skill_name": self.name})
        content = self.content_artifact()
        if not isinstance(content, File | LocalFile):
            raise SkillsConfigError(
                message="skill content must be file-like",
                context={"field": "content", "skill_name": self.name, "content_type": content.type},
            )
        self.scripts = self._normalized(self.scripts, "scripts")
        self.references = self._normalized(self.references, "references")
        self.assets = self._normalized(self.assets, "assets")

    def _normalized(self, entries: Mapping[str | Path, BaseEntry], field_name: str) -> dict[str | Path, BaseEntry]:
        """Keys as POSIX strings, each checked; two keys naming one path (``"a"`` and ``Path("a")``) are refused."""
        normalized: dict[str | Path, BaseEntry] = {}
        for key, entry in entries.items():
            rel = validate_relative_path(
                key, field_name=field_name, context={"skill_name": self.name, "entry_path": str(key)}
            ).as_posix()
            if rel in normalized:
                raise SkillsConfigError(
                    message=f"duplicate entry path in skill {field_name}",
                    context={"skill_name": self.name, "field": field_name, "entry_path": rel},
                )
            normalized[rel] = entry
        return normalized

    def content_artifact(self) -> BaseEntry:
        if isinstance(self.content, bytes):
            return File(content=self.content)
        if isinstance(self.content, str):
            return File(content=self.content.encode("utf-8"))
        return self.content

    def as_dir_entry(self) -> Dir:
        """The skill as the directory entry a manifest stages: ``SKILL.md`` plus the non-empty subdirectories."""
        children: dict[str | Path, BaseEntry] = {"SKILL.md": self.content_artifact()}
        for name, entries in (("scripts", self.scripts), ("references", self.references), ("assets", self.assets)):
            if entries:
                children[name] = Dir(children=entries)
        return Dir(children=children)
