"""The HTTP client an MCP HTTP transport talks through: ``params["httpx_client_factory"]`` and ``params["auth"]``.

As in the SDK, a factory has the ``mcp`` package's ``McpHttpClientFactory`` shape, ``(headers, timeout, auth) ->
AsyncClient``, and is called once per connection with the server's ``headers``, its timeouts (``timeout`` for
connect / write / pool, ``sse_read_timeout`` for reads) and ``auth``. The client must be of the HTTP package the
installed ``mcp`` speaks: ``httpx2`` for mcp 2.x, ``httpx`` for 1.x; anything else is a ``UserError`` naming it,
never a failure deep inside the transport.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, Protocol

from ..exceptions import UserError
from . import _sdk

HTTP_PACKAGE = "httpx2" if _sdk.MCP_MAJOR >= 2 else "httpx"
"""The HTTP package of the installed ``mcp``'s transports."""

_http: Any = importlib.import_module(HTTP_PACKAGE)


class HttpClientFactory(Protocol):
    """The SDK's ``agents.mcp.util.HttpClientFactory``: makes the ``AsyncClient`` of one HTTP connection.

    ``timeout`` is an ``httpx2.Timeout`` (mcp 2.x) or ``httpx.Timeout`` (1.x), ``auth`` the ``params["auth"]``
    (``None`` without one); return an ``httpx2.AsyncClient`` / ``httpx.AsyncClient`` accordingly. The transport
    enters and closes it.
    """

    def __call__(self, headers: dict[str, str] | None = None, timeout: Any = None, auth: Any = None) -> Any: ...


def check_params(owner: str, params: Mapping[str, Any]) -> None:
    """Refuse, when the server is built, an ``auth`` or ``httpx_client_factory`` that could never work."""
    auth = params.get("auth")
    if auth is not None and not isinstance(auth, _http.Auth):
        raise UserError(
            f"{owner}(params=...): 'auth' must be an {HTTP_PACKAGE}.Auth (the HTTP package of the installed mcp "
            f"{_sdk.MCP_VERSION}), got {type(auth).__module__}.{type(auth).__qualname__}; or set an Authorization "
            "header in 'headers'"
        )
    if "httpx_client_factory" in params and not callable(params["httpx_client_factory"]):
        raise UserError(
            f"{owner}(params=...): 'httpx_client_factory' must be a callable (headers, timeout, auth) -> "
            f"{HTTP_PACKAGE}.AsyncClient, got {params['httpx_client_factory']!r}"
        )


def client_factory(params: Mapping[str, Any]) -> HttpClientFactory:
    """The factory a transport calls: the user's (its result checked) or the ``mcp`` package's default."""
    given: HttpClientFactory | None = params.get("httpx_client_factory")
    if given is None:
        default: HttpClientFactory = importlib.import_module("mcp.shared._httpx_utils").create_mcp_http_client
        return default
    user_factory: HttpClientFactory = given

    def make(headers: dict[str, str] | None = None, timeout: Any = None, auth: Any = None) -> Any:
        client = user_factory(headers=headers, timeout=timeout, auth=auth)
        if not isinstance(client, _http.AsyncClient):
            if hasattr(client, "aclose") and hasattr(client, "__aenter__"):  # an httpx client of the other major
                detail = f"{type(client).__module__}.{type(client).__qualname__}"
            else:
                detail = repr(client)
            raise UserError(
                f"httpx_client_factory must return an {HTTP_PACKAGE}.AsyncClient (the HTTP package of the installed "
                f"mcp {_sdk.MCP_VERSION}), got {detail}"
            )
        return client

    return make

