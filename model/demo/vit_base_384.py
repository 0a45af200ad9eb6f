"""A folder laid out like google/vit-base-patch16-384, with its real configuration values and random weights.

The tests and benchmarks run offline, without the real weights; the architecture, the file names and the (old,
feature-extractor style) preprocessor config are what matter for proving that loading and serving the real
checkpoint works, and for benchmarking its speed. Values copied from the model's config.json /
preprocessor_config.json on the Hub.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from transformers import ViTConfig, ViTForImageClassification

CONFIG = {
    "architectures": ["ViTForImageClassification"],
    "attention_probs_dropout_prob": 0.0,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.0,
    "hidden_size": 768,
    "image_size": 384,
    "initializer_range": 0.02,
    "intermediate_size": 3072,
    "layer_norm_eps": 1e-12,
    "model_type": "vit",
    "num_attention_heads": 12,
    "num_channels": 3,
    "num_hidden_layers": 12,
    "patch_size": 16,
    "qkv_bias": True,
}
PREPROCESSOR: dict[str, Any] = {
    "do_normalize": True,
    "do_resize": True,
    "feature_extractor_type": "ViTFeatureExtractor",
    "image_mean": [0.5, 0.5, 0.5],
    "image_std": [0.5, 0.5, 0.5],
    "resample": 2,
    "size": 384,
}
# ImageNet-1k has 1000 classes; only the name the project's examples use is real, the rest are stand-ins.
LABELS = {i: f"imagenet class {i}" for i in range(1000)} | {281: "tabby, tabby cat"}


def write_vit_base_384(folder: Path, seed: int = 0, weights: str = "safetensors") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    config = ViTConfig(**CONFIG, id2label=LABELS, label2id={v: k for k, v in LABELS.items()})
    model = ViTForImageClassification(config).eval()
    model.save_pretrained(folder, safe_serialization=(weights == "safetensors"))
    (folder / "preprocessor_config.json").write_text(json.dumps(PREPROCESSOR, indent=2) + "\n")
    return folder
