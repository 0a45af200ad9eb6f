"""Models with fewer labels than the default top_k (5): requests without top_k must still be answered.

The Lambda sends `top_k` only when its caller gave one, so a 2- or 3-label model sees plain `task=classify`
(or no attributes at all) and must answer with every label; an explicit top_k above the label count stays
400 bad_top_k. The folders are tiny ViTs with random weights, built here in the real Hugging Face layout.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from PIL import Image
from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

import inference
from conftest import encode, mms_context
from serving_request import Options, parse_custom_attributes, top_k_for

LABELS = ("cat", "dog", "bird")


def write_tiny_classifier(folder: Path, labels: tuple[str, ...]) -> Path:
    torch.manual_seed(0)
    config = ViTConfig(
        image_size=32,
        patch_size=16,
        num_channels=3,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
        architectures=["ViTForImageClassification"],
    )
    ViTForImageClassification(config).eval().save_pretrained(folder)
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module", params=[2, 3], ids=["2-labels", "3-labels"])
def few_label_model(request, tmp_path_factory):
    labels = LABELS[: request.param]
    folder = write_tiny_classifier(tmp_path_factory.mktemp(f"{request.param}-label-model"), labels)
    return inference.model_fn(str(folder), mms_context()), labels


def invoke(model, custom_attributes):
    context = mms_context(custom_attributes)
    data = inference.input_fn(encode(Image.new("RGB", (40, 30), (200, 40, 40)), "PNG"), "image/png", context)
    output = inference.output_fn(inference.predict_fn(data, model, context), "application/json", context)
    return context.get_response_status(0)[0], json.loads(output)


@pytest.mark.parametrize("attributes", [None, "task=classify", "TASK=classify,trace=abc"])
def test_without_top_k_every_label_is_answered(few_label_model, attributes):
    model, labels = few_label_model
    status, body = invoke(model, attributes)
    assert status == 200
    assert sorted(p["label"] for p in body["predictions"]) == sorted(labels)
    scores = [p["score"] for p in body["predictions"]]
    assert scores == sorted(scores, reverse=True)


def test_explicit_top_k_up_to_the_label_count_is_honoured(few_label_model):
    model, labels = few_label_model
    status, body = invoke(model, f"top_k={len(labels)},task=classify")
    assert status == 200
    assert len(body["predictions"]) == len(labels)
    status, body = invoke(model, "top_k=1,task=classify")
    assert status == 200
    assert len(body["predictions"]) == 1


@pytest.mark.parametrize("top_k", ["above", "0", "lots", "-1", "1.5", "\u00b2"])
def test_every_bad_top_k_names_the_range_and_the_label_count(few_label_model, top_k):
    # Prepare: "above" is one more than the model's labels
    model, labels = few_label_model
    value = str(len(labels) + 1) if top_k == "above" else top_k
    # Act
    status, body = invoke(model, f"top_k={value},task=classify")
    # Assess: one wording for every refusal, the Lambda's own included (lambda/top-k.ts), and the count as data
    assert (status, body["code"]) == (400, "bad_top_k")
    assert body["message"] == f"top_k must be an integer from 1 to {len(labels)}, the number of labels."
    assert body["label_count"] == len(labels)


@pytest.mark.parametrize("top_k", ["9", "0", "abc"])
def test_embed_ignores_top_k(few_label_model, top_k):
    model, _ = few_label_model
    status, body = invoke(model, f"top_k={top_k},task=embed")
    assert status == 200
    assert body["dim"] == 32


def test_top_k_is_none_unless_given_and_the_default_is_capped_by_the_labels():
    assert parse_custom_attributes("task=classify").top_k is None
    assert parse_custom_attributes("top_k=7,task=classify").top_k == "7"
    assert top_k_for(Options(), 2) == 2
    assert top_k_for(Options(), 1000) == 5
    assert top_k_for(Options(top_k="5"), 5) == 5
