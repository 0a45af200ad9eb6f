"""Batch Transform mode: the job's Environment (INFERENCE_TASK, INFERENCE_BATCH_MODE) switches the same model to
embedding and answers a bad record 200 with an error object, because one error status fails the whole job."""

from __future__ import annotations

import json

import pytest

import inference
from conftest import encode, mms_context
from demo import shapes
from demo.examples import render_canonical
from serving_errors import Rejected
from serving_settings import ServingSettings, SettingsError, load_settings

pytestmark = pytest.mark.usefixtures("loaded_model")

BATCH = ServingSettings(task="embed", batch_mode=True)


def png(label: str = "red_disc") -> bytes:
    return encode(render_canonical(shapes.LABELS.index(label), (160, 120)), "PNG")


def transform_record(model, body: bytes, content_type: str = "application/x-image", custom_attributes=None):
    """One record as a transform job posts it: no custom attributes, the job's content type."""
    context = mms_context(custom_attributes)
    data = inference.input_fn(body, content_type, context)
    prediction = inference.predict_fn(data, model, context)
    output = inference.output_fn(prediction, "application/json", context)
    return context.get_response_status(0)[0], json.loads(output)


def test_settings_read_the_task_and_batch_mode():
    settings = load_settings({"INFERENCE_TASK": "embed", "INFERENCE_BATCH_MODE": "1"})
    assert (settings.task, settings.batch_mode) == ("embed", True)
    assert (load_settings({}).task, load_settings({}).batch_mode) == ("classify", False)


def test_bad_task_and_batch_mode_values_are_listed_together():
    with pytest.raises(SettingsError) as caught:
        load_settings({"INFERENCE_TASK": "segment", "INFERENCE_BATCH_MODE": "yes"})
    assert "INFERENCE_TASK='segment' is not one of classify, embed" in str(caught.value)
    assert "INFERENCE_BATCH_MODE='yes' is not one of 0, 1, true, false" in str(caught.value)


def test_a_record_without_custom_attributes_is_embedded(loaded_model, monkeypatch):
    monkeypatch.setattr(inference, "SETTINGS", BATCH)
    status, body = transform_record(loaded_model, png())
    assert status == 200
    assert body["dim"] == loaded_model.model.config.hidden_size == len(body["embedding"])


def test_custom_attributes_still_choose_the_task(loaded_model, monkeypatch):
    monkeypatch.setattr(inference, "SETTINGS", BATCH)
    status, body = transform_record(loaded_model, png("blue_ring"), "image/png", "task=classify")
    assert status == 200
    assert body["predictions"][0]["label"] == "blue_ring"


@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        pytest.param(b"\xff\xd8\xff\xe0 truncated jpeg", "application/x-image", "undecodable_image", id="corrupt"),
        pytest.param(b"plain text, not an image", "application/x-image", "undecodable_image", id="not an image"),
        pytest.param(b"", "application/x-image", "bad_request", id="empty object"),
        pytest.param(b"{}", "text/csv", "unsupported_media_type", id="wrong job content type"),
    ],
)
def test_a_bad_record_is_answered_200_with_an_error_object(loaded_model, monkeypatch, body, content_type, code):
    monkeypatch.setattr(inference, "SETTINGS", BATCH)
    status, answer = transform_record(loaded_model, body, content_type)
    assert status == 200
    assert set(answer) == {"error"}
    assert answer["error"]["code"] == code
    assert "Traceback" not in answer["error"]["message"]
    # and the next record is served as usual
    assert transform_record(loaded_model, png())[0] == 200


def test_a_model_fault_on_one_record_is_a_record_too(loaded_model, monkeypatch):
    monkeypatch.setattr(inference, "SETTINGS", BATCH)
    context = mms_context()
    request = inference.input_fn(png(), "image/png", context)
    monkeypatch.setattr(loaded_model, "preprocess", lambda _images: (_ for _ in ()).throw(RuntimeError("secret")))
    prediction = inference.predict_fn(request, loaded_model, context)
    assert isinstance(prediction, Rejected)
    body = json.loads(inference.output_fn(prediction, "application/json", context))
    assert context.get_response_status(0)[0] == 200
    assert body == {"error": {"code": "internal_error", "message": "the model failed to process this request"}}


def test_batch_mode_answers_without_a_model_server_context(monkeypatch):
    monkeypatch.setattr(inference, "SETTINGS", BATCH)
    rejected = inference.input_fn(b"", "image/jpeg")
    assert isinstance(rejected, Rejected)
    assert json.loads(inference.output_fn(rejected, "application/json"))["error"]["code"] == "bad_request"


def test_outside_batch_mode_the_same_record_keeps_its_status(loaded_model):
    status, body = transform_record(loaded_model, b"\xff\xd8\xff\xe0 truncated jpeg")
    assert status == 422
    assert body["code"] == "undecodable_image"
