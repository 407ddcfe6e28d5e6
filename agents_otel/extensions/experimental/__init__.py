"""The SDK's ``agents.extensions.experimental``: the Codex CLI as a tool (``codex``); ``hosted_multi_agent`` is not
offered yet (importing it is an ``ExtensionUnavailableError``, an ``ImportError``).

Experimental in the SDK too: names and behaviour follow the SDK version this package mirrors.
"""

from __future__ import annotations

__all__ = ["codex", "hosted_multi_agent"]
