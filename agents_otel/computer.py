"""Computer use, as the OpenAI Agents SDK offers it: the ``Computer`` / ``AsyncComputer`` a program implements, and the
``ComputerTool`` that offers it to a Responses API model.

Why records here and the running elsewhere (:mod:`agents_otel.computer_run`): the tool is a line in the request's
``tools`` like the hosted tools (its entry is built here, from the model's name: the ``computer-use-preview`` models
take the preview entry with the display's size, every other model the GA ``{"type": "computer"}``), but the model's
``computer_call`` items are run by this process, on the program's computer, each in an ``execute_tool`` span.

The two ``str`` subclasses are how a computer call travels through the runtime's one tool-call path unchanged: a
call's actions as JSON text that still carries the model's ``computer_call`` item, and a screenshot's data URL that
carries the ``computer_call_output`` item the model reads. Run items read the items from them (``raw_item``,
``to_input_item()``), and the span records a screenshot's size and type, never its bytes.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Generic, Literal, Protocol, TypeAlias, TypeVar

from .exceptions import UserError
from .tool_features import ComputerToolCustomDataExtractor, checked_extractor

if TYPE_CHECKING:
    from openai.types.responses.response_computer_tool_call import PendingSafetyCheck

    from .agent import Agent
    from .context_wrapper import RunContextWrapper

Environment = Literal["mac", "windows", "ubuntu", "browser"]
Button = Literal["left", "right", "wheel", "back", "forward"]

COMPUTER_TOOL_NAME: Final = "computer_use_preview"
"""``ComputerTool.name``, as in the SDK (hooks, ``tool_choice``, name collisions)."""
COMPUTER_TRACE_NAME: Final = "computer"
"""The call's ``gen_ai.tool.name`` and its run items' ``tool_name``: the GA tool's name, as the SDK's traces show it."""
COMPUTER_TOOL_CHOICES: Final = frozenset(("computer", "computer_use", "computer_use_preview"))
"""``ModelSettings.tool_choice`` values that force the computer tool (sent as the entry's own type)."""
PREVIEW_MODEL_PREFIX: Final = "computer-use-preview"


class Computer(abc.ABC):
    """A computer driven by sync methods. The runtime calls them in a worker thread, never on the event loop.

    ``environment`` and ``dimensions`` are needed by the ``computer-use-preview`` models only. Mouse methods may also
    take a keyword-only ``keys`` argument: the modifier keys the model holds down (a method without one gets none,
    with a warning)."""

    @property
    def environment(self) -> Environment | None:
        return None

    @property
    def dimensions(self) -> tuple[int, int] | None:
        return None

    @abc.abstractmethod
    def screenshot(self) -> str:
        """The display as a base64-encoded PNG."""

    @abc.abstractmethod
    def click(self, x: int, y: int, button: Button) -> None: ...

    @abc.abstractmethod
    def double_click(self, x: int, y: int) -> None: ...

    @abc.abstractmethod
    def scroll(self, x: int, y: int, scroll_x: int, scroll_y: int) -> None: ...

    @abc.abstractmethod
    def type(self, text: str) -> None: ...

    @abc.abstractmethod
    def wait(self) -> None: ...

    @abc.abstractmethod
    def move(self, x: int, y: int) -> None: ...

    @abc.abstractmethod
    def keypress(self, keys: list[str]) -> None: ...

    @abc.abstractmethod
    def drag(self, path: list[tuple[int, int]]) -> None: ...


class AsyncComputer(abc.ABC):
    """A computer driven by async methods (a browser through Playwright, ...); see :class:`Computer`."""

    @property
    def environment(self) -> Environment | None:
        return None

    @property
    def dimensions(self) -> tuple[int, int] | None:
        return None

    @abc.abstractmethod
    async def screenshot(self) -> str:
        """The display as a base64-encoded PNG."""

    @abc.abstractmethod
    async def click(self, x: int, y: int, button: Button) -> None: ...

    @abc.abstractmethod
    async def double_click(self, x: int, y: int) -> None: ...

    @abc.abstractmethod
    async def scroll(self, x: int, y: int, scroll_x: int, scroll_y: int) -> None: ...

    @abc.abstractmethod
    async def type(self, text: str) -> None: ...

    @abc.abstractmethod
    async def wait(self) -> None: ...

    @abc.abstractmethod
    async def move(self, x: int, y: int) -> None: ...

    @abc.abstractmethod
    async def keypress(self, keys: list[str]) -> None: ...

    @abc.abstractmethod
    async def drag(self, path: list[tuple[int, int]]) -> None: ...


ComputerLike: TypeAlias = Computer | AsyncComputer
ComputerT = TypeVar("ComputerT", bound=ComputerLike)
ComputerT_co = TypeVar("ComputerT_co", bound=ComputerLike, covariant=True)
ComputerT_contra = TypeVar("ComputerT_contra", bound=ComputerLike, contravariant=True)


class ComputerCreate(Protocol[ComputerT_co]):
    """Makes the computer of one run: ``create(run_context=...)``, sync or async."""

    def __call__(self, *, run_context: RunContextWrapper[Any]) -> ComputerT_co | Awaitable[ComputerT_co]: ...


class ComputerDispose(Protocol[ComputerT_contra]):
    """Releases a run's computer when the run ends: ``dispose(run_context=..., computer=...)``, sync or async."""

    def __call__(
        self, *, run_context: RunContextWrapper[Any], computer: ComputerT_contra
    ) -> Awaitable[None] | None: ...


@dataclass
class ComputerProvider(Generic[ComputerT]):
    """A computer per run: ``create`` when the run first needs it, ``dispose`` when the run ends."""

    create: ComputerCreate[ComputerT]
    dispose: ComputerDispose[ComputerT] | None = None


@dataclass
class ComputerToolSafetyCheckData:
    """What ``ComputerTool.on_safety_check`` is asked about: one pending safety check of a computer call."""

    ctx_wrapper: RunContextWrapper[Any]
    agent: Agent[Any]
    tool_call: Any
    """The model's call, an ``openai`` ``ResponseComputerToolCall``."""
    safety_check: PendingSafetyCheck


@dataclass(eq=False)
class ComputerTool(Generic[ComputerT]):
    """Lets a Responses API model use a computer: ``computer`` is the program's ``Computer`` / ``AsyncComputer``, a
    ``create(run_context=...)`` factory, or a ``ComputerProvider`` (a computer per run, disposed when it ends).

    A call with pending safety checks runs only if ``on_safety_check`` (sync or async) acknowledges each one; one it
    declines fails the run (``UserError``). Without the callback the call runs unacknowledged, as in the SDK."""

    computer: ComputerT | ComputerCreate[ComputerT] | ComputerProvider[ComputerT]
    on_safety_check: Callable[[ComputerToolSafetyCheckData], bool | Awaitable[bool]] | None = None
    custom_data_extractor: ComputerToolCustomDataExtractor | None = field(default=None, kw_only=True)
    """``(ComputerToolCustomDataContext) -> mapping | None`` after each call: the SDK-only
    ``ToolCallOutputItem.custom_data``, which the model never reads."""

    def __post_init__(self) -> None:
        if self.on_safety_check is not None and not callable(self.on_safety_check):
            raise UserError(f"ComputerTool on_safety_check must be callable or None, got {self.on_safety_check!r}")
        checked_extractor(self.custom_data_extractor, COMPUTER_TOOL_NAME)
        config = self.computer
        provider = isinstance(config, ComputerProvider) or callable(getattr(config, "create", None))
        if not isinstance(config, Computer | AsyncComputer) and not provider and not callable(config):
            raise UserError(
                "ComputerTool computer must be a Computer, an AsyncComputer, a create(run_context=...) factory or a "
                f"ComputerProvider, got {type(config).__name__}"
            )

    @property
    def name(self) -> str:
        return COMPUTER_TOOL_NAME

    @property
    def trace_name(self) -> str:
        return COMPUTER_TRACE_NAME

    @property
    def include(self) -> str | None:
        return None

    def with_computer(self, computer: ComputerLike) -> ComputerTool[Any]:
        """A run's copy holding that run's computer (what the model request is built from)."""
        return dataclasses.replace(self, computer=computer)  # type: ignore[arg-type]

    def tool_param(self, model: str | None = None) -> dict[str, Any]:
        """The ``tools`` entry for ``model``: the preview entry (environment and display size) for the
        ``computer-use-preview`` models, the GA ``{"type": "computer"}`` for any other."""
        if not is_preview_model(model):
            return {"type": "computer"}
        computer = self.computer
        if not isinstance(computer, Computer | AsyncComputer):
            raise UserError(
                "ComputerTool has no computer yet: a run resolves it (resolve_computer(tool=..., run_context=...) does "
                "it by hand) before its entry can be built"
            )
        environment, dimensions = computer.environment, computer.dimensions
        if environment is None or dimensions is None:
            raise UserError(
                f"{type(computer).__name__} needs environment and dimensions for the {model!r} model's "
                "computer_use_preview tool"
            )
        return {
            "type": "computer_use_preview",
            "environment": environment,
            "display_width": dimensions[0],
            "display_height": dimensions[1],
        }

    def tool_choice(self, model: str | None) -> dict[str, Any]:
        """What ``tool_choice="computer"`` (or ``computer_use``, ``computer_use_preview``) forces on ``model``."""
        return {"type": "computer_use_preview" if is_preview_model(model) else "computer"}


def is_preview_model(model: str | None) -> bool:
    return isinstance(model, str) and model.startswith(PREVIEW_MODEL_PREFIX)


class ComputerCallText(str):
    """A computer call's actions as JSON (the call's ``arguments`` in its span and ``ToolCallItem``), carrying the
    model's ``computer_call`` item (``item``), which is what the call is in the conversation."""

    item: dict[str, Any]

    def __new__(cls, text: str, item: dict[str, Any]) -> ComputerCallText:
        made = super().__new__(cls, text)
        made.item = item
        return made

    def __reduce__(self) -> tuple[Any, ...]:  # pickled (a paused run's items) and copied with its item
        return (ComputerCallText, (str(self), self.item))


class ComputerScreenshot(str):
    """A computer call's result: the screenshot's data URL (``ToolCallOutputItem.output``, as in the SDK), carrying
    the ``computer_call_output`` item the model reads (``item``). ``screenshot`` is the base64 the computer returned
    (what ``on_tool_end`` gets, as in the SDK); ``size`` its decoded bytes, for the span instead of the image."""

    item: dict[str, Any]
    screenshot: str
    mime_type: str
    size: int

    def __new__(cls, screenshot: str, call_id: str, acknowledged: list[dict[str, Any]] | None) -> ComputerScreenshot:
        made = super().__new__(cls, f"data:image/png;base64,{screenshot}" if screenshot else "")
        output: dict[str, Any] = {"type": "computer_screenshot", "image_url": str(made)}
        made.item = {"type": "computer_call_output", "call_id": call_id, "output": output}
        if acknowledged:
            made.item["acknowledged_safety_checks"] = acknowledged
        made.screenshot = screenshot
        made.mime_type = "image/png"
        made.size = _decoded_size(screenshot)
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        acknowledged = self.item.get("acknowledged_safety_checks")
        return (ComputerScreenshot, (self.screenshot, self.item["call_id"], acknowledged))

    @property
    def description(self) -> str:
        """What a span records as the call's result (content capture on): the image's type and size, not its bytes."""
        return f"[{self.mime_type} screenshot, {self.size} bytes]"


def _decoded_size(data: str) -> int:
    """The decoded length of base64 text, from its length (the image is not decoded to measure it)."""
    stripped = data.rstrip("=")
    return len(stripped) * 3 // 4


__all__ = [
    "AsyncComputer",
    "Button",
    "Computer",
    "ComputerCallText",
    "ComputerCreate",
    "ComputerDispose",
    "ComputerProvider",
    "ComputerScreenshot",
    "ComputerTool",
    "ComputerToolSafetyCheckData",
    "Environment",
]
