"""``agents.extensions.memory`` as the SDK's tests pin it down, as ``agents_otel.extensions.memory``:
``RedisSession`` against a real ``redis-server`` (the SDK's key layout, limits, TTL, client ownership, closed
sessions), ``AsyncSQLiteSession`` (the SDK's tables, an awaitable close), ``EncryptedSession`` (the SDK's envelope
and key derivation, expiry, limits over readable items), and the stores not offered yet, each a typed
``ImportError``. Every store is used by a real ``Runner.run`` too."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as redis
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from redis_support import RedisServer

from agents_otel import Agent, Runner, Session, SessionSettings, SQLiteSession, UserError
from agents_otel._sdk_paths import SDKNameNotSupportedError
from agents_otel.extensions import memory
from agents_otel.extensions.memory import (
    AsyncSQLiteSession,
    EncryptedSession,
    RedisSession,
    SessionClosedError,
    SessionStoreUnavailableError,
)
from agents_otel.testing import ScriptedModel, assistant_message


def _items(*texts: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text} for text in texts]


async def _two_runs(session: Any) -> ScriptedModel:
    """Two runs on one session: the second model call reads the first run's turn."""
    model = ScriptedModel([[assistant_message("Paris")], [assistant_message("about 2 million")]])
    agent = Agent("A", model=model)
    await Runner.run(agent, "Capital of France?", session=session)
    result = await Runner.run(agent, "Its population?", session=session)
    assert result.final_output == "about 2 million"
    texts = [getattr(item, "content", None) or getattr(item, "text", None) for item in model.calls[1].input]
    assert texts[0] == "Capital of France?" and "Its population?" in texts
    stored = await session.get_items()
    assert [i.get("role") for i in stored] == ["user", "assistant", "user", "assistant"]
    return model


# ---- RedisSession ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with RedisServer(tmp_path_factory.mktemp("session-redis")) as server:
        yield server.url


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[redis.Redis]:
    connection = redis.from_url(redis_url)
    await connection.flushdb()
    yield connection
    await connection.aclose()


async def test_redis_session_operations(client: redis.Redis) -> None:
    session = RedisSession("s1", redis_client=client)
    assert isinstance(session, Session)
    assert await session.get_items() == [] and await session.pop_item() is None
    items = [*_items("one", "Ünïcødé ✓ \"quoted\" \\ back", "'; DROP TABLE x; --"), {"type": "message", "x": None}]
    await session.add_items(items)
    await session.add_items([])
    assert await session.get_items() == items
    assert await session.get_items(limit=2) == items[2:]
    assert await session.get_items(limit=0) == []
    assert await session.get_items(limit=10) == items
    assert await session.pop_item() == items[3]
    assert await session.get_items() == items[:3]
    await session.clear_session()
    assert await session.get_items() == [] and await client.keys("*") == []
    assert await session.ping() is True


async def test_redis_session_uses_the_sdks_keys(client: redis.Redis) -> None:
    session = RedisSession("conv", redis_client=client, key_prefix="app")
    await session.add_items(_items("hi"))
    assert await client.lrange("app:conv:messages", 0, -1) == [b'{"role":"user","content":"hi"}']
    meta = await client.hgetall("app:conv")
    assert meta[b"session_id"] == b"conv" and int(meta[b"created_at"]) <= int(meta[b"updated_at"])
    # What the SDK's RedisSession wrote is read, and an entry that is not JSON is skipped, not counted by limit.
    await client.rpush("app:conv:messages", b'{"role":"assistant","content":"yo"}', b"\xff not json")
    assert await session.get_items(limit=1) == [{"role": "assistant", "content": "yo"}]
    assert await session.pop_item() == {"role": "assistant", "content": "yo"}  # the corrupt newest is dropped
    assert await client.llen("app:conv:messages") == 1


async def test_redis_sessions_are_isolated_and_concurrent_writes_all_land(client: redis.Redis) -> None:
    a, b = RedisSession("a", redis_client=client), RedisSession("b", redis_client=client)
    other_prefix = RedisSession("a", redis_client=client, key_prefix="other")
    await asyncio.gather(*(a.add_items(_items(f"a{i}", f"a{i}'")) for i in range(20)), b.add_items(_items("b")))
    stored = await a.get_items()
    assert len(stored) == 40
    for i in range(20):  # each call's items stay together
        first = stored.index({"role": "user", "content": f"a{i}"})
        assert stored[first + 1] == {"role": "user", "content": f"a{i}'"}
    assert await b.get_items() == _items("b") and await other_prefix.get_items() == []


