"""Compatibility: ``RunConfig(session_input_callback=...)`` as in the OpenAI Agents SDK.

With a session, ``callback(history, new_input)`` (sync or async; both lists of Responses-format dicts, a string input
being one user message) returns the list the run starts from: what the model reads first and ``result.input``.
The lists are in the normalised form the run sends (as ``to_input_list()`` gives them). As in the SDK the session
then gets only the new turn: the returned items that are not the history's (the history objects it was given, or
copies equal to history items), so a callback that repeats, reorders or filters the history objects it was given
never makes the session grow, and new input it drops is not saved. A list input with a session is fine
with or without a callback, as in the SDK. A result that is not a list is a ``UserError``, as in the SDK; what the
callback raises propagates and nothing is saved; the callback gets deep copies (editing them cannot reach the
caller's input). Ours besides: a returned item no model could be given is a ``UserError`` naming the callback, and a
non-callable value is a ``UserError`` when the ``RunConfig`` is made.
"""

from __future__ import annotations

from typing import Any

import pytest

from agents_otel import Agent, RunConfig, Runner, SQLiteSession, UserError, UserMessage
from agents_otel.sessions import SessionItem
from agents_otel.testing import ScriptedModel, assistant_message

HISTORY: list[SessionItem] = [
    {"role": "user", "content": "Hello there."},
    {"role": "assistant", "content": "Hi, I'm here to assist you."},
]


def texts(items: list[Any]) -> list[str]:
    """Each item's text: a user message's content, an assistant message's output text."""
    out = []
    for item in items:
        content = item.get("content") if isinstance(item, dict) else item.content
        if isinstance(content, list):
            content = "".join(part.get("text", "") for part in content)
        out.append(content)
    return out


async def session_with_history() -> SQLiteSession:
    session = SQLiteSession("cb")
    await session.add_items(HISTORY)
    return session


def sent(model: ScriptedModel) -> list[str]:
    """The texts of the messages the model's first call read."""
    return texts([item for item in model.calls[0].input if hasattr(item, "content")])


@pytest.mark.parametrize("mode", ["run", "run_streamed"])
async def test_the_callback_decides_what_the_run_starts_from(mode: str) -> None:
    session = await session_with_history()
    model = ScriptedModel([[assistant_message("I'm a bot")]])
    agent = Agent(name="A", model=model)
    seen: list[tuple[list[SessionItem], list[SessionItem]]] = []

    def users_only(history: list[SessionItem], new_input: list[SessionItem]) -> list[SessionItem]:
        seen.append((list(history), list(new_input)))
        return [item for item in history if item.get("role") == "user"] + new_input

    config = RunConfig(session_input_callback=users_only)
    new_turn = [{"role": "user", "content": "What is your name?"}]
    if mode == "run":
        result = await Runner.run(agent, new_turn, session=session, run_config=config)
    else:
        streamed = Runner.run_streamed(agent, new_turn, session=session, run_config=config)
        async for _ in streamed.stream_events():
            pass
        result = streamed  # type: ignore[assignment]
    # in the normalised form the run sends (as to_input_list() gives it): here both as they were stored
    ((history, new_input),) = seen
    assert [item["role"] for item in history] == ["user", "assistant"] and texts(history) == texts(HISTORY)
    assert history == HISTORY and new_input == new_turn  # plain assistant text stays plain, as stored (SDK 0.25)
    assert sent(model) == ["Hello there.", "What is your name?"]  # the assistant message left out
    assert texts(result.input) == ["Hello there.", "What is your name?"]  # type: ignore[arg-type]
    # the session keeps its whole history; it gained this turn's input and answer only
    assert texts(await session.get_items()) == [*texts(HISTORY), "What is your name?", "I'm a bot"]


async def test_a_string_input_reaches_the_callback_as_one_user_message_and_async_works() -> None:
    session = await session_with_history()
    model = ScriptedModel([[assistant_message("ok")]])
    received: list[list[SessionItem]] = []

    async def newest_first(history: list[SessionItem], new_input: list[SessionItem]) -> list[SessionItem]:
        received.append(new_input)
        return new_input + history[::-1]

    await Runner.run(
        Agent(name="A", model=model), "hi", session=session, run_config=RunConfig(session_input_callback=newest_first)
    )
    assert received == [[{"role": "user", "content": "hi"}]]
    assert sent(model) == ["hi", "Hi, I'm here to assist you.", "Hello there."]
    assert texts(await session.get_items()) == [*texts(HISTORY), "hi", "ok"]


def repeat_first(history: list[SessionItem], new_input: list[SessionItem]) -> list[SessionItem]:
    return new_input if not history else [*history, history[0], *new_input]


async def test_repeating_history_never_grows_the_session() -> None:
    """The SDK's test: three turns with a callback that repeats the first history item."""
    session = SQLiteSession("repeat")
    model = ScriptedModel([[assistant_message(f"assistant {turn}")] for turn in range(3)])
    agent = Agent(name="A", model=model)
    config = RunConfig(session_input_callback=repeat_first)
    for turn in range(3):
        await Runner.run(agent, f"user {turn}", session=session, run_config=config)
    stored = await session.get_items()
    assert texts(stored) == ["user 0", "assistant 0", "user 1", "assistant 1", "user 2", "assistant 2"]
    assert texts(model.calls[2].input) == [  # type: ignore[arg-type]
        "user 0", "assistant 0", "user 1", "assistant 1", "user 0", "user 2"
    ]


