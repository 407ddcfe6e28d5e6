"""The SDK's ``agents.extensions.memory``: session stores beyond ``SQLiteSession``, each following the ``Session``
protocol, so ``Runner.run(..., session=...)`` takes any of them.

Loaded on first use, as in the SDK: ``RedisSession`` imports ``redis``, ``EncryptedSession`` ``cryptography`` and
``SQLAlchemySession`` ``sqlalchemy`` only when asked for, and a missing package is a ``SessionStoreUnavailableError``
(an ``ImportError``) naming the extra to install. The SDK's stores this package does not support (``DaprSession``,
``MongoDBSession``) raise ``SDKNameNotSupportedError`` (an ``ImportError`` too), naming what to use instead, rather
than being absent names.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ..._sdk_paths import not_supported
from .errors import SessionBranchError, SessionClosedError, SessionSchemaError, SessionStoreUnavailableError

if TYPE_CHECKING:
    from .advanced_sqlite_session import AdvancedSQLiteSession
    from .async_sqlite_session import AsyncSQLiteSession
    from .encrypt_session import EncryptedSession
    from .redis_session import RedisSession
    from .sqlalchemy_session import SQLAlchemySession

_MODULES: dict[str, tuple[str, str | None]] = {
    "AdvancedSQLiteSession": (".advanced_sqlite_session", None),
    "AsyncSQLiteSession": (".async_sqlite_session", None),
    "EncryptedSession": (".encrypt_session", "encrypt"),
    "RedisSession": (".redis_session", "redis"),
    "SQLAlchemySession": (".sqlalchemy_session", "sqlalchemy"),
}
"""Name -> (its module, the extra that installs what the module imports)."""

_INSTEAD = (
    "use SQLiteSession, AsyncSQLiteSession, SQLAlchemySession or RedisSession, or any object with the Session "
    "protocol's methods"
)
_DAPR = f"DaprSession is not supported (it needs a Dapr sidecar): {_INSTEAD}"
_not_supported = not_supported(
    __name__,
    {
        "DaprSession": _DAPR,
        "DAPR_CONSISTENCY_EVENTUAL": _DAPR,
        "DAPR_CONSISTENCY_STRONG": _DAPR,
        "MongoDBSession": f"MongoDBSession is not supported (it needs a MongoDB server): {_INSTEAD}",
    },
)


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        return _not_supported(name)
    module_name, extra = _MODULES[name]
    try:
        module = import_module(module_name, __name__)
    except ModuleNotFoundError as exc:
        if extra is None or (exc.name or "").startswith("agents_otel"):
            raise
        package = (exc.name or "").partition(".")[0]
        message = f"{name} needs the {package!r} package: pip install 'agents_otel[{extra}]'"
        raise SessionStoreUnavailableError(message) from exc
    value = getattr(module, name)
    globals()[name] = value  # the next lookup does not come here
    return value


# The names not supported are left out, so ``from agents_otel.extensions.memory import *`` works.
__all__ = [
    "AdvancedSQLiteSession",
    "AsyncSQLiteSession",
    "EncryptedSession",
    "RedisSession",
    "SQLAlchemySession",
    "SessionBranchError",
    "SessionClosedError",
    "SessionSchemaError",
    "SessionStoreUnavailableError",
]