async def test_redis_session_ttl_covers_every_key(client: redis.Redis) -> None:
    session = RedisSession("t", redis_client=client, ttl=300)
    await session.add_items(_items("x"))
    for key in ("agents:session:t", "agents:session:t:messages"):
        assert 0 < await client.ttl(key) <= 300
    forever = RedisSession("f", redis_client=client)
    await forever.add_items(_items("x"))
    assert await client.ttl("agents:session:f:messages") == -1
    for bad in (0, -5, 1.5, True):
        with pytest.raises(ValueError):
            RedisSession("t", redis_client=client, ttl=bad)  # type: ignore[arg-type]


async def test_redis_session_from_url_owns_and_closes_its_client(redis_url: str, client: redis.Redis) -> None:
    session = RedisSession.from_url("u", url=redis_url, key_prefix="p", ttl=60, session_settings={"limit": 1})
    await session.add_items(_items("1", "2"))
    assert await session.get_items() == _items("2")
    assert await client.ttl("p:u:messages") > 0
    await session.close()
    await session.close()  # idempotent
    for operation in (session.get_items(), session.add_items([]), session.pop_item(), session.clear_session()):
        with pytest.raises(SessionClosedError) as caught:
            await operation
        assert isinstance(caught.value, RuntimeError) and isinstance(caught.value, UserError)
    with pytest.raises(RuntimeError):
        await session.ping()


async def test_redis_session_leaves_a_given_client_open(redis_url: str) -> None:
    text_client = redis.from_url(redis_url, decode_responses=True)  # str replies instead of bytes
    session = RedisSession("d", redis_client=text_client)
    await session.add_items(_items("x"))
    await session.close()
    assert await session.get_items() == _items("x")
    assert await text_client.ping() is True
    await text_client.aclose()


async def test_redis_session_ping_is_false_when_the_server_is_gone() -> None:
    from support import free_port

    session = RedisSession.from_url("p", url=f"redis://127.0.0.1:{free_port()}/0")
    assert await session.ping() is False
    await session.close()


async def test_redis_session_settings(client: redis.Redis) -> None:
    assert RedisSession("s", redis_client=client).session_settings == SessionSettings()
    session = RedisSession("s", redis_client=client, session_settings=SessionSettings(limit=2))
    await session.add_items(_items("1", "2", "3"))
    assert await session.get_items() == _items("2", "3")
    assert await session.get_items(limit=1) == _items("3")
    with pytest.raises(UserError):
        RedisSession("s", redis_client=client, session_settings={"limt": 2})


async def test_redis_session_in_runs(client: redis.Redis) -> None:
    await _two_runs(RedisSession("run", redis_client=client))


# ---- AsyncSQLiteSession ---------------------------------------------------------------------------------------


