"""Hosted tools: tools the model provider runs itself (OpenAI's web search, file search, code interpreter and image
generation), with the OpenAI Agents SDK's classes and fields.

Why records and not ``FunctionTool``s: nothing runs here. The tool is a line in the request's ``tools``; the model
calls it on OpenAI's side and its output already holds the call (a ``web_search_call`` item, ...), which the run
shows as a ``ToolCallItem`` and sends back on the next turn as it came. Only the OpenAI Responses API takes them;
every other model refuses a request that has one (``UserError``), never sends it without them.

Each class checks its fields when it is built (a wrong value would otherwise surface as an API error at the first
model call, or not at all) and knows its ``tools`` entry (:meth:`tool_param`) and the ``include`` value it needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal, Required, TypeAlias, TypedDict

from .computer import ComputerTool
from .exceptions import UserError
from .hosted_mcp import HostedMCPTool
from .items import RawInputItem, ToolCallItem
from .responses_format import hosted_call_object
from .tool_search import ProgrammaticToolCallingTool, ToolSearchTool

if TYPE_CHECKING:
    from openai.types.responses.file_search_tool_param import Filters, RankingOptions
    from openai.types.responses.tool_param import CodeInterpreter, ImageGeneration, ImageGenerationInputImageMask
    from openai.types.responses.web_search_tool import Filters as WebSearchToolFilters
    from openai.types.responses.web_search_tool_param import UserLocation

    from .stream_events import RunItemEventName

HOSTED_CALL_TYPES: Final[dict[str, str]] = {
    "web_search_call": "web_search",
    "file_search_call": "file_search",
    "code_interpreter_call": "code_interpreter",
    "image_generation_call": "image_generation",
    "mcp_call": "hosted_mcp",
}
"""Responses API output item type of a hosted call -> the name of the tool that made it (``ToolCallItem.tool_name``
and ``gen_ai.tool.name``); an ``mcp_call`` names its MCP tool itself (:func:`hosted_tool_name`)."""

HOSTED_TOOL_CHOICES: Final = frozenset(("web_search", "file_search", "code_interpreter", "image_generation", "mcp"))
"""``ModelSettings.tool_choice`` values that force a hosted tool (sent as ``{"type": ...}``), as in the SDK."""

_CONTEXT_SIZES = ("low", "medium", "high")
_CONTENT_TYPES = ("text", "image")


class WebSearchToolImageSettings(TypedDict, total=False):
    """``WebSearchTool(image_settings=...)``, as in the SDK: how image results come back when
    ``search_content_types`` includes ``"image"``."""

    max_results: int
    """How many image results to return."""
    caption: bool
    """Whether each image gets a short caption when one is available."""


class ImageGenerationToolConfig(TypedDict, total=False):
    """``ImageGenerationTool(tool_config=...)`` as a typed dict, as the SDK names it: the Responses API's
    ``image_generation`` tool entry, sent as given (the API checks what each model supports)."""

    type: Required[Literal["image_generation"]]
    action: Literal["generate", "edit", "auto"]
    background: Literal["transparent", "opaque", "auto"]
    input_fidelity: Literal["high", "low"] | None
    input_image_mask: ImageGenerationInputImageMask
    model: str
    moderation: Literal["auto", "low"]
    output_compression: int
    output_format: Literal["png", "webp", "jpeg"]
    partial_images: int
    quality: Literal["low", "medium", "high", "xhigh", "max", "auto"]
    size: str


@dataclass
class WebSearchTool:
    """Lets the model search the web (Responses API only). ``filters`` may be a dict; it is read as the ``openai``
    package's ``Filters`` model, as the SDK does."""

    user_location: UserLocation | None = None
    filters: WebSearchToolFilters | dict[str, Any] | None = None
    search_context_size: Literal["low", "medium", "high"] = "medium"
    external_web_access: bool | None = None
    """``False`` asks for cached / indexed results only; ``None`` leaves it to the API."""
    search_content_types: list[Literal["text", "image"]] | None = None
    """The kinds of results the search may return (``None``: the API's default, text only). With ``"image"`` the
    request also asks for the call's results (``include=["web_search_call.results"]``), as the SDK does, so the
    images reach the ``web_search_call`` item."""
    image_settings: WebSearchToolImageSettings | None = None
    """How image results come back (:class:`WebSearchToolImageSettings`), sent as given."""

    def __post_init__(self) -> None:
        if self.search_context_size not in _CONTEXT_SIZES:
            raise UserError(
                f"WebSearchTool search_context_size must be one of {_CONTEXT_SIZES}, got {self.search_context_size!r}"
            )
        if self.user_location is not None and not isinstance(self.user_location, Mapping):
            raise UserError(f"WebSearchTool user_location must be a dict, got {type(self.user_location).__name__}")
        if self.external_web_access is not None and not isinstance(self.external_web_access, bool):
            raise UserError("WebSearchTool external_web_access must be a bool or None")
        kinds = self.search_content_types
        if kinds is not None and (
            not isinstance(kinds, list | tuple) or not all(k in _CONTENT_TYPES for k in kinds)
        ):
            raise UserError(f"WebSearchTool search_content_types must be a list of 'text' / 'image', got {kinds!r}")
        if self.image_settings is not None and not isinstance(self.image_settings, Mapping):
            raise UserError(f"WebSearchTool image_settings must be a dict, got {type(self.image_settings).__name__}")
        if isinstance(self.filters, Mapping):
            from openai.types.responses.web_search_tool import Filters as WebSearchToolFilters

            self.filters = WebSearchToolFilters.model_validate(dict(self.filters))

    @property
    def name(self) -> str:
        return "web_search"

    @property
    def include(self) -> str | None:
        kinds = self.search_content_types
        return "web_search_call.results" if kinds is not None and "image" in kinds else None

    def tool_param(self) -> dict[str, Any]:
        """The ``tools`` entry, field for field as the SDK sends it (``None`` fields included)."""
        filters: Any = self.filters
        param: dict[str, Any] = {
            "type": "web_search",
            "filters": filters.model_dump() if filters is not None else None,
            "user_location": self.user_location,
            "search_context_size": self.search_context_size,
        }
        if self.external_web_access is not None:
            param["external_web_access"] = self.external_web_access
        if self.search_content_types is not None:
            param["search_content_types"] = list(self.search_content_types)
        if self.image_settings is not None:
            param["image_settings"] = dict(self.image_settings)
        return param


