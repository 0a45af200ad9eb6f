"""inference.py inside the real SageMaker toolkits, down to the bytes the model server's frontend receives.

Each request goes through multi-model-server's `Service.predict` (the Python worker side: builds the per-request
context, calls the handler, encodes the response for the Java frontend) with the handler of
- the Hugging Face container: sagemaker_huggingface_inference_toolkit's HuggingFaceHandlerService, and
- the PyTorch container: sagemaker_inference's Transformer (wrapped as the PyTorch toolkit wraps it).
The encoded response is decoded back into (status, content type, body) per request, as the frontend reads it.
"""

from __future__ import annotations

import json
import struct

import pytest
from PIL import Image

from conftest import encode
from demo import shapes
from demo.examples import render_canonical


def decode_predict_response(message: bytes) -> tuple[int, str, list[tuple[int, str | None, bytes]]]:
    """Inverse of mms.protocol.otf_message_handler.create_predict_response."""
    offset = 0

    def read_int() -> int:
        nonlocal offset
        (value,) = struct.unpack_from("!i", message, offset)
        offset += 4
        return value

    def read_bytes(length: int) -> bytes:
        nonlocal offset
        value = bytes(message[offset : offset + length])
        offset += length
        return value

    code = read_int()
    text = read_bytes(read_int()).decode()
    responses = []
    while (id_length := read_int()) != -1:
        read_bytes(id_length)  # request id
        type_length = read_int()
        content_type = read_bytes(type_length).decode() if type_length > 0 else None
        status = read_int()
        read_bytes(read_int())  # reason phrase
        for _ in range(read_int()):  # response headers
            read_bytes(read_int())
            read_bytes(read_int())
        responses.append((status, content_type, read_bytes(read_int())))
    return code, text, responses


def make_service(handler, model_dir):
    from mms.service import Service

    service = Service("model", str(model_dir), None, handler.handle, None, 1)
    handler.initialize(service.context)  # what multi-model-server's model loader does at start-up
    return service


@pytest.fixture(scope="module")
def huggingface_service(demo_model_dir):
    from sagemaker_huggingface_inference_toolkit.handler_service import HuggingFaceHandlerService

    return make_service(HuggingFaceHandlerService(), demo_model_dir)


@pytest.fixture(scope="module")
def pytorch_service(demo_model_dir):
    from sagemaker_inference.default_handler_service import DefaultHandlerService
    from sagemaker_inference.transformer import Transformer

    return make_service(DefaultHandlerService(Transformer()), demo_model_dir)


SERVICES = ["huggingface_service", "pytorch_service"]


def call(service, body: bytes, content_type: str, custom_attributes: str | None = None):
    headers = [
        {"name": b"Content-Type", "value": content_type.encode()},
        {"name": b"Accept", "value": b"application/json"},
    ]
    if custom_attributes is not None:
        headers.append({"name": b"X-Amzn-SageMaker-Custom-Attributes", "value": custom_attributes.encode()})
    batch = [
        {
            "requestId": b"request-1",
            "headers": headers,
            "parameters": [{"name": "body", "contentType": content_type.encode(), "value": body}],
        }
    ]
    code, text, responses = decode_predict_response(service.predict(batch))
    assert code == 200, f"worker-level failure {code}: {text}"  # per-request status carries the outcome
    ((status, response_type, response_body),) = responses
    return status, response_type, json.loads(response_body)


def shape_jpeg(label: str) -> bytes:
    return encode(render_canonical(shapes.LABELS.index(label)), "JPEG", quality=90)


@pytest.mark.parametrize("service_name", SERVICES)
def test_classify_with_custom_attributes(request, service_name):
    service = request.getfixturevalue(service_name)
    status, content_type, body = call(service, shape_jpeg("blue_ring"), "image/jpeg", "top_k=2,task=classify")
    assert (status, content_type) == (200, "application/json")
    assert body["predictions"][0]["label"] == "blue_ring"
    assert len(body["predictions"]) == 2


@pytest.mark.parametrize("service_name", SERVICES)
def test_embed_task(request, service_name):
    service = request.getfixturevalue(service_name)
    status, _, body = call(service, shape_jpeg("red_disc"), "image/jpeg", "task=embed")
    assert status == 200
    assert body["dim"] == len(body["embedding"])


ERRORS = [
    (b"", "image/jpeg", None, 400, "bad_request"),
    (b"plain text", "image/jpeg", None, 422, "undecodable_image"),
    (encode(Image.new("RGB", (8, 8)), "TIFF"), "image/tiff", None, 415, "unsupported_media_type"),
    (encode(Image.new("RGB", (8, 8)), "TIFF"), "image/jpeg", None, 415, "unsupported_media_type"),
    (b"not json", "application/json", None, 400, "bad_request"),
    (None, "image/jpeg", "top_k=99", 400, "bad_top_k"),
    (None, "image/jpeg", "top_k=-1", 400, "bad_top_k"),
]


@pytest.mark.parametrize("service_name", SERVICES)
@pytest.mark.parametrize(("body", "content_type", "attributes", "status", "code"), ERRORS)
def test_errors_keep_status_and_exact_body_then_recover(
    request, service_name, body, content_type, attributes, status, code
):
    service = request.getfixturevalue(service_name)
    body = shape_jpeg("red_cross") if body is None else body
    got_status, _, got_body = call(service, body, content_type, attributes)
    assert got_status == status
    assert got_body["code"] == code
    # bad_top_k also carries the model's label count (the demo model: 6), for the Lambda's message
    assert got_body == (
        {"code": code, "message": got_body["message"], "label_count": 6}
        if code == "bad_top_k"
        else {"code": code, "message": got_body["message"]}
    )

    ok_status, _, ok_body = call(service, shape_jpeg("red_cross"), "image/jpeg", "top_k=1")
    assert ok_status == 200
    assert ok_body["predictions"][0]["label"] == "red_cross"


def test_huggingface_toolkit_turns_raised_errors_into_400_with_our_json_as_message(huggingface_service, monkeypatch):
    # The fallback path: an error raised instead of returned (no status-capable context). The Hugging Face
    # toolkit wraps it as PredictionException(str(error), 400); str(error) is our JSON, so the code survives.
    import serving_errors

    monkeypatch.setattr(serving_errors, "can_set_status", lambda _context: False)
    headers = [{"name": b"Content-Type", "value": b"image/jpeg"}]
    batch = [
        {
            "requestId": b"r",
            "headers": headers,
            "parameters": [{"name": "body", "contentType": b"image/jpeg", "value": b""}],
        }
    ]
    code, text, _ = decode_predict_response(huggingface_service.predict(batch))
    assert code == 400
    assert json.loads(text) == {"code": "bad_request", "message": "the request body is empty"}


def test_pytorch_toolkit_keeps_our_status_for_raised_errors(pytorch_service, monkeypatch):
    import serving_errors

    monkeypatch.setattr(serving_errors, "can_set_status", lambda _context: False)
    headers = [{"name": b"Content-Type", "value": b"image/jpeg"}]
    batch = [
        {
            "requestId": b"r",
            "headers": headers,
            "parameters": [{"name": "body", "contentType": b"image/jpeg", "value": b"text"}],
        }
    ]
    _, _, responses = decode_predict_response(pytorch_service.predict(batch))
    status, _, body = responses[0]
    first_line = body.decode().splitlines()[0]  # the toolkit appends a traceback after our JSON
    assert status == 422
    assert json.loads(first_line)["code"] == "undecodable_image"
