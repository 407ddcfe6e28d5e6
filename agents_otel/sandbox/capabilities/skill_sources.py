"""Lazily staged skills: a ``LazySkillSource`` lists skills for the prompt without putting them in the workspace, and
stages one when the model asks for it with the ``load_skill`` tool. ``LocalDirLazySkillSource`` is the one built in:
a directory of this machine with one subdirectory (holding a ``SKILL.md``) per skill.

Why a host source must be granted: the model chooses which skill to load, so the source directory is read on the
model's behalf; it has to be under the process's working directory or under one of the manifest's
``extra_path_grants`` (its ``host_path``, else its ``path``), as the SDK requires. A source that is not (or is
missing, or reached through a symlink) lists no skills and refuses ``load_skill`` with a ``SkillsConfigError``.
Symlinked skill directories are not listed, and a symlink inside a skill is a ``LocalDirReadError``.
"""

from __future__ import annotations

import abc
import asyncio
import io
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel

from ...tool import FunctionTool
from ..entries import LocalDir
from ..errors import LocalDirReadError, SkillsConfigError, WorkspaceReadNotFoundError
from ..types import User
from ..workspace_paths import SandboxPathGrant
from .skill_models import SkillMetadata, metadata_from_markdown

if TYPE_CHECKING:
    from ..session.base_sandbox_session import BaseSandboxSession
    from .skills import Skills


class LazySkillSource(BaseModel, abc.ABC):
    """Where lazily staged skills come from: subclass it for a source of your own."""

    @abc.abstractmethod
    def list_skill_metadata(
        self, *, skills_path: str, source_grants: tuple[SandboxPathGrant, ...] = ()
    ) -> list[SkillMetadata]:
        """The skills this source offers, with their paths under ``skills_path`` (not staged yet)."""

    @abc.abstractmethod
    async def load_skill(
        self, *, skill_name: str, session: BaseSandboxSession, skills_path: str, user: str | User | None = None
    ) -> dict[str, str]:
        """Stage one skill in ``session`` and say so (``status``, ``skill_name``, ``path``)."""


def _absolute(path: Path) -> Path:
    return Path(os.path.normpath(path if path.is_absolute() else Path.cwd() / path))


