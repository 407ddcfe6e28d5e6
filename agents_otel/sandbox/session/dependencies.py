"""``Dependencies``: the runtime-only objects a session's parts ask for by key (a ``RemoteSnapshot``'s storage
client, ...), as values or lazy factories.

A client holds a template and each session gets a clone, so one session's cached factory results and owned
resources never leak into another; ``aclose()`` closes the results the session owns.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Self, cast

DependencyKey = str
FactoryFn = Callable[["Dependencies"], object | Awaitable[object]]


class DependenciesError(RuntimeError):
    pass


class DependenciesBindingError(DependenciesError, ValueError):
    pass


class DependenciesMissingDependencyError(DependenciesError, LookupError):
    pass


@dataclass(frozen=True)
class _Factory:
    factory: FactoryFn
    cache: bool
    owns_result: bool


async def _close_quietly(value: object) -> None:
    for name in ("aclose", "close"):
        close = getattr(value, name, None)
        if callable(close):
            try:
                result = close()
                if inspect.isawaitable(result):
                    await cast(Awaitable[object], result)
            except Exception:  # closing owned resources is best effort, as the SDK's is
                pass
            return


class Dependencies:
    def __init__(self) -> None:
        self._bindings: dict[DependencyKey, object | _Factory] = {}
        self._cache: dict[DependencyKey, object] = {}
        self._locks: dict[DependencyKey, asyncio.Lock] = {}
        self._owned: list[object] = []
        self._closed = False

    @classmethod
    def with_values(cls, values: Mapping[DependencyKey, object]) -> Dependencies:
        dependencies = cls()
        for key, value in values.items():
            dependencies.bind_value(key, value)
        return dependencies

    def bind_value(self, key: DependencyKey, value: object, *, overwrite: bool = False) -> Self:
        self._bind(key, value, overwrite)
        return self

    def bind_factory(
        self, key: DependencyKey, factory: FactoryFn, *, cache: bool = True, overwrite: bool = False,
        owns_result: bool = False,
    ) -> Self:  # fmt: skip
        if not callable(factory):
            raise DependenciesBindingError(f"the factory of `{key}` must be callable")
        self._bind(key, _Factory(factory, cache, owns_result), overwrite)
        return self

    def _bind(self, key: DependencyKey, binding: object, overwrite: bool) -> None:
        if not key:
            raise ValueError("Dependency key must be non-empty")
        if key in self._bindings and not overwrite:
            raise DependenciesBindingError(f"Dependency `{key}` is already bound")
        self._bindings[key] = binding
        self._cache.pop(key, None)

    def clone(self) -> Dependencies:
        """The same bindings with a fresh cache and no owned results."""
        cloned = Dependencies()
        cloned._bindings = dict(self._bindings)
        return cloned

    async def get(self, key: DependencyKey) -> object | None:
        if key not in self._bindings:
            return None
        binding = self._bindings[key]
        if not isinstance(binding, _Factory):
            return binding
        if self._closed:
            raise DependenciesError(f"Dependencies container is closed; cannot resolve `{key}`")
        if not binding.cache:
            return await self._make(binding)
        async with self._locks.setdefault(key, asyncio.Lock()):  # one factory call per key, however many ask
            if key not in self._cache:
                self._cache[key] = await self._make(binding)
            return self._cache[key]

    async def _make(self, binding: _Factory) -> object:
        value = binding.factory(self)
        if inspect.isawaitable(value):
            value = await cast(Awaitable[object], value)
        if binding.owns_result:
            self._owned.append(value)
        return value

    async def require(self, key: DependencyKey, *, consumer: str | None = None) -> object:
        value = await self.get(key)
        if value is None:
            who = f" for {consumer}" if consumer else ""
            raise DependenciesMissingDependencyError(
                f"Missing dependency `{key}`{who}: bind it on a Dependencies passed as the sandbox client's "
                "`dependencies=`"
            )
        return value

    async def aclose(self) -> None:
        self._closed = True
        owned, self._owned = self._owned, []
        for value in reversed(owned):
            await _close_quietly(value)
        self._cache.clear()
