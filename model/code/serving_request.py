"""Request body + content type + custom attributes -> the images and options of one inference request."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any, cast

from PIL import Image

from serving_deadline import Deadline, DeadlineExceeded
from serving_errors import RequestError
from serving_image import decode_image
from serving_settings import TASKS, ServingSettings

CUSTOM_ATTRIBUTES_HEADER = "x-amzn-sagemaker-custom-attributes"
DEFAULT_TOP_K = 5  # without top_k: this many, or every label of a model with fewer (see top_k_for)
JSON_TYPES = ("application/json",)
# Raw image bodies. The format is always taken from the magic bytes, so the declared image type only has to
# be one of these; x-image and octet-stream are what generic SageMaker clients send.
RAW_IMAGE_TYPES = (
    "image/jpeg",
    "image/jpg",
    "image/png",
    "image/webp",
    "image/gif",
    "image/bmp",
    "image/x-ms-bmp",
    "image/x-image",
    "application/x-image",
    "application/octet-stream",
)
_DATA_URL = re.compile(r"^data:image/[\w.+-]+;base64,", re.IGNORECASE)


_TOP_K = re.compile(r"[0-9]{1,7}")


@dataclass(frozen=True)
class Options:
    # The caller's top_k as given, checked by top_k_for once the label count is known; None: the caller did not ask
    # for a number (the Lambda sends top_k only if given). Read for task=classify only: embed ignores it.
    top_k: str | None = None
    task: str = "classify"


def top_k_for(options: Options, num_labels: int) -> int:
    """The number of predictions to answer: the caller's top_k, an integer from 1 to the label count, or without one
    min(5, label count), so a model with fewer than 5 labels still answers requests without top_k.

    One check for every wrong value (not a number, 0, above the label count), so every refusal names the real range,
    in the words the Lambda uses for its own check (lambda/top-k.ts), with the count as data for it to pass on."""
    if options.top_k is None:
        return min(DEFAULT_TOP_K, num_labels)
    if not _TOP_K.fullmatch(options.top_k) or not 1 <= int(options.top_k) <= num_labels:
        raise RequestError(
            "bad_top_k",
            f"top_k must be an integer from 1 to {num_labels}, the number of labels.",
            label_count=num_labels,
        )
    return int(options.top_k)


@dataclass(frozen=True)
class ParsedRequest:
    images: list[Image.Image]
    batch: bool  # JSON list input: answer with a list
    options: Options
    deadline: Deadline = field(default_factory=lambda: Deadline.start(0))  # predict_fn runs under it too


def media_type(content_type: object) -> str:
    """'Image/JPEG; charset=x' -> 'image/jpeg' (the toolkits pass the header through untouched)."""
    return str(content_type or "").split(";", 1)[0].strip().lower()


def request_headers(context: Any) -> dict[Any, Any]:
    """Request headers of the current request from a multi-model-server or TorchServe context, or {}.

    `context` is Any: both servers' context classes are untyped, and this reads whatever shape it finds."""
    try:
        headers = context.request_processor[0].get_request_properties()
    except (AttributeError, IndexError, KeyError, TypeError):
        return {}
    return headers if isinstance(headers, dict) else {}


def parse_custom_attributes(value: object, default_task: str = "classify") -> Options:
    """`top_k=<n>,task=<classify|embed>`; unknown keys are ignored (callers may add tracing attributes). Without a
    task, `default_task` (INFERENCE_TASK: a Batch Transform job sends no custom attributes)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    fields: dict[str, str] = {}
    for part in str(value or "").split(","):
        key, sep, raw = part.partition("=")
        if sep:
            fields[key.strip().lower()] = raw.strip()
    task = fields.get("task", default_task).lower()
    if task not in TASKS:
        raise RequestError("bad_request", f"task must be one of {', '.join(TASKS)}")
    return Options(top_k=fields.get("top_k"), task=task)


def options_from_context(context: object, default_task: str = "classify") -> Options:
    headers = request_headers(context)
    value = next((v for k, v in headers.items() if str(k).lower() == CUSTOM_ATTRIBUTES_HEADER), "")
    return parse_custom_attributes(value, default_task)


def parse_request(body: object, content_type: object, options: Options, settings: ServingSettings) -> ParsedRequest:
    """`body` is what the model server hands over: bytes (or bytearray), str, or JSON it already parsed.

    The request's deadline (settings.deadline_ms) starts here, when the worker starts the request; decoding runs
    under it, and the ParsedRequest carries it on to inference.
    """
    deadline = Deadline.start(settings.deadline_ms)
    try:
        with deadline.enforced():
            images, batch = _decoded(body, content_type, settings)
    except DeadlineExceeded:
        raise RequestError(
            "image_too_large",
            f"decoding took longer than the endpoint's time limit per request ({settings.deadline_ms} ms)",
        ) from None
    return ParsedRequest(images, batch, options, deadline)


def _decoded(body: object, content_type: object, settings: ServingSettings) -> tuple[list[Image.Image], bool]:
    kind = media_type(content_type)
    if kind in JSON_TYPES:
        images, batch = _json_images(body, settings)
        decoded = []
        for index, data in enumerate(images):
            try:
                decoded.append(decode_image(data, settings))
            except RequestError as error:
                raise RequestError(error.code, f"image {index}: {json.loads(error.body)['message']}") from None
        return decoded, batch
    if kind in RAW_IMAGE_TYPES:
        if isinstance(body, str):  # only if a toolkit decoded it as text; never the case for image types
            body = body.encode("latin-1", "replace")
        raw = cast("bytes | bytearray | None", body)  # what the model servers pass for these content types
        return [decode_image(bytes(raw or b""), settings)], False
    shown = kind or "none"
    raise RequestError(
        "unsupported_media_type",
        f"content type {shown} is not supported; send image/jpeg, image/png, image/webp, image/gif, image/bmp "
        "or application/json",
    )


def _json_images(body: object, settings: ServingSettings) -> tuple[list[bytes], bool]:
    """One base64 string, a list of them, or {"inputs": either}. Returns the bytes and whether it is a batch."""
    if isinstance(body, (bytes, bytearray)):
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            raise RequestError("bad_request", "the JSON body is not UTF-8") from None
    if isinstance(body, str):  # multi-model-server may already have parsed JSON (decode_input_request=true)
        if not body.strip():
            raise RequestError("bad_request", "the request body is empty")
        try:
            body = json.loads(body)
        except json.JSONDecodeError:
            raise RequestError("bad_request", "the body is not valid JSON") from None
    if isinstance(body, dict) and set(body) == {"inputs"}:
        body = body["inputs"]
    if isinstance(body, str):
        return [_base64(body, "image")], False
    if isinstance(body, list):
        if not body:
            raise RequestError("bad_request", "the image list is empty")
        if len(body) > settings.max_batch:
            raise RequestError("bad_request", f"at most {settings.max_batch} images per request, got {len(body)}")
        return [_base64(item, f"image {index}") for index, item in enumerate(body)], True
    raise RequestError("bad_request", 'JSON body must be a base64 string, a list of them, or {"inputs": one of those}')


def _base64(value: object, name: str) -> bytes:
    if not isinstance(value, str):
        raise RequestError("bad_request", f"{name} must be a base64 string")
    text = "".join(_DATA_URL.sub("", value.strip()).split())  # data URL prefix and MIME line breaks are fine
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise RequestError("bad_request", f"{name} is not valid base64") from None
    if not data:
        raise RequestError("bad_request", f"{name} is empty")
    return data
