"""model_fn on the folder layouts real checkpoints come in, and the settings it reads."""

from __future__ import annotations

import json
import shutil

import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

import inference
import serving_runtime
from conftest import encode, mms_context
from demo.vit_base_384 import write_vit_base_384
from serving_settings import ServingSettings, SettingsError, load_settings


def classify(model, image: Image.Image, top_k: int = 3):
    context = mms_context(f"top_k={top_k}")
    request = inference.input_fn(encode(image, "PNG"), "image/png", context)
    return json.loads(inference.output_fn(inference.predict_fn(request, model, context), "application/json", context))


def test_pytorch_model_bin_folder_loads_and_agrees_with_safetensors(demo_model_dir, loaded_model, tmp_path):
    folder = tmp_path / "bin-model"
    shutil.copytree(demo_model_dir, folder)
    torch.save(load_file(folder / "model.safetensors"), folder / "pytorch_model.bin")
    (folder / "model.safetensors").unlink()
    from_bin = inference.model_fn(str(folder))
    image = Image.new("RGB", (90, 70), (200, 30, 30))
    assert classify(from_bin, image) == classify(loaded_model, image)


def test_vit_base_patch16_384_layout_loads_and_serves(tmp_path):
    folder = write_vit_base_384(tmp_path / "vit-base-patch16-384")
    model = inference.model_fn(str(folder), mms_context())
    assert model.preprocess.fast
    assert model.preprocess.input_size == (384, 384)
    assert model.num_labels == 1000
    assert model.labels[281] == "tabby, tabby cat"
    body = classify(model, Image.new("RGB", (640, 480), (120, 90, 60)), top_k=5)
    assert len(body["predictions"]) == 5
    context = mms_context("task=embed")
    request = inference.input_fn(encode(Image.new("RGB", (64, 64)), "PNG"), "image/png", context)
    assert (
        json.loads(inference.output_fn(inference.predict_fn(request, model, context), "application/json"))["dim"] == 768
    )


def test_settings_errors_are_listed_together():
    with pytest.raises(SettingsError) as caught:
        load_settings(
            {
                "INFERENCE_MAX_BATCH": "0",
                "IMAGE_MAX_PIXELS": "lots",
                "INFERENCE_DTYPE": "int4",
                "INFERENCE_WARMUP": "maybe",
            }
        )
    message = str(caught.value)
    for name in ("INFERENCE_MAX_BATCH", "IMAGE_MAX_PIXELS", "INFERENCE_DTYPE", "INFERENCE_WARMUP"):
        assert name in message


def test_settings_defaults_and_overrides():
    assert load_settings({}) == ServingSettings()
    settings = load_settings({"INFERENCE_MAX_BATCH": "16", "INFERENCE_DTYPE": "BFloat16", "INFERENCE_WARMUP": "0"})
    assert (settings.max_batch, settings.dtype, settings.warmup) == (16, "bfloat16", False)


def test_draft_floor_below_model_input_is_refused_at_load(monkeypatch, demo_model_dir):
    monkeypatch.setattr(inference, "SETTINGS", ServingSettings(draft_min_side=32))
    with pytest.raises(ValueError, match="IMAGE_DRAFT_MIN_SIDE"):
        inference.model_fn(str(demo_model_dir))


def test_threads_follow_the_model_server_workers(monkeypatch):
    monkeypatch.setattr(serving_runtime, "available_cores", lambda: 8)
    assert serving_runtime.worker_threads(0, True, 2, cores=8) == 4
    assert serving_runtime.worker_threads(0, True, None, cores=8) == 1  # servers default to one worker per core
    assert serving_runtime.worker_threads(0, False, None, cores=8) == 8  # a single local process
    assert serving_runtime.worker_threads(3, True) == 3  # INFERENCE_THREADS wins