def _is_under(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _has_symlink(path: Path) -> bool:
    current = Path(path.anchor)
    for part in path.parts[1:]:
        current = current / part
        if current.is_symlink():
            return True
    return False


def _list_files(root: Path) -> list[Path]:
    """A skill directory's regular files (relative); any symlink in it is refused, so nothing outside is copied."""
    found: list[Path] = []
    for current, dirs, files in os.walk(root, followlinks=False):
        for name in [*dirs, *files]:
            path = Path(current) / name
            if path.is_symlink():
                raise LocalDirReadError(src=root, context={"reason": "symlink_not_supported", "child": str(path)})
            if name in files and path.is_file():
                found.append(path.relative_to(root))
    return sorted(found)


class LocalDirLazySkillSource(LazySkillSource):
    """Skills in a directory of this machine (``source.src``), staged one at a time with ``source``'s permissions
    and group."""

    source: LocalDir

    def _src_root(self, *, source_grants: tuple[SandboxPathGrant, ...] = ()) -> Path | None:
        if self.source.src is None:
            return None
        src = _absolute(self.source.src)
        roots = [Path.cwd(), *(Path(grant.host_path or grant.path) for grant in source_grants)]
        if not any(_is_under(src, _absolute(root)) for root in roots) or _has_symlink(src):
            return None
        return src if src.is_dir() else None

    def list_skill_metadata(
        self, *, skills_path: str, source_grants: tuple[SandboxPathGrant, ...] = ()
    ) -> list[SkillMetadata]:
        src_root = self._src_root(source_grants=source_grants)
        if src_root is None:
            return []
        found: list[SkillMetadata] = []
        for child in sorted(src_root.iterdir(), key=lambda entry: entry.name):
            skill_md = child / "SKILL.md"
            try:
                if not stat.S_ISDIR(child.lstat().st_mode) or not stat.S_ISREG(skill_md.lstat().st_mode):
                    continue
                markdown = skill_md.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # not a skill directory: the index lists skills, not every entry of the source
            found.append(metadata_from_markdown(markdown, dir_name=child.name, path=Path(skills_path) / child.name))
        return found

    async def load_skill(
        self, *, skill_name: str, session: BaseSandboxSession, skills_path: str, user: str | User | None = None
    ) -> dict[str, str]:
        grants = session.state.manifest.extra_path_grants
        src_root = self._src_root(source_grants=grants)
        if src_root is None:
            raise SkillsConfigError(
                message="lazy skill source directory is unavailable",
                context={"skill_name": skill_name, "src": str(self.source.src)},
            )
        skills = await asyncio.to_thread(self.list_skill_metadata, skills_path=skills_path, source_grants=grants)
        matches = [skill for skill in skills if skill_name in (skill.name, skill.path.name)]
        if not matches:
            raise SkillsConfigError(
                message="lazy skill not found", context={"skill_name": skill_name, "skills_path": skills_path}
            )
        if len(matches) > 1:
            raise SkillsConfigError(
                message="lazy skill name is ambiguous",
                context={"skill_name": skill_name, "matching_paths": [str(skill.path) for skill in matches]},
            )
        metadata = matches[0]
        dest = Path(session.state.manifest.root) / metadata.path
        result = {"skill_name": metadata.name, "path": metadata.path.as_posix()}
        if await _exists(session, dest / "SKILL.md", user):
            return {"status": "already_loaded", **result}
        await self._stage(session, src_root / metadata.path.name, dest, user)
        return {"status": "loaded", **result}

    async def _stage(self, session: BaseSandboxSession, src: Path, dest: Path, user: str | User | None) -> None:
        """Copy one skill directory as ``user``, then give it the source entry's permissions and group."""
        try:
            files = await asyncio.to_thread(_list_files, src)
        except OSError as error:
            raise LocalDirReadError(src=src, cause=error) from error
        await session.mkdir(dest, parents=True, user=user)
        for rel in files:
            try:
                data = await asyncio.to_thread((src / rel).read_bytes)
            except OSError as error:
                raise LocalDirReadError(src=src, context={"child": rel.as_posix()}, cause=error) from error
            if rel.parent != Path("."):
                await session.mkdir(dest / rel.parent, parents=True, user=user)
            await session.write(dest / rel, io.BytesIO(data), user=user)
        # The configured entry is never repointed: a copy carries its permissions and group to this skill.
        await self.source.model_copy(update={"src": src}, deep=True)._apply_metadata(session, dest)


async def _exists(session: BaseSandboxSession, path: Path, user: str | User | None) -> bool:
    """Whether a file is there, by reading it: a missing file is the expected answer; any other failure is raised."""
    try:
        handle = await session.read(path, user=user)
    except (FileNotFoundError, WorkspaceReadNotFoundError):
        return False
    handle.close()
    return True


class LoadSkillArgs(BaseModel):
    skill_name: str


class LoadSkillTool(FunctionTool):
    """``load_skill``: the model stages one lazily configured skill before reading its files."""

    tool_name: ClassVar[str] = "load_skill"
    args_model: ClassVar[type[LoadSkillArgs]] = LoadSkillArgs
    tool_description: ClassVar[str] = (
        "Stage one skill from the skill index in the sandbox workspace, so its SKILL.md and its scripts, references "
        "and assets can be read there. Call it once per skill, before opening the skill's files."
    )

    def __init__(self, *, skills: Skills) -> None:
        self.skills = skills
        super().__init__(
            name=self.tool_name,
            description=self.tool_description,
            params_json_schema=self.args_model.model_json_schema(),
            on_invoke_tool=self._invoke,
            strict_json_schema=False,
        )

    async def _invoke(self, ctx: Any, raw_input: str) -> dict[str, str]:
        _ = ctx
        return await self.run(self.args_model.model_validate_json(raw_input))

    async def run(self, args: LoadSkillArgs) -> dict[str, str]:
        return await self.skills.load_skill(args.skill_name)

