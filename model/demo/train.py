"""Train the tiny demo ViT on generated shapes and save it in the Hugging Face folder layout.

The layout is the one google/vit-base-patch16-384 ships (config.json with id2label/label2id,
preprocessor_config.json for ViTImageProcessor, model.safetensors), so every serving path is exercised on it.
Training preprocesses with transformers' own ViTImageProcessor (the reference), never with our serving code:
a preprocessing bug in serving then shows up as lost accuracy instead of being learned.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import transformers
from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

from . import shapes

REPORT_FILE = "demo_model.json"


@dataclass(frozen=True)
class TrainSettings:
    image_size: int = 64
    patch_size: int = 16
    hidden_size: int = 96
    layers: int = 3
    heads: int = 4
    intermediate_size: int = 192
    train_samples: int = 4800
    heldout_samples: int = 1200
    train_seed: int = 1
    heldout_seed: int = 2  # a different seed: the held-out images are freshly generated, never seen in training
    torch_seed: int = 0
    epochs: int = 10
    batch_size: int = 32
    learning_rate: float = 1e-3
    weight_decay: float = 0.05
    # One thread: the matrices are tiny, and on a shared machine two spinning OpenMP threads ran 10x slower.
    threads: int = 1


def fingerprint(settings: TrainSettings) -> str:
    """Changes whenever the generator, the training code or the settings change (so the cache is rebuilt)."""
    digest = hashlib.sha256()
    for source in (Path(shapes.__file__), Path(__file__)):
        digest.update(source.read_bytes())
    digest.update(json.dumps(asdict(settings), sort_keys=True).encode())
    return digest.hexdigest()


def reference_processor(settings: TrainSettings) -> ViTImageProcessor:
    # Per-channel ImageNet statistics (not ViT-384's 0.5s) so that a channel-order or normalisation bug in serving
    # moves each channel differently and costs accuracy.
    return ViTImageProcessor(
        do_resize=True,
        size={"height": settings.image_size, "width": settings.image_size},
        resample=transformers.image_utils.PILImageResampling.BILINEAR,  # as in google/vit-base-patch16-384
        do_rescale=True,
        rescale_factor=1 / 255,
        do_normalize=True,
        image_mean=[0.485, 0.456, 0.406],
        image_std=[0.229, 0.224, 0.225],
    )


def build_model(settings: TrainSettings) -> ViTForImageClassification:
    config = ViTConfig(
        image_size=settings.image_size,
        patch_size=settings.patch_size,
        num_channels=3,
        hidden_size=settings.hidden_size,
        num_hidden_layers=settings.layers,
        num_attention_heads=settings.heads,
        intermediate_size=settings.intermediate_size,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        id2label=dict(enumerate(shapes.LABELS)),
        label2id={label: index for index, label in enumerate(shapes.LABELS)},
        architectures=["ViTForImageClassification"],
    )
    return ViTForImageClassification(config)


def _tensors(samples: list[shapes.Sample], processor: ViTImageProcessor) -> tuple[torch.Tensor, torch.Tensor]:
    pixels = processor([sample.image for sample in samples], return_tensors="pt")["pixel_values"]
    return pixels, torch.tensor([sample.label for sample in samples])


def accuracy(model: ViTForImageClassification, pixels: torch.Tensor, labels: torch.Tensor) -> float:
    model.eval()
    with torch.inference_mode():
        predictions = torch.cat([model(pixel_values=chunk).logits.argmax(-1) for chunk in pixels.split(256)])
    return float((predictions == labels).float().mean())


def train(out_dir: Path, settings: TrainSettings = TrainSettings(), log=print) -> dict:
    """Train, evaluate on the held-out set and write the model folder atomically. Returns the report."""
    started = time.perf_counter()
    torch.set_num_threads(settings.threads)
    random.seed(settings.torch_seed)
    np.random.seed(settings.torch_seed)
    torch.manual_seed(settings.torch_seed)

    processor = reference_processor(settings)
    train_x, train_y = _tensors(shapes.generate(settings.train_samples, settings.train_seed), processor)
    heldout_x, heldout_y = _tensors(shapes.generate(settings.heldout_samples, settings.heldout_seed), processor)
    log(
        f"generated {len(train_y)} training and {len(heldout_y)} held-out images "
        f"in {time.perf_counter() - started:.1f} s"
    )

    model = build_model(settings)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay)
    steps_per_epoch = math.ceil(len(train_y) / settings.batch_size)
    total_steps = settings.epochs * steps_per_epoch
    warmup = steps_per_epoch

    def lr_scale(step: int) -> float:  # linear warm-up, then cosine decay to zero
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total_steps - warmup)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_scale)
    generator = torch.Generator().manual_seed(settings.torch_seed)
    for epoch in range(settings.epochs):
        model.train()
        order = torch.randperm(len(train_y), generator=generator)
        total_loss = 0.0
        for batch in order.split(settings.batch_size):
            pixels = train_x[batch]
            # Horizontal flips keep both shape and colour: free augmentation.
            flip = torch.rand(len(batch), generator=generator) < 0.5
            pixels = torch.where(flip[:, None, None, None], pixels.flip(-1), pixels)
            loss = model(pixel_values=pixels, labels=train_y[batch]).loss
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            total_loss += loss.item() * len(batch)
        log(
            f"epoch {epoch + 1}/{settings.epochs}: loss {total_loss / len(train_y):.4f} "
            f"({time.perf_counter() - started:.0f} s)"
        )

    heldout_accuracy = accuracy(model, heldout_x, heldout_y)
    report = {
        "fingerprint": fingerprint(settings),
        "heldout_accuracy": heldout_accuracy,
        "heldout_samples": settings.heldout_samples,
        "train_seconds": round(time.perf_counter() - started, 1),
        "settings": asdict(settings),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
    }
    _save_atomically(out_dir, model, processor, report)
    return report


def _save_atomically(out_dir: Path, model, processor, report: dict) -> None:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".demo-model-", dir=out_dir.parent))
    model.save_pretrained(staging, safe_serialization=True)
    processor.save_pretrained(staging)
    (staging / REPORT_FILE).write_text(json.dumps(report, indent=2) + "\n")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    staging.rename(out_dir)


def cached_report(out_dir: Path, settings: TrainSettings = TrainSettings()) -> dict | None:
    """The saved report if `out_dir` holds a complete model trained by this exact code and settings."""
    report_path = out_dir / REPORT_FILE
    needed = ("config.json", "preprocessor_config.json", "model.safetensors")
    if not report_path.is_file() or not all((out_dir / name).is_file() for name in needed):
        return None
    try:
        report = json.loads(report_path.read_text())
    except json.JSONDecodeError:
        return None
    return report if report.get("fingerprint") == fingerprint(settings) else None
