"""What applying a manifest produced (the files copied from the host, each with its checksum), and the bounded
gathering that ``SandboxRunConfig.concurrency_limits`` sets for it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar


@dataclass(frozen=True)
class MaterializedFile:
    path: Path
    sha256: str


@dataclass(frozen=True)
class MaterializationResult:
    files: list[MaterializedFile]


_T = TypeVar("_T")


async def gather_in_order(
    factories: Sequence[Callable[[], Awaitable[_T]]], *, max_concurrency: int | None = None
) -> list[_T]:
    """Run each factory's awaitable, at most ``max_concurrency`` at a time (``None``: all at once), and return the
    results in the factories' order. Why workers pulling from a shared index rather than a semaphore around every
    task: no more than ``max_concurrency`` tasks ever exist, however many files a directory holds. The first
    failure cancels the rest and is raised."""
    if max_concurrency is not None and max_concurrency < 1:
        raise ValueError("max_concurrency must be at least 1")
    if not factories:
        return []
    if max_concurrency == 1 or len(factories) == 1:
        return [await factory() for factory in factories]
    results: dict[int, _T] = {}
    pending = iter(enumerate(factories))

    async def worker() -> None:
        for index, factory in pending:  # one shared iterator: each factory runs once
            results[index] = await factory()

    workers = len(factories) if max_concurrency is None else min(max_concurrency, len(factories))
    tasks = [asyncio.ensure_future(worker()) for _ in range(workers)]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return [results[index] for index in range(len(factories))]


_E = TypeVar("_E")


async def apply_in_batches(
    items: Sequence[tuple[Path, _E]],
    apply: Callable[[Path, _E], Awaitable[list[MaterializedFile]]],
    *,
    max_concurrency: int | None,
) -> list[MaterializedFile]:
    """Apply manifest entries up to ``max_concurrency`` at a time, in manifest order where it matters: an entry whose
    destination is, contains or lies in one already queued waits for the queued ones, so a later entry still wins
    over an earlier one at the same place."""
    files: list[MaterializedFile] = []
    batch: list[tuple[Path, _E]] = []

    async def flush() -> None:
        factories = [lambda dest=dest, entry=entry: apply(dest, entry) for dest, entry in batch]
        batch.clear()
        for entry_files in await gather_in_order(factories, max_concurrency=max_concurrency):
            files.extend(entry_files)

    for dest, entry in items:
        if any(dest == queued or queued in dest.parents or dest in queued.parents for queued, _ in batch):
            await flush()
        batch.append((dest, entry))
    await flush()
    return files
