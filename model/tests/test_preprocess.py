"""Our batched preprocessing equals transformers' own image processor, value for value."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image
from transformers import ConvNextImageProcessor, ViTImageProcessor

from serving_preprocess import Preprocessor

# google/vit-base-patch16-384's preprocessor_config.json (old feature-extractor style: size is a bare int).
VIT_384: dict[str, Any] = {
    "do_normalize": True,
    "do_resize": True,
    "image_mean": [0.5, 0.5, 0.5],
    "image_std": [0.5, 0.5, 0.5],
    "resample": 2,
    "size": 384,
}
PER_CHANNEL = {
    "do_resize": True,
    "size": {"height": 64, "width": 48},
    "resample": 3,
    "do_rescale": True,
    "rescale_factor": 1 / 255,
    "do_normalize": True,
    "image_mean": [0.485, 0.456, 0.406],
    "image_std": [0.229, 0.224, 0.225],
}


def random_images(seed: int) -> list[Image.Image]:
    rng = np.random.default_rng(seed)
    sizes = [(37, 91), (640, 480), (384, 384), (1000, 333), (5, 7)]
    return [Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)) for w, h in sizes]


@pytest.mark.parametrize("config", [VIT_384, PER_CHANNEL], ids=["vit-base-patch16-384", "per-channel-bicubic"])
def test_fast_path_matches_vit_image_processor(config):
    processor = ViTImageProcessor(**config)
    ours = Preprocessor.from_processor(processor)
    assert ours.fast
    images = random_images(1)
    expected = processor(images=images, return_tensors="pt")["pixel_values"]
    actual = ours(images)
    assert actual.dtype == torch.float32
    assert actual.shape == expected.shape
    torch.testing.assert_close(actual, expected, rtol=0, atol=2e-6)


def test_channel_order_is_rgb():
    # A pure red image must light up channel 0 only: catches BGR/RGB swaps in our path.
    processor = ViTImageProcessor(**VIT_384)
    pixels = Preprocessor.from_processor(processor)([Image.new("RGB", (10, 10), (255, 0, 0))])
    assert pixels[0, 0].min() == pytest.approx(1.0)
    assert pixels[0, 1].max() == pytest.approx(-1.0)


def test_other_processors_are_called_as_they_are():
    processor = ConvNextImageProcessor(size={"shortest_edge": 224}, crop_pct=0.875)
    ours = Preprocessor.from_processor(processor)
    assert not ours.fast
    images = random_images(2)
    torch.testing.assert_close(ours(images), processor(images=images, return_tensors="pt")["pixel_values"])
