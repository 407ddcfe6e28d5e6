"""``view_image``: an image file of the sandbox workspace, shown to the model as a ``ToolOutputImage`` (a data URL).

Why the type is read from the bytes, not the name: a model may ask for any path, and a file named ``.png`` that is
not an image must be an answer the model reads ("not an image"), not a data URL the model's provider refuses. Files
over 10 MB are refused the same way, before they are encoded.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, Field

from ....tool_output_types import ToolOutputImage
from .paths import model_path
from .sandbox_tool import SandboxFunctionTool

if TYPE_CHECKING:
    pass

MAX_IMAGE_BYTES = 10 * 1024 * 1024

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


def image_mime_type(payload: bytes) -> str | None:
    for signature, mime in _SIGNATURES:
        if payload.startswith(signature):
            return mime
    if payload.startswith(b"RIFF") and payload[8:12] == b"WEBP":
        return "image/webp"
    head = payload[:2048].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "image/svg+xml"
    return None


class ViewImageArgs(BaseModel):
    path: str = Field(description="Path of the image file (relative to the working directory).", min_length=1)


class ViewImageTool(SandboxFunctionTool[ViewImageArgs]):
    tool_name: ClassVar[str] = "view_image"
    args_model: ClassVar[type[ViewImageArgs]] = ViewImageArgs
    tool_description: ClassVar[str] = "Shows an image file of the sandbox workspace."

    async def _invoke(self, ctx: Any, raw_input: str) -> ToolOutputImage | str:
        args = self.parse_arguments(raw_input)
        return await self.run(args)

    async def run(self, args: ViewImageArgs) -> ToolOutputImage | str:
        path = model_path(self.session, args.path, self.cwd)
        try:
            handle = await self.session.read(path, user=self.user)  # type: ignore[arg-type]
        except FileNotFoundError:
            return f"image path `{args.path}` was not found"
        except Exception as exc:  # the session's own error: the model reads what kind
            if "NotFound" in type(exc).__name__:
                return f"image path `{args.path}` was not found"
            return f"unable to read image at `{args.path}`: {type(exc).__name__}"
        try:
            payload = handle.read(MAX_IMAGE_BYTES + 1)
        finally:
            handle.close()
        if not isinstance(payload, bytes):
            payload = str(payload).encode("utf-8")
        if len(payload) > MAX_IMAGE_BYTES:
            return f"image path `{args.path}` is larger than the 10MB an image may be"
        mime = image_mime_type(payload)
        if mime is None:
            return f"image path `{args.path}` is not a supported image (PNG, JPEG, GIF, WebP, BMP, TIFF or SVG)"
        return ToolOutputImage(image_url=f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}")
