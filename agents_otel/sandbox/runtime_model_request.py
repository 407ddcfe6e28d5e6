"""What a ``SandboxAgent``'s capabilities change in each of its model calls: extra request parameters
(``Capability.sampling_params``, merged into ``ModelSettings.extra_args``) and the model's input
(``Capability.process_context``), as the SDK's sandbox runtime applies them before every turn.

Why only capabilities that override those methods are asked: ``Shell`` and ``Filesystem`` change nothing, and a
run of them must not pay for converting its input on every turn. ``process_context`` gets the input as the SDK
gives it (Responses-format dicts); the items it keeps come back as the very items they were, so ids and everything
else the dict form does not carry survive.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..exceptions import UserError
from ..input_items import conversation_items, input_list
from .capabilities.capability import Capability

if TYPE_CHECKING:
    from ..models.interface import Model, ModelRequest


def _overrides(capability: Capability, name: str) -> bool:
    return getattr(type(capability), name) is not getattr(Capability, name)


@dataclasses.dataclass
class CapabilityRequestChanges:
    """The capabilities of one bound ``SandboxAgent`` that change its model requests."""

    sampling: list[Capability]
    context: list[Capability]

    @classmethod
    def of(cls, capabilities: Sequence[Capability]) -> CapabilityRequestChanges | None:
        sampling = [c for c in capabilities if _overrides(c, "sampling_params")]
        context = [c for c in capabilities if _overrides(c, "process_context")]
        return cls(sampling, context) if sampling or context else None

    def apply(self, model: Model, request: ModelRequest) -> ModelRequest:
        settings = request.settings
        if self.sampling:
            extra = dict(settings.extra_args or {})
            name = getattr(model, "model", None) or getattr(model, "model_name", None)
            for capability in self.sampling:
                params = {**extra, **({"model": name} if isinstance(name, str) and name else {})}
                wanted = capability.sampling_params(params)
                if not isinstance(wanted, Mapping):
                    raise UserError(
                        f"{type(capability).__name__}.sampling_params() returned {type(wanted).__name__}, not a dict"
                    )
                extra = _deep_merge(extra, wanted)
            settings = dataclasses.replace(settings, extra_args=extra or None)
        items = request.input
        if self.context:
            items = _processed(self.context, items)
        return dataclasses.replace(request, settings=settings, input=items)


def _processed(capabilities: list[Capability], items: list[Any]) -> list[Any]:
    dicts = input_list(items)
    originals = {id(d): item for d, item in zip(dicts, items, strict=True)}
    current: list[Any] = dicts
    for capability in capabilities:
        current = capability.process_context(current)
        if not isinstance(current, list):
            raise UserError(
                f"{type(capability).__name__}.process_context() returned {type(current).__name__}, not a list"
            )
    return [originals.get(id(entry)) or conversation_items([entry])[0] for entry in current]


def _deep_merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged
