"""The errors of the session stores in :mod:`agents_otel.extensions.memory`.

Each is a ``UserError`` (this package's rule: bad use is a typed error) and also the builtin the SDK raises in the
same place, so ``except RuntimeError`` / ``except ImportError`` written for the SDK still catches it.
"""

from __future__ import annotations

from ...exceptions import UserError
from ..errors import ExtensionUnavailableError


class SessionClosedError(UserError, RuntimeError):
    """An operation on a session store after its ``close()`` (the SDK raises ``RuntimeError``)."""


class SessionBranchError(UserError, ValueError):
    """An ``AdvancedSQLiteSession`` branch or turn that does not exist, a branch name already used, deleting
    ``main`` or the current branch (the SDK raises ``ValueError``)."""


class SessionSchemaError(UserError, ValueError):
    """An ``AdvancedSQLiteSession`` database without its structure tables (``create_tables=False`` on a new file),
    or whose structure tables belong to other base tables (the SDK raises ``ValueError``)."""


class SessionStoreUnavailableError(ExtensionUnavailableError):
    """Importing a session store whose package is not installed (the message names the extra to install), or one
    this package does not offer yet (the message says what to use instead). An ``ImportError``, as the SDK raises
    for a missing extra."""


__all__ = ["SessionBranchError", "SessionClosedError", "SessionSchemaError", "SessionStoreUnavailableError"]