async def test_async_sqlite_session_flow_and_the_sdks_tables(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    session = AsyncSQLiteSession("s", db)
    assert isinstance(session, Session) and session.session_settings == SessionSettings()
    await session.add_items(_items("1", "2", "3"))
    await session.add_items([])
    assert await session.get_items(limit=2) == _items("2", "3")
    assert await session.get_items(limit=9) == _items("1", "2", "3")
    assert await session.pop_item() == _items("3")[0]
    other = AsyncSQLiteSession("other", db)
    assert await other.get_items() == [] and await other.pop_item() is None
    assert await SQLiteSession("s", db).get_items() == _items("1", "2")  # one table layout for both
    session.session_settings = SessionSettings(limit=1)  # replaced after construction: read on each call
    assert await session.get_items() == _items("2")
    assert await session.get_items(limit=2) == _items("1", "2")
    await session.clear_session()
    assert await session.get_items() == []


async def test_async_sqlite_session_close() -> None:
    session = AsyncSQLiteSession("s", session_settings={"limit": 3})
    await session.add_items(_items("x"))
    await session.close()
    await session.close()
    for operation in (session.get_items(), session.add_items([]), session.pop_item(), session.clear_session()):
        with pytest.raises(RuntimeError, match="closed"):
            await operation
    never_used = AsyncSQLiteSession("n")
    await never_used.close()
    with pytest.raises(SessionClosedError):
        await never_used.get_items()


async def test_async_sqlite_session_in_runs() -> None:
    await _two_runs(AsyncSQLiteSession("run"))


# ---- EncryptedSession -----------------------------------------------------------------------------------------

KEY = Fernet.generate_key().decode()


def _sdk_cipher(master: bytes, session_id: str) -> Fernet:
    """The SDK's per-session key, derived independently of our code: HKDF-SHA256, salt the session id."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=session_id.encode(), info=b"agents.session-store.hkdf.v1")
    return Fernet(base64.urlsafe_b64encode(hkdf.derive(master)))


async def test_encrypted_session_stores_only_envelopes() -> None:
    store = SQLiteSession("e")
    session = EncryptedSession("e", store, KEY)
    await session.add_items(_items("secret ✓", "two"))
    assert await session.get_items() == _items("secret ✓", "two")
    stored = await store.get_items()
    assert all(set(s) == {"__enc__", "v", "kid", "payload"} and s["__enc__"] == 1 for s in stored)
    assert "secret" not in json.dumps(stored)
    token = stored[0]["payload"].encode()
    assert json.loads(_sdk_cipher(base64.urlsafe_b64decode(KEY), "e").decrypt(token)) == _items("secret ✓")[0]
    assert await EncryptedSession("other id", store, KEY).get_items() == []  # another session's key reads nothing
    assert await session.pop_item() == _items("two")[0]
    await session.clear_session()
    assert await store.get_items() == []


async def test_encrypted_session_reads_what_the_sdk_wrote_with_a_raw_secret() -> None:
    store = SQLiteSession("r")
    payload = _sdk_cipher(b"my secret phrase", "r").encrypt(b'{"role":"user","content":"from the SDK"}').decode()
    await store.add_items([{"__enc__": 1, "v": 1, "kid": "hkdf-v1", "payload": payload}, *_items("plain, older")])
    session = EncryptedSession("r", store, "my secret phrase")
    assert await session.get_items() == [*_items("from the SDK"), *_items("plain, older")]


async def test_encrypted_session_skips_expired_and_unreadable_items() -> None:
    store = SQLiteSession("x")
    session = EncryptedSession("x", store, KEY, ttl=60)
    old = session.cipher.encrypt_at_time(b'{"role":"user","content":"old"}', int(time.time()) - 3600).decode()
    await session.add_items(_items("1", "2"))
    await store.add_items([{"__enc__": 1, "v": 1, "kid": "hkdf-v1", "payload": old}])
    await store.add_items([{"__enc__": 1, "v": 1, "kid": "hkdf-v1", "payload": "not a token"}])
    assert await session.get_items() == _items("1", "2")
    assert await session.get_items(limit=1) == _items("2")  # the unreadable newest do not use up the limit
    assert await session.pop_item() == _items("2")[0]  # and are removed on the way
    assert len(await store.get_items()) == 1
    assert await session.get_items() == _items("1")


async def test_encrypted_session_settings_and_attributes_are_the_stores() -> None:
    store = SQLiteSession("s", session_settings={"limit": 1})
    session = EncryptedSession("s", store, KEY)
    assert session.session_settings == SessionSettings(limit=1) and session.db_path == ":memory:"
    await session.add_items(_items("1", "2"))
    assert await session.get_items() == _items("2")
    assert await session.get_items(limit=2) == _items("1", "2")
    session.session_settings = SessionSettings(limit=2)
    assert store.session_settings == SessionSettings(limit=2)
    for bad in ({"encryption_key": ""}, {"encryption_key": KEY, "ttl": 0}):
        with pytest.raises(ValueError):
            EncryptedSession("s", store, **bad)


async def test_encrypted_session_in_runs() -> None:
    await _two_runs(EncryptedSession("run", SQLiteSession("run"), "phrase"))


# ---- stores not offered -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["DaprSession", "DAPR_CONSISTENCY_STRONG", "MongoDBSession"]
)
def test_stores_not_offered_yet_are_typed_import_errors(name: str) -> None:
    with pytest.raises(SDKNameNotSupportedError, match=r"not supported by agents_otel.*docs/migrating\.md") as caught:
        getattr(memory, name)
    assert isinstance(caught.value, ImportError) and isinstance(caught.value, UserError)
    with pytest.raises(ImportError):
        exec(f"from agents_otel.extensions.memory import {name}", {})
    with pytest.raises(AttributeError):
        memory.NoSuchSession  # noqa: B018


@pytest.mark.parametrize(
    ("name", "module", "package", "extra"),
    [
        ("RedisSession", "redis_session", "redis", "redis"),
        ("EncryptedSession", "encrypt_session", "cryptography", "encrypt"),
    ],
)
def test_a_missing_package_names_its_extra(
    monkeypatch: pytest.MonkeyPatch, name: str, module: str, package: str, extra: str
) -> None:
    for loaded in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        monkeypatch.setitem(sys.modules, loaded, None)  # importing it now fails, as when it is not installed
    monkeypatch.delitem(sys.modules, f"agents_otel.extensions.memory.{module}")
    monkeypatch.delattr(memory, name)
    expected = rf"{name} needs the '{package}' package: pip install 'agents_otel\[{extra}\]'"
    with pytest.raises(SessionStoreUnavailableError, match=expected):
        getattr(memory, name)
