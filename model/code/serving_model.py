"""Load a Hugging Face image-classification folder and run batched classify / embed passes on it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import AutoImageProcessor, AutoModelForImageClassification

import serving_runtime
from model_folder import check_folder
from serving_preprocess import Preprocessor
from serving_settings import ServingSettings

logger = logging.getLogger(__name__)


@dataclass
class LoadedModel:
    model: torch.nn.Module
    preprocess: Preprocessor
    labels: list[str]
    device: torch.device
    dtype: torch.dtype

    @property
    def num_labels(self) -> int:
        return len(self.labels)

    def _to_input(self, pixel_values: torch.Tensor) -> torch.Tensor:
        return pixel_values.to(self.device, self.dtype, non_blocking=True)

    def classify(self, pixel_values: torch.Tensor, top_k: int) -> list[list[dict]]:
        with torch.inference_mode():
            logits = self.model(pixel_values=self._to_input(pixel_values)).logits
            scores, indices = logits.float().softmax(dim=-1).topk(top_k, dim=-1)  # topk returns sorted, descending
        return [
            [{"label": self.labels[i], "score": float(s)} for s, i in zip(row_scores.tolist(), row_indices.tolist())]
            for row_scores, row_indices in zip(scores.cpu(), indices.cpu())
        ]

    def embed(self, pixel_values: torch.Tensor) -> list[list[float]]:
        """L2-normalised [CLS] token of the base model's last hidden state (after its final layer norm)."""
        with torch.inference_mode():
            output = self.model.base_model(pixel_values=self._to_input(pixel_values))
            hidden = output.last_hidden_state
            # Transformers ([N, tokens, dim]) use the [CLS] token; CNN backbones ([N, C, H, W]) their pooled output.
            vectors = hidden[:, 0] if hidden.dim() == 3 else output.pooler_output.flatten(1)
            vectors = torch.nn.functional.normalize(vectors.float(), dim=-1)
        return vectors.cpu().tolist()


def load_model(model_dir: str | Path, settings: ServingSettings, gpu_id=None, under_model_server=False) -> LoadedModel:
    started = time.perf_counter()
    check_folder(model_dir)
    threads = serving_runtime.worker_threads(settings.threads, under_model_server)
    serving_runtime.configure_threads(threads)
    device = serving_runtime.choose_device(gpu_id)

    model = _load_weights(model_dir, settings.attention)
    model.eval().to(device)
    processor = AutoImageProcessor.from_pretrained(model_dir, use_fast=False, local_files_only=True)
    preprocess = Preprocessor.from_processor(processor)
    _check_draft_floor(preprocess, settings)
    labels = [model.config.id2label[i] for i in range(len(model.config.id2label))]
    loaded = LoadedModel(model=model, preprocess=preprocess, labels=labels, device=device, dtype=torch.float32)

    _maybe_reduce_precision(loaded, settings)
    if settings.warmup:
        # The first pass allocates buffers and picks kernels; paying that here keeps it off the first request.
        loaded.classify(_probe_batch(loaded, 1), top_k=1)
    logger.info(
        "model loaded from %s in %.1f s: %d labels, device %s, dtype %s, %d threads, attention %s, fast preprocess %s",
        model_dir, time.perf_counter() - started, loaded.num_labels, device, loaded.dtype, threads,
        settings.attention, preprocess.fast,
    )
    return loaded


def _load_weights(model_dir, attention: str) -> torch.nn.Module:
    # No dtype argument: the default float32 load works across transformers versions (the containers ship
    # older ones than this venv, and the dtype/torch_dtype keyword changed names).
    try:
        return AutoModelForImageClassification.from_pretrained(
            model_dir, attn_implementation=attention, local_files_only=True
        )
    except ValueError as error:  # an architecture without SDPA support in this transformers version
        if attention == "eager":
            raise
        logger.warning("attention %s not available (%s); using eager", attention, error)
        return AutoModelForImageClassification.from_pretrained(
            model_dir, attn_implementation="eager", local_files_only=True
        )


def _check_draft_floor(preprocess: Preprocessor, settings: ServingSettings) -> None:
    size = preprocess.input_size
    if settings.draft_min_side and size and max(size) > settings.draft_min_side:
        raise ValueError(
            f"IMAGE_DRAFT_MIN_SIDE={settings.draft_min_side} is below the model's input size {max(size)}: "
            "JPEGs would be decoded smaller than the model needs; raise it or set it to 0"
        )


def _probe_batch(loaded: LoadedModel, count: int) -> torch.Tensor:
    """Deterministic, image-like inputs (smooth random fields) for warm-up and precision checks."""
    height, width = loaded.preprocess.input_size or (224, 224)
    generator = torch.Generator().manual_seed(0)
    coarse = torch.rand(count, 3, 8, 8, generator=generator) * 4 - 2
    return torch.nn.functional.interpolate(coarse, size=(height, width), mode="bilinear", align_corners=False)


def _maybe_reduce_precision(loaded: LoadedModel, settings: ServingSettings) -> None:
    """Switch to bf16/fp16 only if requested, fast on this device, and top-1 agrees with float32 on probes."""
    dtype = serving_runtime.candidate_dtype(settings.dtype, loaded.device)
    if dtype == torch.float32:
        return
    probes = _probe_batch(loaded, 8)
    reference = [row[0]["label"] for row in loaded.classify(probes, top_k=1)]
    loaded.model.to(dtype)
    loaded.dtype = dtype
    reduced = [row[0]["label"] for row in loaded.classify(probes, top_k=1)]
    if reduced != reference:
        logger.warning("%s changes top-1 on probe images; staying on float32", dtype)
        loaded.model.to(torch.float32)
        loaded.dtype = torch.float32
