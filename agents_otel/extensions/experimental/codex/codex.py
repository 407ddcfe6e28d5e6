"""``Codex``: the entry point — one CLI configuration, from which threads are started or resumed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ....exceptions import UserError
from .codex_options import CodexOptions, coerce_codex_options
from .exec import CodexExec
from .thread import Thread
from .thread_options import ThreadOptions, coerce_thread_options

_UNSET: Any = object()
_KEYWORDS = ("codex_path_override", "base_url", "api_key", "env", "codex_subprocess_stream_limit_bytes")


class Codex:
    """``Codex(CodexOptions(...))``, ``Codex({...})`` or ``Codex(base_url=..., ...)`` — one form, not two at once."""

    def __init__(
        self,
        options: CodexOptions | Mapping[str, Any] | None = None,
        *,
        codex_path_override: str | None = _UNSET,
        base_url: str | None = _UNSET,
        api_key: str | None = _UNSET,
        env: Mapping[str, str] | None = _UNSET,
        codex_subprocess_stream_limit_bytes: int | None = _UNSET,
    ) -> None:
        values = (codex_path_override, base_url, api_key, env, codex_subprocess_stream_limit_bytes)
        given = dict(zip(_KEYWORDS, values, strict=True))
        keywords = {key: value for key, value in given.items() if value is not _UNSET}
        if options is not None and keywords:
            raise UserError("Codex options must be given as a CodexOptions / mapping or as keyword arguments, not both")
        resolved = coerce_codex_options(keywords if keywords else options) or CodexOptions()
        env_map = None if resolved.env is None else {str(k): str(v) for k, v in resolved.env.items()}
        self._exec = CodexExec(
            executable_path=resolved.codex_path_override,
            env=env_map,
            subprocess_stream_limit_bytes=resolved.codex_subprocess_stream_limit_bytes,
        )
        self._options = resolved

    def start_thread(self, options: ThreadOptions | Mapping[str, Any] | None = None) -> Thread:
        return Thread(
            exec_client=self._exec, options=self._options,
            thread_options=coerce_thread_options(options) or ThreadOptions(),
        )

    def resume_thread(self, thread_id: str, options: ThreadOptions | Mapping[str, Any] | None = None) -> Thread:
        return Thread(
            exec_client=self._exec, options=self._options,
            thread_options=coerce_thread_options(options) or ThreadOptions(), thread_id=thread_id,
        )
