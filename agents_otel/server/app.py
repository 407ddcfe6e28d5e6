"""The ASGI app: start runs, watch them as Server-Sent Events, cancel them.

A plain Starlette app so it mounts into any Starlette or FastAPI app (``api.mount("/agent", create_app(agent))``)
and its routes know nothing of the host's. Mounted apps do not get lifespan events, so nothing here depends on
startup; on shutdown the host should ``await app.runs.aclose()`` and then ``await app.broker.aclose()`` (the
standalone app does both itself).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..run import DEFAULT_MAX_TURNS
from ..run_config import RunConfig
from .broker import DEFAULT_LEASE_SECONDS, RunBroker, make_broker
from .errors import InvalidRequestError, InvalidRunInputError, RunNotFoundError, ServerError
from .replay_buffer import DEFAULT_REPLAY_BUFFER_SIZE
from .run_registry import DEFAULT_RETENTION_SECONDS, AgentSource, RunRegistry, new_run_id
from .sse import parse_last_event_id, watch_response
from .trace_parent import run_parent_context

DEFAULT_TRACE_URL_TEMPLATE = "http://localhost:16686/trace/{trace_id}"
"""Jaeger's UI at its default address; ``{trace_id}`` and ``{span_id}`` are replaced by the page."""


class RunRequest(BaseModel):
    """The body of ``POST /runs``. Strict and closed, so a typo'd field is an error rather than ignored."""

    model_config = ConfigDict(extra="forbid", strict=True)
    input: str = Field(min_length=1)


class AgentServerApp(Starlette):
    """The app ``create_app`` returns; ``runs`` is its registry (for shutdown, or to inspect runs), ``broker``
    what it shares runs with other replicas through (in-process unless ``broker=`` was given)."""

    runs: RunRegistry
    broker: RunBroker
    trace_url_template: str


def create_app(
    agent: AgentSource,
    *,
    run_config: RunConfig | None = None,
    max_turns: int = DEFAULT_MAX_TURNS,
    replay_buffer_size: int = DEFAULT_REPLAY_BUFFER_SIZE,
    retention_seconds: float = DEFAULT_RETENTION_SECONDS,
    trace_url_template: str = DEFAULT_TRACE_URL_TEMPLATE,
    registry: RunRegistry | None = None,
    broker: str | RunBroker | None = None,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
) -> AgentServerApp:
    """An app serving ``agent`` (or a zero-argument factory called once per run).

    ``replay_buffer_size``: events kept per run for late and reconnecting watchers. ``retention_seconds``: how
    long a finished run stays readable. ``registry`` replaces the one built from those (tests pass one with a
    fake clock). ``broker``: a ``redis://HOST:PORT/DB`` URL to run several replicas of this app behind one load
    balancer (each answers for every run; docs/server.md "Running several replicas"), with the owner's lease on
    each of its runs lasting ``lease_seconds``.
    """
    runs = (
        registry
        if registry is not None
        else RunRegistry(
            agent,
            run_config=run_config,
            max_turns=max_turns,
            replay_buffer_size=replay_buffer_size,
            retention_seconds=retention_seconds,
        )
    )
    shared = make_broker(
        broker,
        lease_seconds=lease_seconds,
        replay_buffer_size=runs.replay_buffer_size,
        retention_seconds=runs.retention_seconds,
    )
    shared.bind(runs)
    principal = None  # until runs are bound to a principal, every run belongs to the anonymous one

    async def start_run(request: Request) -> Response:
        body = await _run_request(request)
        run_id = new_run_id()
        await shared.open_run(run_id, principal)  # 503 before anything runs if the other replicas cannot know
        run = runs.start(body.input, run_parent_context(request.headers), run_id=run_id)
        shared.publish(run, principal)
        await run.ready.wait()  # a few loop turns: the run's first event, so the answer carries its trace id
        events_url = request.url_for("run_events", run_id=run.id).path
        return JSONResponse(
            {"id": run.id, "trace_id": run.trace_id, "events_url": events_url},
            status_code=201,
            headers={"Location": request.url_for("run_status", run_id=run.id).path},
        )

    async def run_events(request: Request) -> Response:
        run_id = request.path_params["run_id"]
        last_event_id = parse_last_event_id(request.headers.get("last-event-id"))
        try:
            buffer = runs.get(run_id).buffer
        except RunNotFoundError as missing:  # not started here: another replica's, if the broker knows it
            buffer = await shared.replay(run_id, principal, last_event_id, missing)
        return watch_response(buffer, last_event_id)

    async def run_status(request: Request) -> Response:
        run_id = request.path_params["run_id"]
        try:
            return JSONResponse(runs.get(run_id).to_json())
        except RunNotFoundError as missing:
            return JSONResponse(await shared.status(run_id, principal, missing))

    async def cancel_run(request: Request) -> Response:
        run_id = request.path_params["run_id"]
        try:
            runs.cancel(run_id)
        except RunNotFoundError as missing:
            await shared.cancel(run_id, principal, missing)
        return JSONResponse({"id": run_id, "status": "cancelling"}, status_code=202)

    async def config(request: Request) -> Response:
        return JSONResponse({"trace_url_template": trace_url_template, "replay_buffer_size": runs.replay_buffer_size})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await runs.aclose()
        await shared.aclose()

    app = AgentServerApp(
        routes=[
            Route("/runs", start_run, methods=["POST"], name="start_run"),
            Route("/runs/{run_id}", run_status, methods=["GET"], name="run_status"),
            Route("/runs/{run_id}/events", run_events, methods=["GET"], name="run_events"),
            Route("/runs/{run_id}/cancel", cancel_run, methods=["POST"], name="cancel_run"),
            Route("/config", config, methods=["GET"], name="config"),
        ],
        exception_handlers={ServerError: _server_error, HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.runs = runs
    app.broker = shared
    app.trace_url_template = trace_url_template
    return app


async def _run_request(request: Request) -> RunRequest:
    raw = await request.body()
    try:
        return RunRequest.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        if any(e["type"] == "json_invalid" for e in errors):
            raise InvalidRequestError('the body must be a JSON object like {"input": "..."}') from None
        raise InvalidRunInputError(
            "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in errors),
            fields=[{"loc": list(e["loc"]), "type": e["type"], "message": e["msg"]} for e in errors],
        ) from None


async def _server_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServerError)
    return JSONResponse(exc.to_json(), status_code=exc.status_code)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 in the same JSON shape as ours."""
    assert isinstance(exc, HTTPException)
    body: dict[str, Any] = {"error": {"code": _HTTP_CODES.get(exc.status_code, "http_error"), "message": exc.detail}}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}
