"""What a run looks like in Redis, and the Lua scripts that change it atomically.

Per run, three keys sharing one hash tag (so they live on one cluster slot):

- ``agents_otel:run:{ID}`` — a hash: ``owner`` (the owning replica's token, the fencing token), ``principal``
  (absent for anonymous runs), ``status``, ``last_id``, ``info`` (the owner's ``GET /runs/{id}`` JSON),
  ``cancel`` (set by a cancel request from any replica).
- ``agents_otel:run:{ID}:events`` — a stream whose entry ids are ``N-0`` for event id ``N``, field ``d`` the
  event's JSON text and ``e`` on the final event; capped like the owner's replay buffer: ``MAXLEN`` (events) and,
  for its byte bound, ``XTRIM MINID`` at the oldest event the owner still holds.
- ``agents_otel:run:{ID}:lease`` — the owner's lease: its token, with a TTL it renews while the run runs.

Per run stopped for tool approvals, ``agents_otel:paused:{ID}``: JSON (``principal``, ``state`` — the RunState
JSON, which holds the conversation —, ``interruptions``, ``conversation_id``) with a TTL of ``paused_seconds``;
the replica that resumes it deletes it (``DEL`` answering 1 is what makes a run resumed at most once).

Every key carries an expiry: while running, a few leases plus the retention period (renewed with the lease,
so a run whose owner vanished and that nobody watches still disappears); once ended, the retention period.
Every check-then-write is one script, so a write cannot interleave with another replica's: an owner appends
only while the record names it and says ``running`` (after another replica wrote ``owner_lost``, the old owner
is fenced off), and only the next id in sequence.
"""

from __future__ import annotations

KEY_PREFIX = "agents_otel"

MISSING = -1
"""The run's record is gone (Redis restarted without persistence, or it expired): the owner re-creates it."""
FENCED = -2
"""The record names another owner or the run has ended: this replica must stop publishing (and the run)."""
GAP = -3
"""The next event to append is not the one Redis expects (``last_id + 1``); the reply carries ``last_id``."""


def paused_key(run_id: str) -> str:
    """A run stopped for tool approvals: its RunState JSON and principal, kept ``paused_seconds`` to be resumed."""
    return f"{KEY_PREFIX}:paused:{{{run_id}}}"


def run_keys(run_id: str) -> tuple[str, str, str]:
    """(record hash, event stream, lease) of a run."""
    base = f"{KEY_PREFIX}:run:{{{run_id}}}"
    return base, f"{base}:events", f"{base}:lease"


def cancel_channel(owner: str) -> str:
    return f"{KEY_PREFIX}:replica:{owner}:cancel"


# KEYS: record, stream, lease. ARGV: owner, principal ("" = none), lease_ms, keep_ms, info.
# Creates the record (or re-creates it after it was lost, dropping a stale stream); 0 if it already exists.
OPEN = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'status', 'running', 'last_id', 0, 'info', ARGV[5])
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'principal', ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[3])
return 1
"""

# KEYS: record, stream, lease. ARGV: owner, maxlen, lease_ms, keep_ms, info, final_status ("" while running),
# retention_ms, reset ("1": the owner no longer holds the events Redis expects next), first_id (the oldest event
# the owner's buffer still holds: older ones are trimmed, so Redis holds what the owner's byte- and count-bounded
# buffer holds), then id, data pairs. Entries Redis already has are skipped (a retry after a lost reply is harmless).
APPEND = """
local owner = redis.call('HGET', KEYS[1], 'owner')
if not owner then return {-1, 0} end
if owner ~= ARGV[1] or redis.call('HGET', KEYS[1], 'status') ~= 'running' then return {-2, 0} end
local last = tonumber(redis.call('HGET', KEYS[1], 'last_id'))
local i = 10
while i <= #ARGV and tonumber(ARGV[i]) <= last do i = i + 2 end
if i <= #ARGV then
  if tonumber(ARGV[i]) ~= last + 1 then
    if ARGV[8] ~= '1' then return {-3, last} end
    redis.call('DEL', KEYS[2])
  end
  while i <= #ARGV do
    if i + 2 > #ARGV and ARGV[6] ~= '' then
      redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], ARGV[i] .. '-0', 'd', ARGV[i + 1], 'e', '1')
    else
      redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], ARGV[i] .. '-0', 'd', ARGV[i + 1])
    end
    last = tonumber(ARGV[i])
    i = i + 2
  end
  redis.call('HSET', KEYS[1], 'last_id', last)
end
if tonumber(ARGV[9]) > 1 then redis.call('XTRIM', KEYS[2], 'MINID', ARGV[9] .. '-0') end
redis.call('HSET', KEYS[1], 'info', ARGV[5])
if ARGV[6] ~= '' then
  redis.call('HSET', KEYS[1], 'status', ARGV[6])
  redis.call('DEL', KEYS[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[7])
  redis.call('PEXPIRE', KEYS[2], ARGV[7])
else
  redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
return {0, last}
"""

# KEYS: record, stream, lease. ARGV: owner, lease_ms, keep_ms. 1: a cancel was requested; 0: renewed.
RENEW = """
local owner = redis.call('HGET', KEYS[1], 'owner')
if not owner then return -1 end
if owner ~= ARGV[1] or redis.call('HGET', KEYS[1], 'status') ~= 'running' then return -2 end
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
if redis.call('HGET', KEYS[1], 'cancel') == '1' then return 1 end
return 0
"""

# KEYS: record, stream, lease. ARGV: expected last_id, data of event last_id + 1, maxlen, retention_ms.
# Any replica may end a run whose lease has expired; 1 if it did, 0 if the run is not (or no longer) lost,
# -3 if the owner appended since the caller read last_id (read again and retry).
MARK_LOST = """
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
local last = tonumber(redis.call('HGET', KEYS[1], 'last_id'))
if last ~= tonumber(ARGV[1]) then return -3 end
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[3], (last + 1) .. '-0', 'd', ARGV[2], 'e', '1')
redis.call('HSET', KEYS[1], 'last_id', last + 1, 'status', 'failed')
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1
"""

# KEYS: record. Returns the owner to notify, or the status when the run has ended, or nil when unknown.
REQUEST_CANCEL = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return nil end
if status ~= 'running' then return {0, status} end
redis.call('HSET', KEYS[1], 'cancel', '1')
return {1, redis.call('HGET', KEYS[1], 'owner')}
"""
