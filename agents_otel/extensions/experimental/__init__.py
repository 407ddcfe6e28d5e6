"""The SDK's ``agents.extensions.experimental``: the Codex CLI as a tool (``codex``) and the Responses API's hosted
multi-agent beta as a model (``hosted_multi_agent``).

Experimental in the SDK too: names and behaviour follow the SDK version this package mirrors.
"""

from __future__ import annotations

__all__ = ["codex", "hosted_multi_agent"]
