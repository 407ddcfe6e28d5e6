"""``EncryptedSession``: any session store, with each item encrypted before it reaches the store and expiring after
``ttl`` seconds, as the SDK's ``agents.extensions.memory.EncryptedSession``.

Needs ``cryptography`` (``pip install 'agents_otel[encrypt]'``). The stored format is the SDK's, on purpose, so a
history either encrypted the other decrypts: each item becomes ``{"__enc__": 1, "v": 1, "kid": "hkdf-v1",
"payload": <Fernet token>}``, under a key derived per session with HKDF-SHA256 from the master key (salt: the
session id), so one session's items cannot be read, or replayed, in another. An item whose token has expired or
does not decrypt is skipped, as in the SDK: expiry is the feature, not an error. Items that are not envelopes
(history from before encryption was turned on) are returned as they are.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Literal, TypedDict

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ...context_wrapper import RunContextWrapper
from ...session_settings import SessionSettings, resolve_session_limit
from ...sessions import Session, SessionABC, SessionItem, call_session, session_wrapper

_KEY_ID = "hkdf-v1"
_VERSION = 1
_HKDF_INFO = b"agents.session-store.hkdf.v1"  # the SDK's, so keys derive alike


class EncryptedEnvelope(TypedDict):
    """The shape of one item as the underlying store holds it (the SDK's name and fields), for code that reads the
    store directly, as the SDK's encrypted-session example does: ``payload`` is the Fernet token of the item's JSON,
    ``kid`` which key derivation sealed it, ``v`` the envelope version."""

    __enc__: Literal[1]
    v: int
    kid: str
    payload: str


class EncryptedSession(SessionABC):
    """Wraps ``underlying_session`` (``SQLiteSession``, ``RedisSession``, ...). ``encryption_key``: a Fernet key
    (``Fernet.generate_key().decode()``) or any secret string; ``ttl``: seconds an item stays readable.

    ``max_scan_items`` (as in the SDK since 0.23): how many stored items one ``get_items`` call may fetch in all
    (windows that overlap count again), so a history full of expired items cannot make a read fetch the whole
    store; ``None`` (the default) is no budget. A read that cannot reach a complete answer within it is a
    ``RuntimeError``; raise the budget or trim the store. It bounds item counts only, not ``pop_item``."""

    def __init__(
        self,
        session_id: str,
        underlying_session: Session,
        encryption_key: str,
        ttl: int = 600,
        max_scan_items: int | None = None,
    ) -> None:
        if max_scan_items is not None and (
            isinstance(max_scan_items, bool) or not isinstance(max_scan_items, int) or max_scan_items <= 0
        ):
            raise ValueError(f"max_scan_items must be positive or None, got {max_scan_items!r}")
        self.max_scan_items = max_scan_items
        if not isinstance(encryption_key, str) or not encryption_key:
            raise ValueError("EncryptedSession needs a non-empty encryption_key")  # ValueError, as the SDK's
        if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 1:
            raise ValueError(f"EncryptedSession ttl must be a positive number of seconds, got {ttl!r}")
        self.session_id = session_id
        self.underlying_session = underlying_session
        self.ttl = ttl
        self.cipher = _session_cipher(encryption_key, session_id)

    def __getattr__(self, name: str) -> Any:
        """The store's other attributes (``close``, ``ping``, ``db_path``...) read through, as in the SDK."""
        if name == "underlying_session":  # not set yet: still in __init__
            raise AttributeError(name)
        return getattr(self.underlying_session, name)

    @property  # the store's settings are the ones the run reads, as in the SDK
    def session_settings(self) -> SessionSettings | None:
        return getattr(self.underlying_session, "session_settings", None)

    @session_settings.setter
    def session_settings(self, value: SessionSettings | None) -> None:
        self.underlying_session.session_settings = value  # type: ignore[attr-defined]

    async def get_items(
        self, limit: int | None = None, *, wrapper: RunContextWrapper[Any] | None = None
    ) -> list[SessionItem]:
        """The readable items, oldest first; ``limit`` counts readable items only (expired ones do not use it up).
        ``wrapper`` (each method takes one, as in the SDK; a run passes its own) reaches the store only when all of
        the store's history methods take it, so its reads and writes stay in one scope."""
        scoped = session_wrapper(self.underlying_session, wrapper)
        limit = resolve_session_limit(limit, self.session_settings)
        remaining = self.max_scan_items
        if remaining is not None and limit is not None and limit < 0:
            raise ValueError("limit must be non-negative when max_scan_items is set")
        if limit is None and remaining is None:
            return self._readable(await call_session(self.underlying_session.get_items, wrapper=scoped))
        if limit is not None and limit <= 0:
            return []
        window = limit if limit is not None else remaining
        assert window is not None
        if remaining is not None:
            window = min(window, remaining)
        while True:
            stored = await call_session(self.underlying_session.get_items, window, wrapper=scoped)
            items = self._readable(stored)
            if limit is not None and len(items) >= limit:
                return items[-limit:]
            if len(stored) < window:  # the store had no more: this is all of it
                return items
            grown = window * 2
            if remaining is not None:
                remaining -= len(stored)
                grown = min(grown, remaining)
                if grown <= window:
                    raise RuntimeError(
                        "EncryptedSession max_scan_items exhausted before a complete history result could be "
                        "established; increase max_scan_items or reduce retained history."
                    )
            window = grown

    async def add_items(self, items: list[SessionItem], *, wrapper: RunContextWrapper[Any] | None = None) -> None:
        sealed = [self._seal(item) for item in items]
        await call_session(
            self.underlying_session.add_items, sealed, wrapper=session_wrapper(self.underlying_session, wrapper)
        )

    async def pop_item(self, *, wrapper: RunContextWrapper[Any] | None = None) -> SessionItem | None:
        """The latest readable item; expired ones on the way are removed too."""
        scoped = session_wrapper(self.underlying_session, wrapper)
        while True:
            stored = await call_session(self.underlying_session.pop_item, wrapper=scoped)
            if stored is None:
                return None
            item = self._open(stored)
            if item is not None:
                return item

    async def clear_session(self, *, wrapper: RunContextWrapper[Any] | None = None) -> None:
        await call_session(
            self.underlying_session.clear_session, wrapper=session_wrapper(self.underlying_session, wrapper)
        )

    def _seal(self, item: Any) -> SessionItem:
        payload = item.model_dump(by_alias=True) if hasattr(item, "model_dump") else item
        plain = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode()
        envelope: EncryptedEnvelope = {
            "__enc__": 1, "v": _VERSION, "kid": _KEY_ID, "payload": self.cipher.encrypt(plain).decode()
        }  # fmt: skip
        return dict(envelope)

    def _open(self, stored: SessionItem) -> SessionItem | None:
        if not (isinstance(stored, dict) and stored.get("__enc__") == 1 and {"v", "kid", "payload"} <= set(stored)):
            return stored
        token = stored["payload"]
        if not isinstance(token, str):
            return None
        try:
            value = json.loads(self.cipher.decrypt(token.encode(), ttl=self.ttl))
        except (InvalidToken, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def _readable(self, stored: list[SessionItem]) -> list[SessionItem]:
        return [item for item in map(self._open, stored) if item is not None]


def _session_cipher(master: str, session_id: str) -> Fernet:
    try:
        key = base64.urlsafe_b64decode(master)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:  # not a Fernet key: the secret string itself is the key material
        key = master.encode()
    derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=session_id.encode(), info=_HKDF_INFO)
    return Fernet(base64.urlsafe_b64encode(derive.derive(key)))


__all__ = ["EncryptedEnvelope", "EncryptedSession"]
