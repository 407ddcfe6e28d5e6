"""``OpenAIConversationsSession``: a session whose history OpenAI keeps, in a conversation of its Conversations API,
as the OpenAI Agents SDK's ``agents.memory.OpenAIConversationsSession``.

Unlike a run with ``conversation_id=`` (where the Responses API reads and extends the conversation itself), this is
an ordinary session: the run reads the items with ``conversations.items.list`` and sends them to any model, and
appends each turn with ``conversations.items.create``. So it works with every model, and the conversation's items
can be read, popped and cleared like any session's. The conversation is created on first use (the SDK's lazy start),
so building a session costs nothing and makes no request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from .session_settings import SessionSettings, coerce_session_settings, resolve_session_limit
from .sessions import SessionABC, SessionItem

if TYPE_CHECKING:
    import openai

_PAGE_MAX = 100
"""The most items one ``conversations.items.list`` page may hold (the API refuses a larger ``limit``)."""
_CREATE_MAX = 20
"""The most items one ``conversations.items.create`` call may add."""


def _client(given: openai.AsyncOpenAI | None) -> openai.AsyncOpenAI:
    """The given client, else the default one (``set_default_openai_client`` or the environment's). Resolved per
    call, inside the event loop, because the environment's client belongs to the loop that built it."""
    if given is not None:
        return given
    from .models._openai_client import default_openai_client

    return default_openai_client()


async def start_openai_conversations_session(openai_client: openai.AsyncOpenAI | None = None) -> str:
    """Create an empty OpenAI conversation and return its id (the SDK's helper of the same name)."""
    conversation = await _client(openai_client).conversations.create(items=[])
    return conversation.id


class OpenAIConversationsSession(SessionABC):
    """History kept in an OpenAI conversation: ``conversation_id`` continues one, none starts a new one on first use.
    ``openai_client``: the client to call (default: the one OpenAI models use). ``session_settings``: its default
    ``limit`` for ``get_items()`` and for the runs that read it."""

    def __init__(
        self,
        *,
        conversation_id: str | None = None,
        openai_client: openai.AsyncOpenAI | None = None,
        session_settings: SessionSettings | dict[str, Any] | None = None,
    ) -> None:
        self._session_id = conversation_id
        self._openai_client = openai_client
        self._start_lock = asyncio.Lock()
        self._mutation_lock = asyncio.Lock()
        """Reads and writes through this instance, one at a time: a read never sees half of a batched write."""
        self.session_settings = (
            SessionSettings()
            if session_settings is None
            else coerce_session_settings(session_settings, "session_settings")
        )

    @property
    def session_id(self) -> str:
        """The conversation's id. A ``ValueError`` (as in the SDK) until one exists: a session built without
        ``conversation_id`` has none before its first ``get_items()`` or non-empty ``add_items()``."""
        if self._session_id is None:
            raise ValueError(
                "This OpenAIConversationsSession has no conversation yet: it creates one on first use. Call "
                "get_items() or add_items() with a non-empty list first, or pass conversation_id=."
            )
        return self._session_id

    @session_id.setter
    def session_id(self, value: str) -> None:
        self._session_id = value

    async def _get_session_id(self) -> str:
        """The conversation, created once even when several first calls race (they wait for the one creating it;
        if that fails, the next caller tries again). The SDK's name: its own examples call it to learn the id of a
        conversation the session has yet to create (examples/memory/hitl_session_scenario.py)."""
        async with self._start_lock:
            if self._session_id is None:
                self._session_id = await start_openai_conversations_session(self._openai_client)
            return self._session_id

    # ---- the Session protocol ----------------------------------------------------------------------------

    async def get_items(self, limit: int | None = None) -> list[SessionItem]:
        """The conversation's items, oldest first, each as the API lists it (with its ``id``); only the latest
        ``limit``, or ``session_settings.limit`` when ``limit`` is ``None`` (as in the SDK)."""
        async with self._mutation_lock:
            return await self._get_items(limit)

    async def _get_items(self, limit: int | None) -> list[SessionItem]:
        conversation_id = await self._get_session_id()
        limit = resolve_session_limit(limit, self.session_settings)
        if limit is not None and limit <= 0:
            return []  # the API refuses limit=0: nothing to ask
        items = _client(self._openai_client).conversations.items
        found: list[SessionItem] = []
        if limit is None:
            async for item in items.list(conversation_id, order="asc", limit=_PAGE_MAX):
                found.append(item.model_dump(exclude_unset=True, by_alias=True))
            return found
        async for item in items.list(conversation_id, order="desc", limit=min(limit, _PAGE_MAX)):
            found.append(item.model_dump(exclude_unset=True, by_alias=True))
            if len(found) >= limit:
                break
        found.reverse()
        return found

    async def add_items(self, items: list[SessionItem]) -> None:
        """Append ``items`` to the conversation, in order, in calls of at most 20 items (the API's limit per call),
        as the SDK does since 0.24.

        A write of several calls is not atomic: if one fails, the calls before it stay saved and the rest are not
        sent (the error is raised); reconcile with ``get_items()`` before writing again. Its calls are never
        retried by the client (a call whose answer was lost may have been saved: a retry would save it twice), and
        a cancellation waits for the call under way to settle before it goes on. A one-call write keeps the
        client's retries and cancels at once, as before.
        """
        if not items:
            return  # as in the SDK: no conversation is created for nothing
        async with self._mutation_lock:
            conversation_id = await self._get_session_id()
            client = _client(self._openai_client)
            if len(items) <= _CREATE_MAX:
                await client.conversations.items.create(conversation_id, items=items)  # type: ignore[arg-type]
                return
            client = client.with_options(max_retries=0)
            for start in range(0, len(items), _CREATE_MAX):
                chunk = items[start : start + _CREATE_MAX]
                await _settled(client.conversations.items.create(conversation_id, items=chunk))  # type: ignore[arg-type]

    async def pop_item(self) -> SessionItem | None:
        """Delete the latest item from the conversation and return it (``None`` when there is none)."""
        async with self._mutation_lock:
            conversation_id = await self._get_session_id()
            latest = await self._get_items(limit=1)
            if not latest:
                return None
            item = latest[0]
            items = _client(self._openai_client).conversations.items
            await items.delete(str(item["id"]), conversation_id=conversation_id)
            return item

    async def clear_session(self) -> None:
        """Delete the conversation on OpenAI, as the SDK does; the next use starts a new one. A session that has
        none yet makes no request. If the delete fails the id is kept, so calling again retries it."""
        async with self._mutation_lock, self._start_lock:
            if self._session_id is None:
                return
            await _client(self._openai_client).conversations.delete(self._session_id)
            self._session_id = None


async def _settled(request: Coroutine[Any, Any, Any]) -> None:
    """Await one call of a batched write; if the caller is cancelled meanwhile, the call still settles (saved or
    not) before the cancellation goes on, so the next writer on this session reads a history no call is still
    changing."""
    task = asyncio.ensure_future(request)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task])
        if not task.cancelled():
            task.exception()  # retrieved: the cancellation is what the caller gets
        raise


__all__ = ["OpenAIConversationsSession", "start_openai_conversations_session"]
