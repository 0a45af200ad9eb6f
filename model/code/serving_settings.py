"""All serving settings, read from environment variables in one place and validated together.

Every variable is optional; docs/model.md lists them. An invalid value stops model loading with one message
naming every bad variable, instead of surfacing later as a confusing per-request failure.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DTYPES = ("auto", "float32", "bfloat16", "float16", "int8")
ATTENTION = ("sdpa", "eager")


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class ServingSettings:
    max_batch: int = 8  # images per JSON batch request
    max_pixels: int = 50_000_000  # width * height ceiling (covers 48 MP phone photos)
    max_side: int = 16_384  # longest-side ceiling
    draft_min_side: int = 512  # JPEGs decode at the smallest DCT scale keeping both sides >= this; 0 = off
    threads: int = 0  # torch intra-op threads; 0 = cores available to this worker
    dtype: str = "auto"  # auto | float32 | bfloat16 | float16 | int8 (see docs/model.md and serving_runtime)
    attention: str = "sdpa"  # sdpa (fused scaled-dot-product attention) | eager
    warmup: bool = True  # one forward pass at load so the first request is not slow
    prepack: bool = True  # CPU: Linear weights reordered once into oneDNN's layout (serving_prepack)
    compile: bool = False  # torch.compile with weight freezing for single-image requests (opt-in, see docs)
    # Time one request may keep a worker busy (decode + inference) from when the worker starts it; 0 = no limit.
    # The default is the Lambda's default INVOKE_BUDGET_MS, and the stack sets it to the deployed one.
    deadline_ms: int = 25_000


_INT_VARS = {
    "max_batch": ("INFERENCE_MAX_BATCH", 1, 64),
    "max_pixels": ("IMAGE_MAX_PIXELS", 1, 200_000_000),
    "max_side": ("IMAGE_MAX_SIDE", 1, 100_000),
    "draft_min_side": ("IMAGE_DRAFT_MIN_SIDE", 0, 100_000),
    "threads": ("INFERENCE_THREADS", 0, 1024),
    "deadline_ms": (
        "INFERENCE_DEADLINE_MS",
        0,
        3_600_000,
    ),  # an hour: the longest invocation SageMaker has (asynchronous inference)
}
_CHOICE_VARS = {"dtype": ("INFERENCE_DTYPE", DTYPES), "attention": ("INFERENCE_ATTENTION", ATTENTION)}


def load_settings(environ: Mapping[str, str] | None = None) -> ServingSettings:
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}  # field name -> its validated int, str or bool
    problems: list[str] = []
    for field, (name, low, high) in _INT_VARS.items():
        raw = environ.get(name, "").strip()
        if not raw:
            continue
        try:
            value = int(raw)
        except ValueError:
            problems.append(f"{name}={raw!r} is not an integer")
            continue
        if not low <= value <= high:
            problems.append(f"{name}={value} is outside {low}..{high}")
        values[field] = value
    for field, (name, choices) in _CHOICE_VARS.items():
        raw = environ.get(name, "").strip().lower()
        if raw and raw not in choices:
            problems.append(f"{name}={raw!r} is not one of {', '.join(choices)}")
        elif raw:
            values[field] = raw
    flags = (("warmup", "INFERENCE_WARMUP"), ("prepack", "INFERENCE_PREPACK"), ("compile", "INFERENCE_COMPILE"))
    for field, name in flags:
        raw = environ.get(name, "").strip().lower()
        if raw and raw not in ("0", "1", "true", "false"):
            problems.append(f"{name}={raw!r} is not one of 0, 1, true, false")
        elif raw:
            values[field] = raw in ("1", "true")
    if problems:
        raise SettingsError("invalid serving settings: " + "; ".join(problems))
    return ServingSettings(**values)
