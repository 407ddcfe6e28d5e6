"""The UI protocol endpoints of the app: ``POST /ag-ui`` and ``POST /ai-sdk/chat``.

Each parses its protocol's request into a conversation, starts the run in the app's registry and streams the
protocol's mapping of the run's events. The run is like a ``POST /runs`` run: listed at ``/runs/{id}``, in the
caller's trace when a ``traceparent`` header names one, and under the same access rules (the app's middleware
authenticates the request; the run belongs to its principal and counts against the same run limits). AG-UI
needs the ``ag-ui`` extra (``ag-ui-protocol``); without it ``/ag-ui`` answers 501 saying so, and the rest of
the app works.

A run stopped for tool approvals is resumed through each protocol's own answer (AG-UI ``resume`` entries, the AI
SDK's tool approval responses) by the same code as ``POST /runs/{id}/resume``: same owner, same checks, same
bounds; the resumed run streams like any other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any

from opentelemetry.context import Context
from starlette.requests import Request
from starlette.responses import Response

from ..items import ConversationItem
from .access import principal_of
from .errors import ProtocolUnavailableError
from .paused_runs import Decision
from .protocol_stream import ProtocolMapping, protocol_response, run_headers
from .run_registry import RunRegistry, ServedRun
from .trace_parent import run_parent_context

Handler = Callable[[Request], Awaitable[Response]]
Launch = Callable[[list[ConversationItem], Context | None, str, str | None], Awaitable[ServedRun]]
"""The app's way of starting a run: (input, parent context, principal, conversation id); see ``create_app``."""
Resume = Callable[[str, list[Decision], str | None, str | None], Awaitable[ServedRun]]
"""The app's way of resuming a paused run: (principal, decisions, paused run id or ``None`` for the thread's
latest, conversation id); the same code as ``POST /runs/{id}/resume``."""


def ag_ui_handler(runs: RunRegistry, launch: Launch, resume: Resume, **stream_options: Any) -> Handler:
    """``stream_options``: ``send_timeout`` and ``shutdown_grace`` (see ``protocol_stream``). A ``RunAgentInput``
    whose ``resume`` entries answer the interrupts of the thread's paused run resumes that run (see
    ``ag_ui_input.decisions``) and streams it as a run of its own."""

    async def ag_ui(request: Request) -> Response:
        try:
            from . import ag_ui_input
            from .ag_ui import AgUiMapping
        except ImportError as exc:
            raise ProtocolUnavailableError(
                f"AG-UI needs the ag-ui extra: pip install 'agents_otel[ag-ui]' ({exc})"
            ) from None
        principal = principal_of(request)  # a stream token is refused before the body is read
        run_input = ag_ui_input.parse_run_input(await request.body())
        thread_id = run_input.thread_id

        decisions = ag_ui_input.decisions(run_input)
        decided = frozenset(d.call_id for d in decisions or ())

        def mapping(run: ServedRun) -> ProtocolMapping:
            return AgUiMapping(
                thread_id, run_input.run_id, served_run_id=run.id, trace_id=run.trace_id, decided=decided
            )

        if decisions is not None:
            paused_id = ag_ui_input.paused_run_id(run_input)
            start = partial(resume, principal, decisions, paused_id, thread_id)
        else:
            items = ag_ui_input.conversation(run_input)
            start = partial(launch, items, run_parent_context(request.headers), principal, thread_id)
        return await _stream_run(request, runs, start, mapping, {}, stream_options)

    return ag_ui


def ai_sdk_handler(runs: RunRegistry, launch: Launch, resume: Resume, **stream_options: Any) -> Handler:
    """``stream_options``: ``send_timeout`` and ``shutdown_grace`` (see ``protocol_stream``). A chat request whose
    last message answers tool approvals (tool parts ``approval-responded``) resumes the chat's paused run and
    streams it into that same assistant message (see ``ai_sdk_input.approval_responses``)."""

    async def ai_sdk_chat(request: Request) -> Response:
        from . import ai_sdk_input
        from .ai_sdk import UI_MESSAGE_STREAM_HEADERS, AiSdkMapping

        principal = principal_of(request)
        chat = ai_sdk_input.parse_chat_request(await request.body())
        answers = ai_sdk_input.approval_responses(chat)

        def mapping(run: ServedRun) -> ProtocolMapping:
            if answers is None:
                return AiSdkMapping(served_run_id=run.id, trace_id=run.trace_id)
            return AiSdkMapping(
                served_run_id=run.id,
                trace_id=run.trace_id,
                message_id=answers.message_id,
                decided=frozenset(d.call_id for d in answers.decisions),
                denied=frozenset(d.call_id for d in answers.decisions if not d.approve),
            )

        if answers is not None:
            start = partial(resume, principal, answers.decisions, answers.paused_run_id, chat.id)
        else:
            items = ai_sdk_input.conversation(chat)
            start = partial(launch, items, run_parent_context(request.headers), principal, chat.id)
        return await _stream_run(request, runs, start, mapping, UI_MESSAGE_STREAM_HEADERS, stream_options)

    return ai_sdk_chat


async def _stream_run(
    request: Request,
    runs: RunRegistry,
    start: Callable[[], Awaitable[ServedRun]],
    mapping: Callable[[ServedRun], ProtocolMapping],
    protocol_headers: Mapping[str, str],
    stream_options: Mapping[str, Any],
) -> Response:
    """Start the run (a new one as the caller in the caller's trace, or a resumed one in its own) and answer with
    its protocol stream."""
    run = await start()
    events = run.subscribe()  # before awaiting anything: no event is missed
    await run.ready.wait()  # a few loop turns: the trace id is known for the opening event's metadata
    status_path = request.url_for("run_status", run_id=run.id).path
    headers = {**run_headers(run, status_path), **protocol_headers}
    return protocol_response(runs, run, events, mapping(run), headers, **stream_options)
