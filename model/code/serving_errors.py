"""Client errors with stable codes, and how they reach the caller with the right HTTP status under each toolkit.

Body of every error (docs/contracts.md, "Endpoint error bodies"): {"code": "<stable_code>", "message": "<safe text>"},
plus "label_count" for bad_top_k.

How a status is chosen (details and source references in docs/model.md):
- Both model servers the SageMaker containers use (multi-model-server for the Hugging Face container, TorchServe
  for the PyTorch one) send, for each request, the status stored with `context.set_response_status(code, phrase)`
  and the body the handler returned. This is the mechanism sagemaker-inference's own `Transformer.handle_error`
  uses. `reject()` uses it directly: the error travels as a `Rejected` value through predict_fn and output_fn,
  which returns the JSON body. That gives the exact status and the exact body under both toolkits.
- Without a context that can carry a status (a direct local call), the error is raised instead. It subclasses
  sagemaker-inference's GenericInferenceToolkitError where that package exists, so the PyTorch toolkit still sets
  our status (its body is then our JSON, a newline and a traceback); the Hugging Face toolkit turns any exception
  into 400 with `str(exception)` as the message, which is our JSON, so the stable code still reaches the Lambda.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Protocol, TypeGuard


class _LocalToolkitError(Exception):
    """sagemaker-inference's GenericInferenceToolkitError as far as we use it (constructor and attributes), for
    running without the toolkit. Also the type checker's view of that class, which ships without type hints."""

    def __init__(self, status_code: int, message: str | None = None, phrase: str | None = None) -> None:
        super().__init__(status_code, message, phrase)
        self.status_code, self.message, self.phrase = status_code, message, phrase


if TYPE_CHECKING:
    _ToolkitError = _LocalToolkitError
else:
    try:  # shipped in the SageMaker PyTorch and Hugging Face inference containers
        from sagemaker_inference.errors import GenericInferenceToolkitError as _ToolkitError
    except ImportError:  # running locally without the toolkit: same constructor shape
        _ToolkitError = _LocalToolkitError


logger = logging.getLogger(__name__)

STATUS_BY_CODE = {
    "unsupported_media_type": HTTPStatus.UNSUPPORTED_MEDIA_TYPE,  # 415
    "undecodable_image": HTTPStatus.UNPROCESSABLE_ENTITY,  # 422
    "image_too_large": HTTPStatus.REQUEST_ENTITY_TOO_LARGE,  # 413
    "bad_request": HTTPStatus.BAD_REQUEST,  # 400
    "bad_top_k": HTTPStatus.BAD_REQUEST,  # 400
    # Not a client error: an unexpected failure inside the model. Without this the Hugging Face toolkit would
    # report it as 400 and the Lambda would blame the caller.
    "internal_error": HTTPStatus.INTERNAL_SERVER_ERROR,  # 500
}


class RequestError(_ToolkitError):
    """A failure with a stable code; `str()` is the JSON body so every toolkit path carries the code."""

    phrase: str  # always given (the status's reason phrase)

    def __init__(self, code: str, message: str, **data: int) -> None:
        """`data`: numbers a caller can act on, beside the message (bad_top_k's label_count)."""
        status = STATUS_BY_CODE[code]
        self.code = code
        self.body = json.dumps({"code": code, "message": message, **data})
        super().__init__(int(status), self.body, status.phrase)

    @property
    def status(self) -> int:
        return self.status_code

    def __str__(self) -> str:
        return self.body


@dataclass(frozen=True)
class Rejected:
    """A request that already failed; predict_fn passes it through and output_fn renders it."""

    error: RequestError


class StatusContext(Protocol):
    """The part of the model server's request context (multi-model-server's or TorchServe's) that sets the status."""

    def set_response_status(self, code: int = 200, phrase: str = "") -> None: ...


def can_set_status(context: object) -> TypeGuard[StatusContext]:
    return callable(getattr(context, "set_response_status", None)) and bool(getattr(context, "request_processor", None))


def reject(error: RequestError, context: object) -> Rejected:
    """Record the error's status on the request and return it as a value; raise when there is no such context."""
    logger.info("rejected request: %s", error.body)
    if not can_set_status(context):
        raise error
    context.set_response_status(code=error.status, phrase=error.phrase)
    return Rejected(error)
