"""The ASGI app: start runs, watch them as Server-Sent Events, cancel them.

A plain Starlette app so it mounts into any Starlette or FastAPI app (``api.mount("/agent", create_app(agent))``)
and its routes know nothing of the host's. Mounted apps do not get lifespan events, so nothing here depends on
startup; on shutdown the host should ``await app.runs.aclose()`` and then ``await app.broker.aclose()`` (the
standalone app does both itself).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

import anyio
from opentelemetry.context import Context
from pydantic import BaseModel, ConfigDict, Field
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..items import ConversationItem
from ..run import DEFAULT_MAX_TURNS
from ..run_config import RunConfig
from . import access_log
from .access import (
    DEFAULT_ALLOWED_HOSTS,
    DEFAULT_MAX_BODY_BYTES,
    AccessMiddleware,
    AccessPolicy,
    is_stream_grant,
    principal_of,
)
from .auth import DEFAULT_STREAM_TOKEN_SECONDS, AuthFunction, StreamTokens, resolve_auth
from .broker import DEFAULT_LEASE_SECONDS, RunBroker, make_broker
from .errors import PausedRunNotFoundError, RunNotFoundError, ServerError
from .event_size import DEFAULT_MAX_EVENT_BYTES
from .paused_runs import DEFAULT_MAX_PAUSED_RUNS, DEFAULT_PAUSED_SECONDS, Decision, PausedEntry, check_decisions
from .protocol_routes import ag_ui_handler, ai_sdk_handler
from .replay_buffer import DEFAULT_REPLAY_BUFFER_BYTES, DEFAULT_REPLAY_BUFFER_SIZE
from .request_json import parse_body
from .run_registry import (
    DEFAULT_MAX_RETAINED_RUNS,
    DEFAULT_MAX_RUNNING_RUNS,
    DEFAULT_RETENTION_SECONDS,
    AgentSource,
    RunRegistry,
    ServedRun,
    new_run_id,
)
from .run_trace import RecentTraces, run_trace_handler
from .sse import DEFAULT_SEND_TIMEOUT, DEFAULT_SHUTDOWN_GRACE, parse_last_event_id, watch_response
from .trace_parent import run_parent_context

DEFAULT_TRACE_URL_TEMPLATE = "http://localhost:16686/trace/{trace_id}"
"""Jaeger's UI at its default address, for ``trace_url_template`` (``{trace_id}`` and ``{span_id}`` are replaced by
the page). Not the default: without a template the app serves each run's spans itself (``/runs/{id}/trace``)."""


class RunRequest(BaseModel):
    """The body of ``POST /runs``. Strict and closed, so a typo'd field is an error rather than ignored."""

    model_config = ConfigDict(extra="forbid", strict=True)
    input: str = Field(min_length=1)


class DecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    call_id: str = Field(min_length=1)
    approve: bool
    message: str | None = None
    always: bool = False
    path: list[str] | None = None


class ResumeRequest(BaseModel):
    """The body of ``POST /runs/{id}/resume``: one decision per waiting call."""

    model_config = ConfigDict(extra="forbid", strict=True)
    decisions: list[DecisionBody]


class AgentServerApp(Starlette):
    """The app ``create_app`` returns; ``runs`` is its registry (for shutdown, or to inspect runs), ``access``
    the policy its :class:`AccessMiddleware` enforces (endpoints added to the app use ``principal_of`` and
    ``access.stream_url``), ``broker`` what it shares runs with other replicas through (in-process unless
    ``broker=`` was given)."""

    runs: RunRegistry
    access: AccessPolicy
    broker: RunBroker
    trace_url_template: str | None
    traces: RecentTraces