async def test_copies_of_history_items_are_not_saved_again_but_a_repeated_message_is() -> None:
    """A callback that rebuilds every item: a copy counts as the history item it equals, once per such item, so
    the user's new "yes" is saved although an earlier "yes" is in the history."""
    session = SQLiteSession("copies")
    await session.add_items([{"role": "user", "content": "yes"}, {"role": "assistant", "content": "sure?"}])
    model = ScriptedModel([[assistant_message("done")]])

    def rebuild(history: list[SessionItem], new_input: list[SessionItem]) -> list[SessionItem]:
        return [dict(item) for item in history + new_input]

    await Runner.run(
        Agent(name="A", model=model), "yes", session=session, run_config=RunConfig(session_input_callback=rebuild)
    )
    assert texts(await session.get_items()) == ["yes", "sure?", "yes", "done"]


async def test_new_input_the_callback_drops_is_not_saved_and_items_it_adds_are() -> None:
    session = await session_with_history()
    model = ScriptedModel([[assistant_message("ok")]])

    def replace(history: list[SessionItem], new_input: list[SessionItem]) -> list[SessionItem]:
        return [*history, {"role": "user", "content": "rephrased: " + new_input[1]["content"]}]

    new_turn = [{"role": "user", "content": "noise"}, {"role": "user", "content": "question"}]
    await Runner.run(
        Agent(name="A", model=model), new_turn, session=session, run_config=RunConfig(session_input_callback=replace)
    )
    assert sent(model) == [*texts(HISTORY), "rephrased: question"]
    assert texts(await session.get_items()) == [*texts(HISTORY), "rephrased: question", "ok"]


async def test_the_callback_gets_copies() -> None:
    session = await session_with_history()
    content = [{"type": "input_text", "text": "original"}]
    new_turn = [{"role": "user", "content": content}]

    def vandal(history: list[SessionItem], new_input: list[SessionItem]) -> list[SessionItem]:
        new_input[0]["content"][0]["text"] = "edited"
        return history + new_input

    model = ScriptedModel([[assistant_message("ok")]])
    await Runner.run(
        Agent(name="A", model=model), new_turn, session=session, run_config=RunConfig(session_input_callback=vandal)
    )
    assert content == [{"type": "input_text", "text": "original"}]  # the caller's input is untouched
    assert sent(model)[-1] == "edited"  # what the callback returned is what the run starts from


async def test_a_list_input_with_a_session_needs_no_callback() -> None:
    """The SDK once required a callback for a list input with a session; it no longer does, nor do we."""
    session = await session_with_history()
    model = ScriptedModel([[assistant_message("ok")]])
    await Runner.run(Agent(name="A", model=model), [{"role": "user", "content": "q"}], session=session)
    assert sent(model) == [*texts(HISTORY), "q"]


async def test_a_result_that_is_not_a_list_is_a_user_error_and_nothing_is_saved() -> None:
    session = await session_with_history()
    model = ScriptedModel([[assistant_message("never")]])
    config = RunConfig(session_input_callback=lambda history, new_input: tuple(history + new_input))  # type: ignore[arg-type,return-value]
    with pytest.raises(UserError, match="session_input_callback must return a list of input items, got tuple"):
        await Runner.run(Agent(name="A", model=model), "q", session=session, run_config=config)
    assert model.calls == [] and await session.get_items() == HISTORY


async def test_an_item_no_model_could_be_given_is_a_user_error() -> None:
    session = await session_with_history()
    config = RunConfig(session_input_callback=lambda history, new_input: [*new_input, "not an item"])  # type: ignore[list-item]
    with pytest.raises(UserError, match="returned an item no model could be given: Input item 1"):
        await Runner.run(Agent(name="A", model=ScriptedModel([])), "q", session=session, run_config=config)
    assert await session.get_items() == HISTORY


async def test_what_the_callback_raises_propagates_and_nothing_is_saved() -> None:
    session = await session_with_history()

    def broken(history: list[SessionItem], new_input: list[SessionItem]) -> list[SessionItem]:
        raise LookupError("no summary service")

    with pytest.raises(LookupError, match="no summary service"):
        await Runner.run(
            Agent(name="A", model=ScriptedModel([])), "q", session=session,
            run_config=RunConfig(session_input_callback=broken),
        )
    assert await session.get_items() == HISTORY


async def test_without_a_session_the_callback_is_not_called() -> None:
    called: list[int] = []

    def spy(history: list[SessionItem], new_input: list[SessionItem]) -> list[SessionItem]:
        called.append(1)
        return []

    model = ScriptedModel([[assistant_message("ok")]])
    result = await Runner.run(Agent(name="A", model=model), "q", run_config=RunConfig(session_input_callback=spy))
    assert result.final_output == "ok" and called == []
    assert model.calls[0].input == [UserMessage("q")]


def test_a_value_that_is_not_a_function_is_a_user_error() -> None:
    with pytest.raises(UserError, match="session_input_callback must be a function"):
        RunConfig(session_input_callback="append")  # type: ignore[arg-type]
