"""The runner's side of Responses compaction sessions: when a run asks a session to compact its history.

A session that has a ``run_compaction`` method (``OpenAIResponsesCompactionSession``, or a store of the
application's own) is *compaction-aware*, as the SDK's ``is_openai_responses_compaction_aware_session`` decides it.
After a turn's items are saved, the run calls ``run_compaction({"response_id": ..., "force": ..., "store": ...})``
with the id of the turn's model response, as the SDK does. Two rules come from the SDK:

* a turn that ended with local tool (or handoff) outputs does not compact: the model has not yet read them, and a
  compaction would summarise a half-finished exchange. The session is told instead (``_defer_compaction``), and
  the next turn that ends without tool outputs compacts with ``force=True`` if the deferred turn was due;
* a ``run_compaction`` that takes a ``wrapper`` keyword gets the run's ``RunContextWrapper``, so the compaction
  request's tokens count in the run's usage.

A run whose session is not compaction-aware pays one boolean test per saved turn, nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol, TypedDict, runtime_checkable

from .items import FunctionCallOutput, RawInputItem
from .sessions import Session, takes_wrapper

if TYPE_CHECKING:
    from typing import TypeGuard

    from .agent_loop import AgentLoop
    from .items import ConversationItem

OpenAIResponsesCompactionMode = Literal["previous_response_id", "input", "auto"]
"""How a compaction request gives the history: the stored response's id, the session's items, or ``auto``
(the items when the last response was not stored or has no id, else the id)."""


class OpenAIResponsesCompactionArgs(TypedDict, total=False):
    """What a run passes to ``run_compaction`` (every key optional), as the SDK's type of the same name."""

    response_id: str
    """The turn's model response: what ``previous_response_id`` compaction continues from."""
    compaction_mode: OpenAIResponsesCompactionMode
    """Overrides the session's own ``compaction_mode`` for this call."""
    store: bool
    """Whether that response was stored (``ModelSettings.store``); ``False`` keeps ``auto`` off the response id."""
    force: bool
    """Compact even though the session's decision hook would not."""


@runtime_checkable
class OpenAIResponsesCompactionAwareSession(Session, Protocol):
    """A session the run asks to compact its history after each turn."""

    async def run_compaction(self, args: OpenAIResponsesCompactionArgs | None = None) -> None:
        """Compact the stored history if due (or if ``args["force"]``)."""
        ...


def is_openai_responses_compaction_aware_session(
    session: Session | None,
) -> TypeGuard[OpenAIResponsesCompactionAwareSession]:
    """Whether the run will ask ``session`` to compact: it has a callable ``run_compaction`` (an attribute that
    raises counts as none, as in the SDK)."""
    if session is None:
        return False
    try:
        method = getattr(session, "run_compaction", None)
    except Exception:
        return False
    return callable(method)


async def compact_after_turn(
    loop: AgentLoop, session: OpenAIResponsesCompactionAwareSession, saved: list[ConversationItem]
) -> None:
    """After a turn's ``saved`` items went into ``session``: ask it to compact, or to defer (see the module)."""
    response_id = loop.responses[-1].response_id if loop.responses else None
    if not response_id:  # nothing to refer to (a model without response ids), as in the SDK
        return
    agent = loop.last_agent
    store = agent.model_settings.resolve(loop.run.config.model_settings).store if agent is not None else None
    if any(_is_tool_output(item) for item in saved):
        defer = getattr(session, "_defer_compaction", None)
        if callable(defer):
            await defer(response_id, store=store)
        return
    deferred = getattr(session, "_get_deferred_compaction_response_id", None)
    args: OpenAIResponsesCompactionArgs = {
        "response_id": response_id,
        "force": callable(deferred) and deferred() is not None,
    }
    if store is not None:
        args["store"] = store
    run_compaction = session.run_compaction
    if takes_wrapper(run_compaction):
        await run_compaction(args, wrapper=loop.wrapper)  # type: ignore[call-arg]
    else:
        await run_compaction(args)


def _is_tool_output(item: ConversationItem) -> bool:
    if isinstance(item, FunctionCallOutput):
        return True
    return isinstance(item, RawInputItem) and str(item.data.get("type", "")).endswith("_call_output")

