"""Invalid input described without repeating it.

Pydantic's ``str(ValidationError)`` quotes the input (``input_value={'password': 'hunter2'}``); as the text of a
tool or handoff error it would reach the model, the span's status, ``exception.message`` and
``exception.stacktrace`` with whatever secrets the arguments held. This summary keeps where and why.
"""

from __future__ import annotations

from pydantic import ValidationError


def validation_summary(exc: ValidationError) -> str:
    problems = exc.errors(include_url=False, include_context=False, include_input=False)
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in problems)
