"""The settings an agent's model calls use in a run, as the OpenAI Agents SDK 0.25 resolves them: settings the
application gave, as given; left out, the implied defaults of the model the run resolves (``gpt5_defaults``, or
the model's own ``get_default_model_settings()``), which a model may leave out of a request they would contradict.

Why a module of its own: the run (``agent_loop``) asks it once per agent span, the agent records which settings
were left out (``OmittedSettings``), and the models only see the result; ``gpt5_defaults`` stays a function of names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from .gpt5_defaults import get_default_model_settings
from .interface import Model, ModelSettings

_UNSET = ModelSettings()
_IMPLIED_FIELDS = ("reasoning", "verbosity")
"""The fields a model may leave out of a request when they hold implied defaults (``Model._request_settings``)."""


@dataclass(frozen=True, slots=True)
class OmittedSettings:
    """An agent whose ``model_settings`` were left out (or a clone sharing them): ``settings`` is the very object
    the agent got, ``default_model`` the default model when it was built (the SDK fixes an unnamed agent's
    defaults then). The agent counts as setting none while ``agent.model_settings is settings``."""

    settings: ModelSettings
    default_model: str


def agent_settings(
    agent: Any, run_model: str | Model | None, model: Model, override: ModelSettings | Mapping[str, Any] | None
) -> tuple[ModelSettings, frozenset[str]]:
    """The settings of the agent's model calls in this run, and which of ``reasoning`` / ``verbosity`` hold implied
    defaults (that a model may leave out of a request, ``Model._request_settings``), as the SDK 0.25 resolves them.

    Settings the application gave are used as given. Left out: the defaults of the model the run resolves, by
    ``RunConfig.model`` first, then the agent's model: a ``Model`` object implies none; a plain name its own; a
    routed name (``"litellm/openai/gpt-5"``) or no name at all, what the resolved model says of itself
    (``model.get_default_model_settings()``), else the name's, else the default model's when the agent was built.
    Left out but edited in place (``agent.model_settings.temperature = 0.3``): the agent's own defaults with the
    edits. ``override`` (``RunConfig.model_settings``) is layered on last. Asked once per agent span.

    ``agent`` is an ``Agent`` (its ``model_settings``, ``model`` and the ``OmittedSettings`` it keeps)."""
    agent_settings_: ModelSettings = agent.model_settings
    agent_model: str | Model | None = agent.model
    omitted: OmittedSettings | None = getattr(agent, "_omitted_settings", None)
    if omitted is None or omitted.settings is not agent_settings_:
        return agent_settings_.resolve(override), frozenset()
    if agent_settings_ == _UNSET:
        settings = _for_resolved(agent_model, omitted, run_model, model)
    else:
        base = _for(agent_model if agent_model is not None else omitted.default_model)
        edits = {f.name: getattr(agent_settings_, f.name) for f in fields(ModelSettings)}
        settings = replace(base, **{name: value for name, value in edits.items() if value is not None})
    implied = {name for name in _IMPLIED_FIELDS if getattr(agent_settings_, name) is None}
    settings = settings.resolve(override)
    if override is not None:
        given = override if isinstance(override, Mapping) else {name: getattr(override, name) for name in implied}
        implied = {name for name in implied if given.get(name) is None}
    return settings, frozenset(name for name in implied if getattr(settings, name) is not None)


def _for_resolved(
    agent_model: str | Model | None, omitted: OmittedSettings, run_model: str | Model | None, model: Model
) -> ModelSettings:
    selection = run_model if run_model is not None else agent_model
    if isinstance(selection, Model):
        return ModelSettings()
    if isinstance(selection, str) and "/" not in selection:
        return get_default_model_settings(selection)
    defaults = model.get_default_model_settings()
    if defaults is not None:
        return defaults
    return get_default_model_settings(selection if selection is not None else omitted.default_model)


def _for(model: str | Model | None) -> ModelSettings:
    return ModelSettings() if isinstance(model, Model) else get_default_model_settings(model)


def without_implied(
    settings: ModelSettings, implied: frozenset[str], *, reasoning: bool = False, verbosity: bool = False
) -> ModelSettings:
    """``settings`` without the implied ``reasoning`` (``verbosity``) when asked and implied (for
    ``Model._request_settings``): an application's own setting is never dropped."""
    changes = {name: None for name, drop in (("reasoning", reasoning), ("verbosity", verbosity))
               if drop and name in implied}  # fmt: skip
    return replace(settings, **changes) if changes else settings
