"""The SDK's ``agents.util`` path, kept so an import of the package itself does not fail.

In the SDK it is a package of private helper modules (``agents.util._json``, ...), none for users; it has no names.
"""

from __future__ import annotations

__all__: list[str] = []
