"""``Agent(prompt=...)``: a prompt template stored with OpenAI, as the OpenAI Agents SDK takes it.

Why it is resolved here and not in the model: a dynamic prompt is a function of the run's context and the agent, asked
before every model call as instructions are, and the Responses API is the only API that takes one. So the agent
loop resolves it to the API's plain ``prompt`` object (``id``, ``version``, ``variables``) each turn, the Responses
model sends it, and every other model refuses it loudly rather than run without the template.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NotRequired, TypeAlias, TypedDict

from .context_wrapper import RunContextWrapper
from .exceptions import UserError

if TYPE_CHECKING:
    from .agent import Agent


class Prompt(TypedDict):
    """A stored prompt: its ``id``, optionally a ``version`` and ``variables`` (strings, or input content parts)."""

    id: str
    version: NotRequired[str | None]
    variables: NotRequired[dict[str, Any] | None]


@dataclass
class GenerateDynamicPromptData:
    """What a dynamic prompt function receives, as in the SDK."""

    context: RunContextWrapper[Any]
    agent: Agent[Any]


DynamicPromptFunction: TypeAlias = Callable[[GenerateDynamicPromptData], "Prompt | Awaitable[Prompt]"]


def check_prompt(prompt: Any, agent_name: str) -> None:
    """Refuse at ``Agent(...)`` what could never be sent: neither a prompt mapping nor a function."""
    if prompt is None or callable(prompt):
        return
    if not isinstance(prompt, Mapping):
        raise UserError(
            f"Agent {agent_name!r}: prompt must be a dict with an 'id' or a function, got {type(prompt).__name__}"
        )
    _checked(prompt, agent_name)


async def resolve_prompt(
    prompt: Prompt | DynamicPromptFunction | None, context: RunContextWrapper[Any], agent: Agent[Any]
) -> dict[str, Any] | None:
    """The prompt as the Responses API takes it for this model call (``None``: the agent has none)."""
    if prompt is None:
        return None
    if callable(prompt):
        value: Any = prompt(GenerateDynamicPromptData(context=context, agent=agent))
        if inspect.isawaitable(value):
            value = await value
        if not isinstance(value, Mapping):
            raise UserError(f"Agent {agent.name!r}: the prompt function returned {type(value).__name__}, not a prompt")
        prompt = value  # type: ignore[assignment]
    return _checked(prompt, agent.name)  # type: ignore[arg-type]


def _checked(prompt: Mapping[str, Any], agent_name: str) -> dict[str, Any]:
    unknown = sorted(set(prompt) - {"id", "version", "variables"})
    if not isinstance(prompt.get("id"), str) or unknown:
        raise UserError(
            f"Agent {agent_name!r}: a prompt needs 'id' (a string) and may have 'version' and 'variables'; "
            f"got keys {sorted(prompt)}"
        )
    out: dict[str, Any] = {"id": prompt["id"]}
    if prompt.get("version") is not None:
        out["version"] = prompt["version"]
    variables = prompt.get("variables")
    if variables:
        out["variables"] = {name: _variable(value) for name, value in variables.items()}
    return out


def _variable(value: Any) -> Any:
    """A string as it is; an ``openai`` content part (``ResponseInputText``, an image, a file) as its dict."""
    dump = getattr(value, "model_dump", None)
    return dump(exclude_unset=True) if callable(dump) else value
