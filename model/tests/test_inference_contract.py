"""model_fn / input_fn / predict_fn / output_fn on the demo model, called as the toolkits call them."""

from __future__ import annotations

import base64
import json
import math

import pytest
from PIL import Image

import inference
from conftest import encode, mms_context
from demo import shapes
from demo.examples import render_canonical
from serving_errors import Rejected, RequestError
from serving_request import ParsedRequest
from serving_settings import ServingSettings

pytestmark = pytest.mark.usefixtures("loaded_model")


def sample_image(label: str, size: tuple[int, int] = (160, 120)) -> Image.Image:
    return render_canonical(shapes.LABELS.index(label), size)


def invoke(model, body, content_type="image/jpeg", custom_attributes=None):
    """One request through all four functions with a real model-server context; returns (status, parsed body)."""
    context = mms_context(custom_attributes)
    data = inference.input_fn(body, content_type, context)
    prediction = inference.predict_fn(data, model, context)
    output = inference.output_fn(prediction, "application/json", context)
    status, _ = context.get_response_status(0)
    return status, json.loads(output)


def test_model_fn_loads_the_demo_folder(loaded_model):
    assert loaded_model.labels == list(shapes.LABELS)
    assert loaded_model.preprocess.fast
    assert loaded_model.preprocess.input_size == (64, 64)
    assert not loaded_model.model.training


def test_model_fn_reports_every_missing_file(tmp_path):
    with pytest.raises(ValueError, match="is missing") as caught:
        inference.model_fn(str(tmp_path))
    message = str(caught.value)
    assert "config.json is missing" in message
    assert "preprocessor_config.json is missing" in message
    assert "no weights file" in message


def test_input_fn_returns_rgb_images_and_options():
    request = inference.input_fn(
        encode(sample_image("red_disc"), "PNG"), "image/png", mms_context("top_k=2,task=classify")
    )
    assert isinstance(request, ParsedRequest)
    assert [image.mode for image in request.images] == ["RGB"]
    assert (request.options.top_k, request.options.task, request.batch) == ("2", "classify", False)


def test_classify_top_k_sorted_and_labelled(loaded_model):
    status, body = invoke(loaded_model, encode(sample_image("blue_cross"), "JPEG"), custom_attributes="top_k=3")
    assert status == 200
    predictions = body["predictions"]
    assert len(predictions) == 3
    assert set(predictions[0]) == {"label", "score"}
    assert predictions[0]["label"] == "blue_cross"
    scores = [p["score"] for p in predictions]
    assert scores == sorted(scores, reverse=True)
    assert 0 < sum(scores) <= 1.0 + 1e-6


def test_default_top_k_is_5(loaded_model):
    status, body = invoke(loaded_model, encode(sample_image("red_ring"), "PNG"), "image/png")
    assert status == 200
    assert len(body["predictions"]) == 5


def test_embed_is_unit_length_cls_vector(loaded_model):
    status, body = invoke(loaded_model, encode(sample_image("red_disc"), "PNG"), "image/png", "task=embed")
    assert status == 200
    assert body["dim"] == loaded_model.model.config.hidden_size == len(body["embedding"])
    assert math.isclose(math.sqrt(sum(v * v for v in body["embedding"])), 1.0, rel_tol=1e-5)


def test_embeddings_of_same_class_are_closer_than_of_other_classes(loaded_model):
    def vector(label, size):
        return invoke(loaded_model, encode(sample_image(label, size), "PNG"), "image/png", "task=embed")[1]["embedding"]

    a, b, other = vector("red_disc", (160, 120)), vector("red_disc", (90, 110)), vector("blue_cross", (160, 120))
    assert sum(x * y for x, y in zip(a, b, strict=True)) > sum(x * y for x, y in zip(a, other, strict=True))


def test_json_batch_returns_a_list_in_order(loaded_model):
    labels = ["red_disc", "blue_ring", "red_cross"]
    body = json.dumps([base64.b64encode(encode(sample_image(label), "PNG")).decode() for label in labels])
    status, results = invoke(loaded_model, body, "application/json", "top_k=1")
    assert status == 200
    assert [result["predictions"][0]["label"] for result in results] == labels


@pytest.mark.parametrize(
    "wrap",
    [
        lambda b64: json.dumps(b64),
        lambda b64: json.dumps({"inputs": b64}),
        lambda b64: json.dumps("data:image/png;base64," + b64).encode(),
    ],
)
def test_json_single_image_forms(loaded_model, wrap):
    b64 = base64.b64encode(encode(sample_image("blue_disc"), "PNG")).decode()
    status, result = invoke(loaded_model, wrap(b64), "application/json; charset=utf-8", "top_k=1")
    assert status == 200
    assert result["predictions"][0]["label"] == "blue_disc"


