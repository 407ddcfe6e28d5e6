"""``OpenAIResponsesCompactionSession``: a session that has OpenAI compact its history once it grows, as the OpenAI
Agents SDK's ``agents.memory.OpenAIResponsesCompactionSession``.

It wraps another session (the store) and, when the run asks after a turn (``session_compaction``), decides whether
to compact: by default once 10 items other than user messages and earlier compactions have piled up, or as its
``should_trigger_compaction`` hook says. Compacting is one ``client.responses.compact(...)`` call, given either the
stored items (``input``) or the id of the turn's stored response (``previous_response_id``); its output (the user
messages and one encrypted ``compaction`` item) replaces the store's history. Why this order of work: nothing is
changed before the API has answered and its output has been checked, so a failed call (a typed ``ModelError``
that is also the openai exception, as the models raise) leaves the history as it was; and a store that fails
halfway through the replacement gets its previous history back before the error goes on.

The call is a ``compact {model}`` span (kind CLIENT) under the run's current span, without content: the
compacted history is encrypted, and the items sent are the session's, not the trace's.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import SpanKind

from .compaction_output import CompactionError, compacted_items, span_identity, usage_of
from .exceptions import UserError
from .session_compaction import OpenAIResponsesCompactionArgs, OpenAIResponsesCompactionMode
from .sessions import SessionABC, SessionItem
from .tracing import attributes as A
from .tracing.provider import application_tracer
from .tracing.spans import SpanScope

if TYPE_CHECKING:
    import openai

    from .context_wrapper import RunContextWrapper
    from .sessions import Session

logger = logging.getLogger("agents_otel.compaction")

DEFAULT_COMPACTION_THRESHOLD = 10
"""Candidate items (not user messages, not compaction items) at which the default hook compacts, as in the SDK."""
_ALL_ITEMS = 2_147_483_647
"""``get_items(limit=...)`` that reads the whole store, whatever its own ``session_settings.limit``."""
_MODES = ("previous_response_id", "input", "auto")


def select_compaction_candidate_items(items: list[SessionItem]) -> list[SessionItem]:
    """The items that count towards compaction: all but user messages and earlier ``compaction`` items."""
    return [item for item in items if not (_is_user_message(item) or item.get("type") == "compaction")]


def default_should_trigger_compaction(context: dict[str, Any]) -> bool:
    """The default decision: compact once there are ``DEFAULT_COMPACTION_THRESHOLD`` candidate items."""
    return len(context["compaction_candidate_items"]) >= DEFAULT_COMPACTION_THRESHOLD


def is_openai_model_name(model: str) -> bool:
    """Whether ``model`` names an OpenAI model ``responses.compact`` takes: ``gpt-*``, ``o<digit>*``, and their
    fine-tunes (``ft:gpt-4.1:org:proj:suffix``)."""
    name = model.strip()
    if name.startswith("ft:"):
        name = name[3:]
    root = name.split(":", 1)[0]
    return root.startswith("gpt-") or (root.startswith("o") and root[1:2].isdigit())


class OpenAIResponsesCompactionSession(SessionABC):
    """History in ``underlying_session``, compacted with ``responses.compact`` when it grows (see the module).

    ``client``: the ``AsyncOpenAI`` to call (default: the one OpenAI models use). ``model``: an OpenAI model name.
    ``compaction_mode``: ``"auto"`` (the stored response's id when there is one and it was stored, else the
    items), ``"previous_response_id"`` or ``"input"``. ``should_trigger_compaction(context) -> bool``: the
    decision, given ``response_id``, ``compaction_mode`` (resolved), ``compaction_candidate_items`` and
    ``session_items``.
    """

    def __init__(
        self,
        session_id: str,
        underlying_session: Session,
        *,
        client: openai.AsyncOpenAI | None = None,
        model: str = "gpt-6-luna",
        compaction_mode: OpenAIResponsesCompactionMode = "auto",
        should_trigger_compaction: Callable[[dict[str, Any]], bool] | None = None,
        max_rollback_items: int | None = None,
    ) -> None:
        from .openai_conversations_session import OpenAIConversationsSession

        if isinstance(underlying_session, OpenAIConversationsSession):
            raise CompactionError(
                "OpenAIResponsesCompactionSession cannot wrap an OpenAIConversationsSession: OpenAI keeps that "
                "history itself, so there is nothing here to replace"
            )
        if not isinstance(model, str) or not is_openai_model_name(model):
            raise CompactionError(f"Unsupported model for OpenAI responses compaction: {model!r}")
        if compaction_mode not in _MODES:
            raise CompactionError(f"compaction_mode must be one of {_MODES}, got {compaction_mode!r}")
        if max_rollback_items is not None and (
            isinstance(max_rollback_items, bool) or not isinstance(max_rollback_items, int) or max_rollback_items <= 0
        ):
            raise CompactionError(f"max_rollback_items must be positive or None, got {max_rollback_items!r}")
        if should_trigger_compaction is not None and not callable(should_trigger_compaction):
            raise UserError("should_trigger_compaction must be a function of the decision context")
        self.session_id = session_id
        self.underlying_session = underlying_session
        self._client = client
        self.model = model
        self.compaction_mode: OpenAIResponsesCompactionMode = compaction_mode
        self.max_rollback_items = max_rollback_items
        """As in the SDK (0.23): at most this many items in the whole history a compaction replaces (and keeps to
        put back on failure); more is a ``CompactionError`` (a ``ValueError``) before the API call, the history
        kept. Reads ask for one item over it, never the whole store. ``None``: no budget."""
        self.should_trigger_compaction = (
            should_trigger_compaction if should_trigger_compaction is not None else default_should_trigger_compaction
        )
        self._history: list[SessionItem] | None = None
        """The store's whole history as this session last saw it (read once, then kept up to date)."""
        self._response_id: str | None = None
        self._deferred_response_id: str | None = None
        self._last_unstored_response_id: str | None = None
        self._lock = asyncio.Lock()
        """Held by every write, and by the replacement from reading the old history to writing the new."""

    @property
    def client(self) -> openai.AsyncOpenAI:
        """The client ``responses.compact`` is called on, looked up per call (the default one is per event loop)."""
        if self._client is not None:
            return self._client
        from .models._openai_client import default_openai_client

        return default_openai_client()

    # ---- the Session protocol: the store's, kept in step with the cached history ------------------------------

    async def get_items(self, limit: int | None = None) -> list[SessionItem]:
        return await self.underlying_session.get_items(limit)

    async def add_items(self, items: list[SessionItem]) -> None:
        async with self._lock:
            await self.underlying_session.add_items(items)
            if self._history is not None:
                self._history.extend(items)

    async def pop_item(self) -> SessionItem | None:
        async with self._lock:
            popped = await self.underlying_session.pop_item()
            if popped is not None:
                self._history = None  # read again when next needed
            return popped

    async def clear_session(self) -> None:
        async with self._lock:
            await self.underlying_session.clear_session()
            self._history = []
            self._deferred_response_id = None

    # ---- compaction ----------------------------------------------------------------------------------------

    async def run_compaction(
        self, args: OpenAIResponsesCompactionArgs | None = None, *, wrapper: RunContextWrapper[Any] | None = None
    ) -> None:
        """Compact now if the decision hook says so (or ``args["force"]``). With ``wrapper`` (a run passes its
        own) the call's tokens count in that run's usage, as one more request."""
        if args is not None and not isinstance(args, Mapping):
            raise UserError(f"run_compaction() takes an OpenAIResponsesCompactionArgs dict, got {type(args).__name__}")
        args = args or {}
        if args.get("response_id"):
            self._response_id = args["response_id"]
        store = args.get("store")
        if store is False and self._response_id:
            self._last_unstored_response_id = self._response_id
        elif store is True and self._response_id == self._last_unstored_response_id:
            self._last_unstored_response_id = None
        mode = self._resolve_mode(self._response_id, store, args.get("compaction_mode"))
        if mode == "previous_response_id" and not self._response_id:
            raise CompactionError(
                "OpenAIResponsesCompactionSession.run_compaction needs a response_id for previous_response_id "
                "compaction"
            )
        history = await self._items()
        forced = bool(args.get("force", False))
        if not forced and not self._decide(self._response_id, mode, history):
            logger.debug("compaction skipped: the decision hook declined (mode=%s)", mode)
            return
        self._deferred_response_id = None
        if self.max_rollback_items is not None:
            await self._rollback_items()  # over the budget: nothing is sent, nothing changes
        output = await self._compact(mode, history, forced, wrapper)
        await self._replace(output)

    def _resolve_mode(self, response_id: str | None, store: bool | None, requested: str | None) -> str:
        mode = requested or self.compaction_mode
        if mode not in _MODES:
            raise CompactionError(f"compaction_mode must be one of {_MODES}, got {mode!r}")
        if mode != "auto":
            return mode
        if store is False or not response_id:
            return "input"
        if store is None and response_id == self._last_unstored_response_id:
            return "input"  # the last response was not stored: its id refers to nothing on the server
        return "previous_response_id"

    def _decide(self, response_id: str | None, mode: str, history: list[SessionItem]) -> bool:
        context = {
            "response_id": response_id,
            "compaction_mode": mode,
            "compaction_candidate_items": select_compaction_candidate_items(history),
            "session_items": list(history),
        }
        decision = self.should_trigger_compaction(context)
        if not isinstance(decision, bool):
            raise UserError(f"should_trigger_compaction must return a bool, got {type(decision).__name__}")
        return decision

    async def _items(self) -> list[SessionItem]:
        if self._history is None:
            self._history = list(await self.underlying_session.get_items())
        return list(self._history)

    async def _compact(
        self, mode: str, history: list[SessionItem], forced: bool, wrapper: RunContextWrapper[Any] | None
    ) -> list[SessionItem]:
        from .models._openai_errors import openai_errors

        client = self.client
        kwargs: dict[str, Any] = {"model": self.model}
        attributes: dict[str, Any] = {
            **span_identity(client, self.model),
            A.GEN_AI_CONVERSATION_ID: self.session_id,  # a run's tracer stamps the run's own id over it
            A.COMPACTION_MODE: mode,
            A.COMPACTION_INPUT_ITEMS: len(history),
            A.COMPACTION_FORCED: forced,
        }
        if mode == "previous_response_id":
            kwargs["previous_response_id"] = attributes[A.PREVIOUS_RESPONSE_ID] = self._response_id
        else:
            kwargs["input"] = history
        span = application_tracer().start_span(
            f"{A.OP_COMPACT} {self.model}", kind=SpanKind.CLIENT, attributes=attributes
        )
        started = time.perf_counter()
        with SpanScope(span):
            with openai_errors():
                compacted = await client.responses.compact(**kwargs)
            usage = usage_of(compacted)
            with warnings.catch_warnings():  # compact output may hold user-style parts the openai models warn on
                warnings.simplefilter("ignore")
                output = compacted_items(getattr(compacted, "output", None) or [])
            response_id = getattr(compacted, "id", None)
            if isinstance(response_id, str):
                span.set_attribute(A.GEN_AI_RESPONSE_ID, response_id)
            span.set_attributes(
                {
                    A.COMPACTION_OUTPUT_ITEMS: len(output),
                    A.GEN_AI_USAGE_INPUT_TOKENS: usage.input_tokens,
                    A.GEN_AI_USAGE_OUTPUT_TOKENS: usage.output_tokens,
                }
            )
        logger.debug("compacted %d items into %d in %.3fs", len(history), len(output), time.perf_counter() - started)
        if wrapper is not None:
            wrapper.usage.add(usage)
        return output

    async def _replace(self, output: list[SessionItem]) -> None:
        """The store's history becomes ``output``: cleared, then added; any failure on the way (a cancellation
        too) puts the previous history back before it goes on."""
        async with self._lock:
            previous = await self._rollback_items()  # read again: what is stored now is what a failure restores
            cleared = False
            try:
                await self.underlying_session.clear_session()
                cleared = True
                if output:
                    await self.underlying_session.add_items(list(output))
            except BaseException as error:
                await _settle(self._restore(previous, cleared, error))
                raise
            self._history = list(output)

    def _rollback_limit(self) -> int:
        return _ALL_ITEMS if self.max_rollback_items is None else self.max_rollback_items + 1

    async def _rollback_items(self) -> list[SessionItem]:
        """The whole stored history, the snapshot a replacement restores on failure; within the budget."""
        items = list(await self.underlying_session.get_items(limit=self._rollback_limit()))
        if self.max_rollback_items is not None and len(items) > self.max_rollback_items:
            raise CompactionError(
                f"Compaction history exceeds max_rollback_items ({self.max_rollback_items}); history was retained"
            )
        return items

    async def _restore(self, previous: list[SessionItem], cleared: bool, error: BaseException) -> None:
        self._history = None
        try:
            if not cleared and await self.underlying_session.get_items(limit=self._rollback_limit()) == previous:
                return  # the clear failed before it changed anything
            await self.underlying_session.clear_session()
            if previous:
                await self.underlying_session.add_items(list(previous))
        except Exception as restore_error:
            logger.warning(
                "Could not restore the session history after a failed compaction (%r): %r", error, restore_error
            )
            return
        logger.warning("Restored the session history after a failed compaction replacement: %r", error)

    # ---- deferral: the run asks after a turn that ended with tool outputs (session_compaction) ----------------

    async def _defer_compaction(self, response_id: str, store: bool | None = None) -> None:
        """Remember that compaction was due at ``response_id``, so the next turn without tool outputs compacts."""
        if self._deferred_response_id is not None:
            return
        history = await self._items()
        if self._decide(response_id, self._resolve_mode(response_id, store, None), history):
            self._deferred_response_id = response_id

    def _get_deferred_compaction_response_id(self) -> str | None:
        return self._deferred_response_id

    def _clear_deferred_compaction(self) -> None:
        self._deferred_response_id = None


def _is_user_message(item: SessionItem) -> bool:
    if item.get("type") == "message":
        return item.get("role") == "user"
    return item.get("role") == "user" and "content" in item


async def _settle(work: Any) -> None:
    """Await ``work`` to its end even while the task is being cancelled (again and again), then re-raise the
    cancellation: a restore cut short would leave the store empty."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            cancelled = True
    if not task.cancelled():
        task.exception()  # retrieved: the restore logs its own failures
    if cancelled:
        raise asyncio.CancelledError


__all__ = [
    "DEFAULT_COMPACTION_THRESHOLD",
    "CompactionError",
    "OpenAIResponsesCompactionSession",
    "default_should_trigger_compaction",
    "is_openai_model_name",
    "select_compaction_candidate_items",
]
