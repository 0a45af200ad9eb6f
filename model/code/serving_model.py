"""Load a Hugging Face image-classification folder and run batched classify / embed passes on it."""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, cast

import torch
from transformers import AutoImageProcessor, AutoModelForImageClassification

import serving_hardware
import serving_prepack
import serving_runtime
from model_folder import check_folder
from serving_precision import GuardResult, compare_logits
from serving_preprocess import Preprocessor
from serving_settings import ServingSettings

if TYPE_CHECKING:
    from transformers import PreTrainedModel

logger = logging.getLogger(__name__)


class Prediction(TypedDict):
    label: str
    score: float


@dataclass
class LoadedModel:
    model: torch.nn.Module  # a transformers image classifier (int8: with dynamically quantised Linear layers)
    preprocess: Preprocessor
    labels: list[str]
    device: torch.device
    dtype: torch.dtype
    precision: str = "float32"  # float32 | bfloat16 | float16 | int8 (int8: Linear weights only, inputs float32)
    prepacked: bool = False  # Linear weights in oneDNN's blocked layout (serving_prepack)
    # torch.compile'd forward for single images (INFERENCE_COMPILE=1), the Lambda's one-image requests; batches
    # use the eager model, so no request ever waits for a recompile at a new batch size.
    compiled: Callable[..., Any] | None = None
    guard: GuardResult | None = None

    @property
    def num_labels(self) -> int:
        return len(self.labels)

    def _to_input(self, pixel_values: torch.Tensor) -> torch.Tensor:
        return pixel_values.to(self.device, self.dtype, non_blocking=True)

    def logits(self, pixel_values: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor
        if self.compiled is not None and len(pixel_values) == 1:
            with torch.no_grad():  # frozen compiled graphs run under no_grad
                logits = self.compiled(pixel_values=self._to_input(pixel_values)).logits
                return logits.float()
        with torch.inference_mode():
            logits = self.model(pixel_values=self._to_input(pixel_values)).logits
            return logits.float()

    def classify(self, pixel_values: torch.Tensor, top_k: int) -> list[list[Prediction]]:
        logits = self.logits(pixel_values)
        with torch.inference_mode():
            scores, indices = logits.softmax(dim=-1).topk(top_k, dim=-1)  # topk returns sorted, descending
        return [
            [
                {"label": self.labels[i], "score": float(s)}
                for s, i in zip(row_scores.tolist(), row_indices.tolist(), strict=True)
            ]
            for row_scores, row_indices in zip(scores.cpu(), indices.cpu(), strict=True)
        ]

    def embed(self, pixel_values: torch.Tensor) -> list[list[float]]:
        """L2-normalised [CLS] token of the base model's last hidden state (after its final layer norm)."""
        with torch.inference_mode():
            base_model = cast(torch.nn.Module, self.model.base_model)  # every transformers model has one
            output = base_model(pixel_values=self._to_input(pixel_values))
            hidden = output.last_hidden_state
            # Transformers ([N, tokens, dim]) use the [CLS] token; CNN backbones ([N, C, H, W]) their pooled output.
            vectors = hidden[:, 0] if hidden.dim() == 3 else output.pooler_output.flatten(1)
            vectors = torch.nn.functional.normalize(vectors.float(), dim=-1)
        return vectors.cpu().tolist()


def load_model(
    model_dir: str | Path,
    settings: ServingSettings,
    gpu_id: int | str | None = None,
    under_model_server: bool = False,
) -> LoadedModel:
    started = time.perf_counter()
    check_folder(model_dir)
    threads = serving_runtime.worker_threads(settings.threads, under_model_server, settings.workers)
    serving_runtime.configure_threads(threads)
    device = serving_runtime.choose_device(gpu_id)

    model = _load_weights(model_dir, settings.attention)
    model.eval().to(device)
    processor = AutoImageProcessor.from_pretrained(model_dir, use_fast=False, local_files_only=True)
    preprocess = Preprocessor.from_processor(processor)
    _check_draft_floor(preprocess, settings)
    # Optional in transformers' types, but every classifier config has one (check_folder requires 2+ labels).
    id2label = cast("dict[int, str]", model.config.id2label)
    labels = [id2label[i] for i in range(len(id2label))]
    loaded = LoadedModel(model=model, preprocess=preprocess, labels=labels, device=device, dtype=torch.float32)

    _choose_precision(loaded, settings)
    if settings.compile:
        _compile(loaded)
    if settings.warmup:
        # The first pass allocates buffers and picks kernels; paying that here keeps it off the first request.
        loaded.classify(_probe_batch(loaded, 1), top_k=1)
    logger.info(
        "model loaded from %s in %.1f s: %d labels, device %s, precision %s, prepacked %s, compiled %s, %d threads, "
        "attention %s, fast preprocess %s",
        model_dir,
        time.perf_counter() - started,
        loaded.num_labels,
        device,
        loaded.precision,
        loaded.prepacked,
        loaded.compiled is not None,
        threads,
        settings.attention,
        preprocess.fast,
    )
    return loaded


def _load_weights(model_dir: str | Path, attention: str) -> PreTrainedModel:
    # No dtype argument: the default float32 load works across transformers versions (the containers ship
    # older ones than this venv, and the dtype/torch_dtype keyword changed names).
    model: PreTrainedModel
    try:
        model = AutoModelForImageClassification.from_pretrained(
            model_dir, attn_implementation=attention, local_files_only=True
        )
    except ValueError as error:  # an architecture without SDPA support in this transformers version
        if attention == "eager":
            raise
        logger.warning("attention %s not available (%s); using eager", attention, error)
        model = AutoModelForImageClassification.from_pretrained(
            model_dir, attn_implementation="eager", local_files_only=True
        )
    return model


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


PROBES = 8


def _choose_precision(loaded: LoadedModel, settings: ServingSettings) -> None:
    """Switch to the fastest format this device runs natively (with prepacked weights on CPU), if the logit guard
    says the answers are kept; otherwise keep serving the eager float32 model as loaded."""
    cuda_bf16 = loaded.device.type == "cuda" and torch.cuda.is_bf16_supported()
    cpu = serving_hardware.read_cpu_features()
    choice = serving_runtime.precision_choice(settings.dtype, loaded.device.type, cpu, cuda_bf16)
    # torch.compile's freezing packs weights itself (and traces plain nn.Linear), so the two are not combined.
    prepack = (
        settings.prepack
        and not settings.compile
        and loaded.device.type == "cpu"
        and choice.precision in ("float32", "bfloat16")
    )
    logger.info(
        "precision: trying %s%s (%s; CPU %s)",
        choice.precision,
        " prepacked" if prepack else "",
        choice.reason,
        cpu.describe(),
    )
    if choice.precision == "float32" and not prepack:
        return
    probes = _probe_batch(loaded, PROBES)
    reference = _logits_one_by_one(loaded, probes)
    candidate = reduced_copy(loaded, choice.precision)
    if prepack:
        candidate.prepacked = serving_prepack.prepack_linears(candidate.model) > 0
    result = compare_logits(reference, _logits_one_by_one(candidate, probes))
    logger.log(
        logging.INFO if result.ok else logging.WARNING,
        "%s%s %s",
        choice.precision,
        " prepacked" if candidate.prepacked else "",
        result.describe(),
    )
    if result.ok:
        loaded.model, loaded.dtype, loaded.precision, loaded.prepacked, loaded.guard = (
            candidate.model,
            candidate.dtype,
            candidate.precision,
            candidate.prepacked,
            result,
        )
    else:
        loaded.guard = result


def reduced_copy(loaded: LoadedModel, precision: str) -> LoadedModel:
    """A copy of the model in `precision`; the float32 original stays untouched (rounding it to bf16 and back
    would change its weights), so a refused format costs nothing."""
    if precision == "int8":
        # Dynamic quantisation: int8 Linear weights (per channel), activations quantised per batch on the fly;
        # fbgemm/oneDNN use VNNI or AMX-INT8 where present.
        model = torch.ao.quantization.quantize_dynamic(loaded.model, {torch.nn.Linear}, dtype=torch.qint8)
    else:
        model = copy.deepcopy(loaded.model).to(serving_runtime.weight_dtype(precision))
    return LoadedModel(
        model=model.eval(),
        preprocess=loaded.preprocess,
        labels=loaded.labels,
        device=loaded.device,
        dtype=serving_runtime.weight_dtype(precision),
        precision=precision,
    )


def _logits_one_by_one(loaded: LoadedModel, probes: torch.Tensor) -> torch.Tensor:
    # One image at a time, as requests arrive (and as a compiled batch-1 graph runs).
    return torch.cat([loaded.logits(probe[None]) for probe in probes])


def _compile(loaded: LoadedModel) -> None:
    """torch.compile with Inductor's weight freezing (constant-folded, oneDNN-prepacked weights, fused
    epilogues). Costs tens of seconds at start-up and needs a C++ compiler in the container; any failure leaves
    the eager model serving (logged), never a dead worker."""
    started = time.perf_counter()
    try:
        import torch._inductor.config as inductor_config

        inductor_config.freezing = True
        compiled = torch.compile(loaded.model)
        with torch.no_grad():
            compiled(pixel_values=loaded._to_input(_probe_batch(loaded, 1)))  # compiles now, not on a request
    except Exception:  # compiler missing, unsupported op, ...: serve eagerly instead
        logger.exception("torch.compile failed after %.1f s; serving the eager model", time.perf_counter() - started)
        return
    loaded.compiled = compiled
    logger.info("torch.compile (freezing) ready in %.1f s", time.perf_counter() - started)
