"""RGB Pillow images -> the model's pixel_values, numerically equal to the model's Hugging Face image processor.

For ViT-style processors (resize to a fixed height x width, rescale, normalise) the same steps run here
directly: Pillow resize with the processor's resample filter on the 8-bit image (exactly what transformers'
`resize` does), then one fused multiply-add for rescale + normalise in float32, batched in torch. That skips
the processor's per-image numpy round trips. Any other processor (centre crops, shortest-edge resizes, ...)
is called as is, so correctness never depends on this shortcut.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image

FAST_PATH_PROCESSORS = ("ViTImageProcessor", "ViTImageProcessorFast", "ViTFeatureExtractor")


@dataclass(frozen=True)
class Preprocessor:
    # The transformers image processor loaded from preprocessor_config.json. Any: its attributes depend on the
    # processor class and the transformers version; the fast path reads them only for FAST_PATH_PROCESSORS.
    processor: Any
    fast: bool

    @classmethod
    def from_processor(cls, processor: Any) -> Preprocessor:
        size = getattr(processor, "size", None) or {}
        fast = type(processor).__name__ in FAST_PATH_PROCESSORS and {"height", "width"} <= set(size)
        return cls(processor=processor, fast=fast)

    @property
    def input_size(self) -> tuple[int, int] | None:
        """(height, width) the model sees, when the processor makes it fixed."""
        size = getattr(self.processor, "size", None) or {}
        crop = getattr(self.processor, "crop_size", None) or {}
        if getattr(self.processor, "do_center_crop", False) and {"height", "width"} <= set(crop):
            return crop["height"], crop["width"]
        if {"height", "width"} <= set(size):
            return size["height"], size["width"]
        return None

    def __call__(self, images: list[Image.Image]) -> torch.Tensor:
        if not self.fast:
            pixel_values: torch.Tensor = self.processor(images=images, return_tensors="pt")["pixel_values"]
            return pixel_values
        return self._vit_style(images)

    def _vit_style(self, images: list[Image.Image]) -> torch.Tensor:
        p = self.processor
        height, width = p.size["height"], p.size["width"]
        if p.do_resize:
            images = [image.resize((width, height), resample=p.resample) for image in images]
        elif len({image.size for image in images}) > 1:
            raise ValueError("processor does not resize, so a batch needs images of one size")
        pixels = torch.from_numpy(np.stack([np.asarray(image, dtype=np.uint8) for image in images]))
        pixels = pixels.permute(0, 3, 1, 2).to(torch.float32)
        scale = float(p.rescale_factor) if p.do_rescale else 1.0
        if p.do_normalize:
            mean = torch.tensor(p.image_mean, dtype=torch.float32).view(1, -1, 1, 1)
            std = torch.tensor(p.image_std, dtype=torch.float32).view(1, -1, 1, 1)
            # (x * scale - mean) / std as one multiply-add: x * (scale / std) - mean / std
            return torch.addcmul(-mean / std, pixels, scale / std)
        return pixels * scale
