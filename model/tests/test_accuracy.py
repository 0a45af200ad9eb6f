"""The demo model through the whole serving chain, from encoded bytes: any decoding, resizing, normalisation or
channel-order mistake anywhere shows up here as lost accuracy."""

from __future__ import annotations

import base64
import json

import pytest
from PIL import Image

import inference
from conftest import encode, mms_context
from demo import shapes

HELDOUT_SEED = 12345  # neither the training seed nor the held-out seed used at training time
COUNT = 300
MIN_ACCURACY = 0.95


@pytest.fixture(scope="module")
def heldout():
    return shapes.generate(COUNT, HELDOUT_SEED)


def predicted_labels(model, bodies: list[bytes]) -> list[str]:
    labels = []
    for start in range(0, len(bodies), 8):  # JSON batches of 8, the default maximum
        chunk = [base64.b64encode(body).decode() for body in bodies[start : start + 8]]
        context = mms_context("top_k=1")
        request = inference.input_fn(json.dumps(chunk), "application/json", context)
        output = inference.output_fn(inference.predict_fn(request, model, context), "application/json", context)
        labels += [result["predictions"][0]["label"] for result in json.loads(output)]
    return labels


@pytest.mark.parametrize(("fmt", "save_args"), [("JPEG", {"quality": 90}), ("PNG", {})])
def test_heldout_accuracy_from_encoded_bytes(loaded_model, heldout, fmt, save_args):
    bodies = [encode(sample.image, fmt, **save_args) for sample in heldout]
    predicted = predicted_labels(loaded_model, bodies)
    accuracy = sum(p == shapes.LABELS[s.label] for p, s in zip(predicted, heldout, strict=True)) / len(heldout)
    assert accuracy >= MIN_ACCURACY, f"{fmt}: {accuracy:.3f}"


def test_raw_single_requests_agree_with_batches(loaded_model, heldout):
    bodies = [encode(sample.image, "PNG") for sample in heldout[:16]]
    singles = []
    for body in bodies:
        context = mms_context("top_k=1")
        request = inference.input_fn(body, "image/png", context)
        singles.append(
            json.loads(
                inference.output_fn(inference.predict_fn(request, loaded_model, context), "application/json", context)
            )["predictions"][0]["label"]
        )
    assert singles == predicted_labels(loaded_model, bodies)


def test_swapping_channels_costs_accuracy(loaded_model, heldout):
    """Proves the test above can fail: the same images with red and blue swapped are mostly misread."""
    swapped = []
    for sample in heldout[:60]:
        r, g, b = sample.image.split()
        swapped.append(encode(Image.merge("RGB", (b, g, r)), "PNG"))
    predicted = predicted_labels(loaded_model, swapped)
    accuracy = sum(p == shapes.LABELS[s.label] for p, s in zip(predicted, heldout[:60], strict=True)) / 60
    assert accuracy < 0.5