def create_app(
    agent: AgentSource,
    *,
    run_config: RunConfig | None = None,
    max_turns: int = DEFAULT_MAX_TURNS,
    replay_buffer_size: int = DEFAULT_REPLAY_BUFFER_SIZE,
    replay_buffer_bytes: int = DEFAULT_REPLAY_BUFFER_BYTES,
    max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
    retention_seconds: float = DEFAULT_RETENTION_SECONDS,
    trace_url_template: str | None = None,
    registry: RunRegistry | None = None,
    auth: AuthFunction | None = None,
    auth_token: str | None = None,
    allowed_hosts: Sequence[str] = DEFAULT_ALLOWED_HOSTS,
    allowed_origins: Sequence[str] = (),
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_running_runs: int = DEFAULT_MAX_RUNNING_RUNS,
    max_running_runs_per_principal: int | None = None,
    max_retained_runs: int = DEFAULT_MAX_RETAINED_RUNS,
    paused_seconds: float = DEFAULT_PAUSED_SECONDS,
    max_paused_runs: int = DEFAULT_MAX_PAUSED_RUNS,
    stream_token_seconds: float = DEFAULT_STREAM_TOKEN_SECONDS,
    stream_token_key: bytes | None = None,
    send_timeout: float | None = DEFAULT_SEND_TIMEOUT,
    shutdown_grace_seconds: float = DEFAULT_SHUTDOWN_GRACE,
    broker: str | RunBroker | None = None,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
) -> AgentServerApp:
    """An app serving ``agent`` (or a zero-argument factory called once per run).

    ``replay_buffer_size``: events kept per run for late and reconnecting watchers. ``retention_seconds``: how
    long a finished run stays readable. ``registry`` replaces the one built from those (tests pass one with a
    fake clock). Who may use the app and how much it holds: see "Security" in docs/server.md. ``broker``: a
    ``redis://HOST:PORT/DB`` URL to run several replicas of this app behind one load balancer (each answers for
    every run; docs/server.md "Running several replicas"), the owner's lease on each of its runs lasting
    ``lease_seconds``. ``paused_seconds`` / ``max_paused_runs``: how long and how many runs stopped for tool
    approvals are kept to be resumed (``POST /runs/{id}/resume``).
    """
    access_log.install()  # under any uvicorn, its INFO access log names no run id and no stream token
    auth_function, token = resolve_auth(auth, auth_token)
    if token is not None:
        stream_tokens = StreamTokens.from_secret(token, stream_token_seconds)
    else:
        stream_tokens = StreamTokens(key=stream_token_key, seconds=stream_token_seconds)
    access = AccessPolicy(
        auth=auth_function,
        stream_tokens=stream_tokens,
        allowed_hosts=allowed_hosts,
        allowed_origins=allowed_origins,
        max_body_bytes=max_body_bytes,
    )
    runs = (
        registry
        if registry is not None
        else RunRegistry(
            agent,
            run_config=run_config,
            max_turns=max_turns,
            replay_buffer_size=replay_buffer_size,
            replay_buffer_bytes=replay_buffer_bytes,
            max_event_bytes=max_event_bytes,
            retention_seconds=retention_seconds,
            max_running_runs=max_running_runs,
            max_running_runs_per_principal=max_running_runs_per_principal,
            max_retained_runs=max_retained_runs,
            paused_seconds=paused_seconds,
            max_paused_runs=max_paused_runs,
        )
    )

    protocol_streams = {"send_timeout": send_timeout, "shutdown_grace": shutdown_grace_seconds}
    traces = RecentTraces()
    if trace_url_template is None:
        runs.add_span_processor(traces)

    shared = make_broker(broker, lease_seconds=lease_seconds)
    shared.bind(runs)

    async def launch(
        input: str | list[ConversationItem],
        parent: Context | None,
        principal: str,
        conversation_id: str | None,
        resume: tuple[PausedEntry, list[Decision]] | None = None,
    ) -> ServedRun:
        """Every way of starting a run goes through here, so each run is announced to the broker before it
        starts (``503`` if it cannot be: nothing runs unannounced) and published once it has. ``resume``: a
        paused run taken from the registry, put back if the new run cannot start."""
        try:
            runs.check_capacity(principal)  # refuse before announcing anything
            run_id = new_run_id()
            await shared.open_run(run_id, principal)
            run = runs.start(
                input, parent, principal=principal, conversation_id=conversation_id, run_id=run_id, resume=resume
            )
        except BaseException:
            if resume is not None:
                runs.paused.keep(resume[0])
            raise
        shared.publish(run, principal)
        return run

    async def take_paused(
        run_id: str, principal: str, decisions: list[Decision], conversation_id: str | None
    ) -> PausedEntry:
        """The paused run to resume, checked against ``decisions`` before it is taken (a 400 leaves it kept)."""
        try:
            entry = runs.paused.get(run_id, principal)
        except PausedRunNotFoundError as missing:  # stopped on another replica: the broker may hold its state
            entry = await shared.paused(run_id, principal, missing)
            runs.paused.keep(entry)
        if conversation_id is not None and entry.conversation_id != conversation_id:
            raise PausedRunNotFoundError(f"paused run {run_id!r} was not started on thread {conversation_id!r}")
        check_decisions(entry, decisions)
        return runs.paused.take(run_id, principal)

    async def resume(
        principal: str, decisions: list[Decision], paused_id: str | None, conversation_id: str | None
    ) -> ServedRun:
        """Every resume goes through here (``/runs/{id}/resume`` and the UI protocols'): the paused run
        ``paused_id``, or when ``None`` the caller's run paused last on the thread ``conversation_id``, taken once
        and started again with ``decisions`` as a new run of the same principal, conversation and trace."""
        if paused_id is None:
            if conversation_id is None:
                raise PausedRunNotFoundError("no paused run named to resume")
            paused_id = runs.paused.latest_of(conversation_id, principal)
        entry = await take_paused(paused_id, principal, decisions, conversation_id)
        await shared.forget_paused(paused_id)
        return await launch("", None, principal, entry.conversation_id, (entry, decisions))

    def events_url(request: Request, run_id: str, principal: str) -> str:
        path = request.url_for("run_events", run_id=run_id).path
        if is_stream_grant(request):  # a stream token must not mint fresh ones: its lifetime stays bounded
            return path
        return access.stream_url(path, run_id, principal)

    async def start_run(request: Request) -> Response:
        principal = principal_of(request)
        body = await _run_request(request)
        run = await launch(body.input, run_parent_context(request.headers), principal, None)
        await run.ready.wait()  # a few loop turns: the run's first event, so the answer carries its trace id
        return JSONResponse(
            {"id": run.id, "trace_id": run.trace_id, "events_url": events_url(request, run.id, principal)},
            status_code=201,
            headers={"Location": request.url_for("run_status", run_id=run.id).path},
        )

    async def run_events(request: Request) -> Response:
        run_id = request.path_params["run_id"]
        principal = principal_of(request, run_id)
        last_event_id = parse_last_event_id(request.headers.get("last-event-id"))
        try:
            buffer = runs.get(run_id, principal).buffer
        except RunNotFoundError as missing:  # not started here: another replica's, if the broker knows it
            buffer = await shared.replay(run_id, principal, last_event_id, missing)
        return watch_response(
            buffer,
            last_event_id,
            send_timeout=send_timeout,
            on_shutdown=runs.cancel_all,
            shutdown_grace=shutdown_grace_seconds,
        )

    async def run_status(request: Request) -> Response:
        run_id = request.path_params["run_id"]
        principal = principal_of(request, run_id)
        try:
            answer = runs.get(run_id, principal).to_json()
        except RunNotFoundError as missing:
            answer = await shared.status(run_id, principal, missing)
        return JSONResponse({**answer, "events_url": events_url(request, run_id, principal)})

    async def resume_run(request: Request) -> Response:
        paused_id = request.path_params["run_id"]
        principal = principal_of(request)
        body = parse_body(
            ResumeRequest,
            await request.body(),
            not_json='the body must be a JSON object like {"decisions": [{"call_id": "...", "approve": true}]}',
        )
        decisions = [
            Decision(d.call_id, d.approve, d.message, d.always, None if d.path is None else tuple(d.path))
            for d in body.decisions
        ]
        run = await resume(principal, decisions, paused_id, None)
        await run.ready.wait()
        return JSONResponse(
            {
                "id": run.id,
                "resumed_from": paused_id,
                "trace_id": run.trace_id,
                "events_url": events_url(request, run.id, principal),
            },
            status_code=201,
            headers={"Location": request.url_for("run_status", run_id=run.id).path},
        )

    async def cancel_run(request: Request) -> Response:
        run_id = request.path_params["run_id"]
        principal = principal_of(request)
        try:
            runs.cancel(run_id, principal)
        except RunNotFoundError as missing:
            await shared.cancel(run_id, principal, missing)
        return JSONResponse({"id": run_id, "status": "cancelling"}, status_code=202)

    async def config(request: Request) -> Response:
        return JSONResponse(
            {
                "trace_url_template": trace_url_template,
                "replay_buffer_size": runs.replay_buffer_size,
                "replay_buffer_bytes": runs.replay_buffer_bytes,
                "max_event_bytes": runs.max_event_bytes,
            }
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        with anyio.move_on_after(shutdown_grace_seconds):  # a run stuck in its cancellation must not hold exit
            await runs.aclose()
        with anyio.move_on_after(shutdown_grace_seconds):  # publish those runs' last events, bounded the same
            await shared.aclose()

    app = AgentServerApp(
        routes=[
            Route("/runs", start_run, methods=["POST"], name="start_run"),
            Route("/runs/{run_id}", run_status, methods=["GET"], name="run_status"),
            Route("/runs/{run_id}/events", run_events, methods=["GET"], name="run_events"),
            Route("/runs/{run_id}/cancel", cancel_run, methods=["POST"], name="cancel_run"),
            Route("/runs/{run_id}/resume", resume_run, methods=["POST"], name="resume_run"),
            Route(
                "/runs/{run_id}/trace",
                run_trace_handler(runs, traces, trace_url_template, shared),
                methods=["GET"],
                name="run_trace",
            ),
            Route("/config", config, methods=["GET"], name="config"),
            Route("/ag-ui", ag_ui_handler(runs, launch, resume, **protocol_streams), methods=["POST"], name="ag_ui"),
            Route(
                "/ai-sdk/chat",
                ai_sdk_handler(runs, launch, resume, **protocol_streams),
                methods=["POST"],
                name="ai_sdk_chat",
            ),
        ],
        middleware=[Middleware(AccessMiddleware, policy=access)],
        exception_handlers={ServerError: _server_error, HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.runs = runs
    app.access = access
    app.broker = shared
    app.trace_url_template = trace_url_template
    app.traces = traces
    return app


async def _run_request(request: Request) -> RunRequest:
    return parse_body(RunRequest, await request.body(), not_json='the body must be a JSON object like {"input": "..."}')


async def _server_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServerError)
    return JSONResponse(exc.to_json(), status_code=exc.status_code, headers=exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 in the same JSON shape as ours."""
    assert isinstance(exc, HTTPException)
    body: dict[str, Any] = {"error": {"code": _HTTP_CODES.get(exc.status_code, "http_error"), "message": exc.detail}}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}
