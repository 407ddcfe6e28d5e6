"""A request body parsed into a pydantic model, with the two errors every endpoint answers the same way.

Three endpoints read JSON bodies (``POST /runs``, ``/ag-ui``, ``/ai-sdk/chat``): a body that is not JSON is a
400 :class:`InvalidRequestError`, well-formed JSON of the wrong shape a 422 :class:`InvalidRunInputError` whose
``fields`` list every problem (the message names the first few), so a client can fix them all in one go.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from .errors import InvalidRequestError, InvalidRunInputError

Model = TypeVar("Model", bound=BaseModel)

_NAMED_IN_MESSAGE = 5


def parse_body(model: type[Model], raw: bytes, *, not_json: str, invalid: str = "") -> Model:
    """``not_json``: the 400's message; ``invalid``: what the 422's message starts with."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        if any(e["type"] == "json_invalid" for e in errors):
            raise InvalidRequestError(not_json) from None
        raise InvalidRunInputError(
            invalid
            + "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in errors[:_NAMED_IN_MESSAGE]),
            fields=[{"loc": list(e["loc"]), "type": e["type"], "message": e["msg"]} for e in errors],
        ) from None
