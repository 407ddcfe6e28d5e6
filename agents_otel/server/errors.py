"""Typed errors of the HTTP layer, each carrying the status code and machine-readable ``code`` it is answered with.

Handlers raise these instead of building responses so every 4xx has the same JSON shape
(``{"error": {"code": ..., "message": ...}}``) and callers of :class:`RunRegistry` can catch precisely.
"""

from __future__ import annotations

from typing import Any

from ..exceptions import AgentsOtelError


class ServerError(AgentsOtelError):
    """An error answered with ``status_code`` and ``code``; a subclass names both in its header:
    ``class RunGoneError(ServerError, status_code=410, code="run_gone")``."""

    status_code = 400
    code = "bad_request"

    def __init_subclass__(cls, *, status_code: int | None = None, code: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if status_code is not None:
            cls.status_code = status_code
        if code is not None:
            cls.code = code

    def __init__(self, message: str, *, headers: dict[str, str] | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers or {}

    def to_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.details}}


class InvalidRequestError(ServerError):
    """The body is not JSON, or a header (``Last-Event-ID``) is malformed."""


class InvalidRunInputError(ServerError, status_code=422, code="invalid_input"):
    """The JSON is well-formed but does not describe a run (missing ``input``, wrong type, unknown field)."""


class RunNotFoundError(ServerError, status_code=404, code="run_not_found"):
    """No such run id: never created, or finished longer ago than the retention period."""


class RunFinishedError(ServerError, status_code=409, code="run_finished"):
    """Cancelling a run that has already ended."""


class PausedRunNotFoundError(ServerError, status_code=404, code="paused_run_not_found"):
    """Resuming a run that is not waiting for approvals here: unknown, another principal's, already resumed, not
    stopped for approvals, or kept longer than ``paused_seconds`` (or beyond ``max_paused_runs``)."""


class InvalidDecisionsError(ServerError, status_code=400, code="invalid_decisions"):
    """A resume whose decisions leave a waiting call undecided, name a call that is not waiting, decide one twice,
    name by call id alone a call two nested runs wait on, or give an approval a message; ``undecided``, ``unknown``
    and ``duplicated`` list the calls (a nested one as ``path/call_id``), ``ambiguous`` those call ids."""


class ReplayUnavailableError(ServerError, status_code=410, code="replay_unavailable"):
    """``Last-Event-ID`` points before the oldest event still in the replay buffer, so the missed events are gone.

    410 rather than a partial replay: a client resuming must get exactly what it missed or know it cannot.
    """


class UnauthorizedError(ServerError, status_code=401, code="unauthorized"):
    """No credentials, or credentials the app's ``auth`` refused (``WWW-Authenticate: Bearer`` is sent along)."""


class OriginNotAllowedError(ServerError, status_code=403, code="origin_not_allowed"):
    """A browser request from an ``Origin`` that is neither this server's own nor in ``allowed_origins``."""


class HostNotAllowedError(ServerError, status_code=400, code="host_not_allowed"):
    """The ``Host`` header names a host outside ``allowed_hosts`` (DNS-rebinding protection)."""


class UnsupportedMediaTypeError(ServerError, status_code=415, code="unsupported_media_type"):
    """A request body that is not ``application/json`` (forms and ``text/plain`` are what cross-site pages send)."""


class BodyTooLargeError(ServerError, status_code=413, code="body_too_large"):
    """A request body over ``max_body_bytes``."""


class TooManyRunsError(ServerError, status_code=429, code="too_many_runs"):
    """The principal already has ``max_running_runs_per_principal`` runs going; retry when one ends."""


class ServerBusyError(ServerError, status_code=503, code="server_busy"):
    """The server already has ``max_running_runs`` runs going; retry later (``Retry-After`` is sent along)."""


class ProtocolUnavailableError(ServerError, status_code=501, code="protocol_unavailable"):
    """A UI protocol endpoint whose optional package is not installed (e.g. ``ag-ui-protocol`` for ``/ag-ui``)."""


class BrokerUnavailableError(ServerError, status_code=503, code="broker_unavailable"):
    """The broker replicas share runs through (Redis) cannot be reached, so a new run could not be announced to
    the other replicas, or a run this replica does not own cannot be looked up. Runs already going on here go on."""
