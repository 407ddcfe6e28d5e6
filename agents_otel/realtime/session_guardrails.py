"""A realtime session's output guardrails: judged on the transcript (or text) while the model is still saying it.

Why debounced by length: a spoken answer arrives a few characters at a time; judging every delta would run the
guardrails (often a model call each) dozens of times per answer. An item's text is judged each time it has grown by
``guardrails_settings.debounce_text_length`` characters (100 by default), in a task of its own, so the audio keeps
flowing while the guardrails think. Each guardrail is a ``guardrail {name}`` span under the agent's span, as an
agent's output guardrail is in a run (``agents_otel.guardrails.traced_check``), naming the response it judged.

A trip cuts the response off once, however many checks of it trip: a ``RealtimeGuardrailTripped`` event, the
response's audio stopped and the response cancelled while it still runs, then the model is told which guardrails
tripped (a user message, so it answers anew). A response the model has since moved past is only silenced: its audio
may still be playing, but cancelling or re-prompting would hit the newer answer. A guardrail that raises (or returns
something other than ``GuardrailFunctionOutput``) fails the session, as a failing guardrail fails a run.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, cast

from ..exceptions import UserError
from ..guardrails import OutputGuardrail, OutputGuardrailResult, cancel_all, traced_check
from ..tracing import attributes as A
from .events import RealtimeGuardrailTripped
from .model_inputs import RealtimeModelSendInterrupt, RealtimeModelSendUserInput

if TYPE_CHECKING:
    from .agent import RealtimeAgent
    from .config import RealtimeRunConfig
    from .session import RealtimeSession

DEFAULT_DEBOUNCE_TEXT_LENGTH = 100


def _checked_guardrails(guardrails: Any, where: str) -> list[OutputGuardrail[Any]]:
    if not isinstance(guardrails, list):
        raise UserError(f"{where} must be a list of OutputGuardrail, got {type(guardrails).__name__}")
    for guardrail in guardrails:
        if not isinstance(guardrail, OutputGuardrail):
            raise UserError(f"{where} must hold OutputGuardrail objects, got {type(guardrail).__name__}")
    return guardrails


class OutputChecks:
    def __init__(self, session: RealtimeSession, run_config: RealtimeRunConfig) -> None:
        self._session = session
        self._run_level = _checked_guardrails(run_config.get("output_guardrails") or [], "output_guardrails")
        settings: Any = run_config.get("guardrails_settings") or {}
        debounce = settings.get("debounce_text_length", DEFAULT_DEBOUNCE_TEXT_LENGTH)
        if isinstance(debounce, bool) or not isinstance(debounce, int) or debounce < 1:
            raise UserError(f"guardrails_settings.debounce_text_length must be a positive int, got {debounce!r}")
        self._debounce = debounce
        self.enabled = bool(self._run_level)
        """Whether a delta is worth looking at (the current agent's or the run's guardrails exist)."""
        self.tripped: set[str] = set()
        """Responses already cut off: their later audio is not played, later trips of them do nothing."""
        self._text: dict[str, str] = {}
        self._judged: dict[str, int] = {}  # item -> how many times its text was judged
        self._latest = 0  # responses started so far; a response is known by its number here
        self._active: int | None = None  # the running response's number
        self._active_id: str | None = None
        self._agent: RealtimeAgent[Any] | None = None  # who is speaking in the running response

    def for_agent(self, agent: RealtimeAgent[Any]) -> None:
        _checked_guardrails(agent.output_guardrails, f"RealtimeAgent {agent.name!r} output_guardrails")
        self._refresh(agent)

    def _refresh(self, current: RealtimeAgent[Any]) -> None:
        speaking = self._agent  # the running response's agent: its guardrails judge it to the end
        self.enabled = bool(self._run_level or current.output_guardrails or (speaking and speaking.output_guardrails))

    def turn_started(self, response_id: str | None) -> None:
        if response_id is not None and response_id == self._active_id and self._active is not None:
            return  # the same response announced again
        self._latest += 1
        self._active, self._active_id, self._agent = self._latest, response_id, self._session._current_agent

    def turn_ended(self, response_id: str | None) -> None:
        if response_id is None or response_id == self._active_id:
            self._active = self._active_id = self._agent = None
            self._text.clear()
            self._judged.clear()
            self._refresh(self._session._current_agent)

    def on_delta(self, item_id: str, delta: str, response_id: str, audio: bool) -> None:
        text = self._text[item_id] = self._text.get(item_id, "") + delta
        judged = self._judged.get(item_id, 0)
        if len(text) < (judged + 1) * self._debounce:
            return
        self._judged[item_id] = judged + 1
        agent = self._agent or self._session._current_agent
        self._session._spawn(self._judge(text, response_id, agent, self._active, audio))

    async def _judge(
        self, text: str, response_id: str, agent: RealtimeAgent[Any], response: int | None, audio: bool
    ) -> None:
        session = self._session
        guardrails = list({id(g): g for g in [*agent.output_guardrails, *self._run_level]}.values())
        if not guardrails or response_id in self.tripped:
            return
        wrapper, tracer = session._context_wrapper, session._run.tracer
        attributes = {A.GEN_AI_RESPONSE_ID: response_id}
        checks = [
            asyncio.ensure_future(traced_check(
                tracer, "output", g.get_name(), agent.name, g.run(wrapper, cast(Any, agent), text),
                lambda r: {A.GUARDRAIL_TRIPWIRE_TRIGGERED: r.output.tripwire_triggered},
                session._spans.context, attributes,
            ))
            for g in guardrails
        ]
        try:
            results: list[OutputGuardrailResult] = list(await asyncio.gather(*checks))
        finally:
            await cancel_all(checks)
        tripped = [r for r in results if r.output.tripwire_triggered]
        if not tripped or response_id in self.tripped or session._closed:
            return
        self.tripped.add(response_id)
        session._put(RealtimeGuardrailTripped(guardrail_results=tripped, message=text, info=session._event_info))
        model = session._model
        if response is None:  # a transport that never said a response started: cut whatever is going on
            await model.send_event(RealtimeModelSendInterrupt(force_response_cancel=True))
        elif response == self._active:
            await model.send_event(RealtimeModelSendInterrupt(
                force_response_cancel=True, response_id=response_id, cancel_response_only=not audio))
        elif audio:
            await model.send_event(RealtimeModelSendInterrupt(response_id=response_id, playback_only=True))
        if response is not None and response != self._latest:
            return  # the model has moved on: telling it now would derail the newer answer
        names = ", ".join(r.guardrail.get_name() for r in tripped)
        if not session._closed:
            await model.send_event(RealtimeModelSendUserInput(user_input=f"guardrail triggered: {names}"))


__all__ = ["DEFAULT_DEBOUNCE_TEXT_LENGTH", "OutputChecks"]