@pytest.mark.parametrize(
    "content_type", ["application/x-image", "application/octet-stream", "image/x-image", "IMAGE/JPEG", "image/png"]
)
def test_raw_bytes_under_generic_content_types_are_sniffed(loaded_model, content_type):
    status, body = invoke(loaded_model, encode(sample_image("red_cross"), "JPEG"), content_type, "top_k=1")
    assert status == 200
    assert body["predictions"][0]["label"] == "red_cross"


TOO_MANY = json.dumps([base64.b64encode(encode(Image.new("RGB", (8, 8)), "PNG")).decode()] * 9)
BAD_REQUESTS = [
    pytest.param(b"", "image/jpeg", None, 400, "bad_request", id="empty"),
    pytest.param(b"just some text", "image/jpeg", None, 422, "undecodable_image", id="text"),
    pytest.param(b"hello", "text/plain", None, 415, "unsupported_media_type", id="text content type"),
    pytest.param(b"hello", None, None, 415, "unsupported_media_type", id="no content type"),
    pytest.param(b"II*\x00", "image/tiff", None, 415, "unsupported_media_type", id="tiff content type"),
    pytest.param(
        encode(Image.new("RGB", (8, 8)), "TIFF"), "image/jpeg", None, 415, "unsupported_media_type", id="tiff bytes"
    ),
    pytest.param(
        encode(Image.effect_noise((64, 64), 50).convert("RGB"), "JPEG")[:900],
        "image/jpeg",
        None,
        422,
        "undecodable_image",
        id="truncated jpeg",
    ),
    pytest.param(json.dumps("not base64 !!"), "application/json", None, 400, "bad_request", id="bad base64"),
    pytest.param("{nope", "application/json", None, 400, "bad_request", id="bad json"),
    pytest.param("42", "application/json", None, 400, "bad_request", id="json number"),
    pytest.param("[]", "application/json", None, 400, "bad_request", id="empty batch"),
    pytest.param(TOO_MANY, "application/json", None, 400, "bad_request", id="batch over max"),
    pytest.param(None, "image/png", "top_k=0", 400, "bad_top_k", id="top_k zero"),
    pytest.param(None, "image/png", "top_k=lots", 400, "bad_top_k", id="top_k text"),
    pytest.param(None, "image/png", "top_k=7", 400, "bad_top_k", id="top_k over labels"),
    pytest.param(None, "image/png", "task=segment", 400, "bad_request", id="unknown task"),
]


@pytest.mark.parametrize(
    ("body", "content_type", "attributes", "status", "code"),
    BAD_REQUESTS,
)
def test_bad_input_gets_its_error_and_the_next_request_still_works(
    loaded_model, body, content_type, attributes, status, code
):
    body = encode(sample_image("red_disc"), "PNG") if body is None else body
    got_status, got_body = invoke(loaded_model, body, content_type, attributes)
    assert (got_status, got_body["code"]) == (status, code)
    assert set(got_body) == ({"code", "message", "label_count"} if code == "bad_top_k" else {"code", "message"})
    assert "Traceback" not in got_body["message"]

    ok_status, ok_body = invoke(loaded_model, encode(sample_image("red_disc"), "PNG"), "image/png", "top_k=1")
    assert ok_status == 200
    assert ok_body["predictions"][0]["label"] == "red_disc"


def test_batch_error_names_the_bad_image(loaded_model):
    good = base64.b64encode(encode(sample_image("red_disc"), "PNG")).decode()
    status, body = invoke(loaded_model, json.dumps([good, base64.b64encode(b"garbage").decode()]), "application/json")
    assert status == 422
    assert body["message"].startswith("image 1:")


def test_without_a_context_errors_are_raised_with_status_and_json_text():
    with pytest.raises(RequestError) as caught:
        inference.input_fn(b"", "image/jpeg")
    assert caught.value.status_code == 400
    assert json.loads(str(caught.value)) == {"code": "bad_request", "message": "the request body is empty"}


def test_unexpected_failure_in_predict_is_a_safe_500(loaded_model, monkeypatch):
    context = mms_context()
    request = inference.input_fn(encode(sample_image("red_disc"), "PNG"), "image/png", context)
    monkeypatch.setattr(loaded_model, "preprocess", lambda _images: (_ for _ in ()).throw(RuntimeError("secret")))
    prediction = inference.predict_fn(request, loaded_model, context)
    assert isinstance(prediction, Rejected)
    body = json.loads(inference.output_fn(prediction, "application/json", context))
    assert context.get_response_status(0)[0] == 500
    assert body == {"code": "internal_error", "message": "the model failed to process this request"}


def test_max_batch_follows_settings(loaded_model, monkeypatch):
    monkeypatch.setattr(inference, "SETTINGS", ServingSettings(max_batch=2))
    three = json.dumps([base64.b64encode(encode(sample_image("red_disc"), "PNG")).decode()] * 3)
    assert invoke(loaded_model, three, "application/json")[0] == 400