@dataclass
class FileSearchTool:
    """Lets the model search OpenAI vector stores (Responses API only). ``include_search_results=True`` asks the API
    to put the matched chunks in the ``file_search_call`` item (``include=["file_search_call.results"]``)."""

    vector_store_ids: list[str]
    max_num_results: int | None = None
    """1 to 50; ``None`` or 0: the API's default."""
    include_search_results: bool = False
    ranking_options: RankingOptions | None = None
    filters: Filters | None = None

    def __post_init__(self) -> None:
        ids = self.vector_store_ids
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise UserError("FileSearchTool vector_store_ids must be a list of vector store id strings")
        limit = self.max_num_results
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= 50):
            raise UserError(
                f"FileSearchTool max_num_results must be None, 0 (the API's default) or 1 to 50, got {limit!r}"
            )
        if not isinstance(self.include_search_results, bool):
            raise UserError("FileSearchTool include_search_results must be a bool")

    @property
    def name(self) -> str:
        return "file_search"

    @property
    def include(self) -> str | None:
        return "file_search_call.results" if self.include_search_results else None

    def tool_param(self) -> dict[str, Any]:
        param: dict[str, Any] = {"type": "file_search", "vector_store_ids": self.vector_store_ids}
        if self.max_num_results:
            param["max_num_results"] = self.max_num_results
        if self.ranking_options:
            param["ranking_options"] = self.ranking_options
        if self.filters:
            param["filters"] = self.filters
        return param


def _check_config(owner: str, config: Any, kind: str) -> None:
    """A hosted tool's ``tool_config`` is the API's own tool entry: it must say which tool it is, or the request
    would offer the model a different tool than the one the program named."""
    if not isinstance(config, Mapping) or config.get("type") != kind:
        raise UserError(f'{owner} tool_config must be a dict with "type": "{kind}", got {config!r}')


