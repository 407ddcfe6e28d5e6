"""What environment a ``UnixLocalSandboxClient`` session's commands see: this process's, or only an allowlist of
it, then the manifest's ``environment`` on top — as the SDK (0.24) decides it.

Why it matters: by default (as in the SDK) a command inherits every variable of the application, API keys
included; ``UnixLocalSandboxClient(inherit_host_environment=False)`` keeps only the variables a shell needs
(``PATH``, the locale, the terminal, certificate paths...) or those of ``host_environment_allowlist``. The policy
is the client's: a session it creates or resumes takes it, and no session state or manifest can change it. It is
not an isolation boundary (commands still run as this user).
"""

from __future__ import annotations

import os
from collections.abc import Collection

HOST_ENVIRONMENT_ALLOWLIST = frozenset(
    {
        "PATH", "LANG", "LC_ALL", "LC_COLLATE", "LC_CTYPE", "LC_MESSAGES", "LC_MONETARY", "LC_NUMERIC", "LC_TIME",
        "TZ", "TERM", "TMPDIR", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS",
        "UV_PYTHON", "NO_COLOR", "FORCE_COLOR", "CI",
    }
)  # fmt: skip
"""The host variables kept by default when the host environment is not inherited: the SDK's list."""


def host_environment_policy(
    inherit_host_environment: bool, host_environment_allowlist: Collection[str] | None
) -> frozenset[str] | None:
    """The client's policy: ``None`` (inherit everything) or the variable names kept. An allowlist with
    inheritance on is a ``ValueError`` (it would be ignored), a single string a ``TypeError`` (it would be read
    as letters), as in the SDK."""
    if inherit_host_environment and host_environment_allowlist is not None:
        raise ValueError("host_environment_allowlist requires inherit_host_environment=False")
    if isinstance(host_environment_allowlist, str | bytes):
        raise TypeError("host_environment_allowlist must be a collection of variable names, not a string")
    if inherit_host_environment:
        return None
    names = HOST_ENVIRONMENT_ALLOWLIST if host_environment_allowlist is None else host_environment_allowlist
    kept = frozenset(names)
    bad = sorted(repr(name) for name in kept if not isinstance(name, str))
    if bad:
        raise TypeError(f"host_environment_allowlist must hold variable names (str), got {', '.join(bad)}")
    return kept


def host_environment(policy: frozenset[str] | None) -> dict[str, str]:
    """This process's variables a command starts with under ``policy``."""
    if policy is None:
        return dict(os.environ)
    return {name: value for name, value in os.environ.items() if name in policy}


__all__ = ["HOST_ENVIRONMENT_ALLOWLIST", "host_environment", "host_environment_policy"]
