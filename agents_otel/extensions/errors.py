"""The error of an extension whose package is missing or that this package does not offer yet."""

from __future__ import annotations

from ..exceptions import UserError


class ExtensionUnavailableError(UserError, ImportError):
    """A ``UserError`` (this package's rule: bad use is a typed error) and the ``ImportError`` the SDK raises for a
    missing extra, so ``except ImportError`` written for the SDK still catches it. The message says what to
    install, or what to use instead."""


__all__ = ["ExtensionUnavailableError"]