@dataclass
class CodeInterpreterTool:
    """Lets the model run code in an OpenAI container (Responses API only), e.g.
    ``CodeInterpreterTool(tool_config={"type": "code_interpreter", "container": {"type": "auto"}})``."""

    tool_config: CodeInterpreter

    def __post_init__(self) -> None:
        _check_config("CodeInterpreterTool", self.tool_config, "code_interpreter")

    @property
    def name(self) -> str:
        return "code_interpreter"

    @property
    def include(self) -> str | None:
        return None

    def tool_param(self) -> dict[str, Any]:
        return dict(self.tool_config)


@dataclass
class ImageGenerationTool:
    """Lets the model generate images (Responses API only), e.g.
    ``ImageGenerationTool(tool_config={"type": "image_generation", "quality": "low"})``."""

    tool_config: ImageGenerationToolConfig | ImageGeneration

    def __post_init__(self) -> None:
        _check_config("ImageGenerationTool", self.tool_config, "image_generation")

    @property
    def name(self) -> str:
        return "image_generation"

    @property
    def include(self) -> str | None:
        return None

    def tool_param(self) -> dict[str, Any]:
        return dict(self.tool_config)


@dataclass(slots=True, kw_only=True)
class HostedToolCallItem(ToolCallItem):
    """A call the model made to a hosted tool (``WebSearchTool``, ...), which the provider ran before answering.

    A ``ToolCallItem`` (``type == "tool_call_item"``, streamed as ``tool_called``) as in the SDK, with no output item
    after it: the result is already in the model's answer. ``data`` is the Responses API output item as JSON (a
    ``web_search_call`` ...); ``raw_item`` is it as the ``openai`` object, and it goes back to the model on the next
    turn unchanged. ``tool_call_id`` is the item's ``id``, ``tool_name`` the hosted tool's name (``web_search``), and
    ``span_id`` the ``chat`` span of the model call that made it (there is no ``execute_tool`` span: nothing ran
    here). ``arguments`` is what the model asked the tool for (``action``, ``queries``, ``code``) as JSON."""

    data: dict[str, Any]
    event_name: ClassVar[RunItemEventName] = "tool_called"

    def conversation_item(self) -> RawInputItem:
        return RawInputItem(self.data)

    def result(self) -> dict[str, Any]:
        """What the provider reported for the call (``status``, ``action``, ``results``, ``outputs``, an image's
        ``result``...): the item without its ``id`` and ``type``. Protocol adapters show it as the call's output,
        so a UI closes the call it opened (no ``tool_output`` event follows a hosted call)."""
        return {key: value for key, value in self.data.items() if key not in ("id", "type")}

    def _raw_item(self) -> Any:
        return hosted_call_object(self.data)


HostedTool: TypeAlias = (
    WebSearchTool
    | FileSearchTool
    | CodeInterpreterTool
    | ImageGenerationTool
    | HostedMCPTool
    | ToolSearchTool
    | ProgrammaticToolCallingTool
    | ComputerTool[Any]
)
"""A Responses API built-in tool entry. A ``ComputerTool`` is one too, though its calls run in this process
(:mod:`agents_otel.computer_run`)."""
HOSTED_TOOL_CLASSES: Final = (
    WebSearchTool,
    FileSearchTool,
    CodeInterpreterTool,
    ImageGenerationTool,
    HostedMCPTool,
    ToolSearchTool,
    ProgrammaticToolCallingTool,
    ComputerTool,
)


def hosted_call_name(item_type: object) -> str | None:
    """The hosted tool that made an output item of this type; ``None``: not a hosted call."""
    return HOSTED_CALL_TYPES.get(item_type) if isinstance(item_type, str) else None


def hosted_tool_name(data: Mapping[str, Any]) -> str | None:
    """The tool a hosted call item called (``web_search``; for an ``mcp_call`` the MCP server's tool, as the SDK's
    ``ToolCallItem.tool_name``); ``None``: not a hosted call."""
    kind = data.get("type")
    if kind == "mcp_call":
        name = data.get("name")
        return name if isinstance(name, str) and name else "hosted_mcp"
    return hosted_call_name(kind)


__all__ = [
    "HOSTED_CALL_TYPES",
    "HOSTED_TOOL_CHOICES",
    "CodeInterpreterTool",
    "FileSearchTool",
    "HostedTool",
    "HostedToolCallItem",
    "ImageGenerationTool",
    "WebSearchTool",
    "hosted_call_name",
    "hosted_tool_name",
]
