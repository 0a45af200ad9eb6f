"""All serving settings, read from environment variables in one place and validated together.

Names, ranges, allowed values and defaults come from serving_settings.json beside this file (the packager puts it into
the tarball's code/): the stack validates its config section model.serving against the same table at synth, so
whatever synth accepts, this accepts. Every variable is optional; docs/model.md lists them. An invalid value stops
model loading with one message naming every bad variable, instead of surfacing later as a confusing per-request
failure.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Config key (camelCase, as under model.serving) -> {"variable", "type", "min"/"max" or "choices", "default"}.
TABLE_FILE = Path(__file__).with_name("serving_settings.json")
TABLE: dict[str, dict[str, Any]] = json.loads(TABLE_FILE.read_text())["settings"]

_FLAGS = {"1": True, "true": True, "0": False, "false": False}

# Set by a Batch Transform job's Environment (the catalogue runner), never by the stack's config: not in the table, so
# model.serving does not offer them (and model.environment refuses INFERENCE_* names). Same entry format.
JOB_SETTINGS: dict[str, dict[str, Any]] = {
    "task": {"variable": "INFERENCE_TASK", "type": "choice", "choices": ["classify", "embed"], "default": "classify"},
    "batchMode": {"variable": "INFERENCE_BATCH_MODE", "type": "flag", "default": False},
}
TASKS = tuple(JOB_SETTINGS["task"]["choices"])


class SettingsError(ValueError):
    pass


def field_name(key: str) -> str:
    """The ServingSettings field of a table key: maxBatch -> max_batch."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _default(key: str) -> Any:
    return TABLE[key]["default"]


@dataclass(frozen=True)
class ServingSettings:
    """One field per table entry, named after its key, with the table's default; then the job settings."""

    workers: int | None = _default("workers")  # model server workers; None: the server's default (one per vCPU)
    log_level: str = _default("logLevel")  # the toolkit's log level (a Python logging level number)
    threads: int = _default("threads")  # torch intra-op threads; 0 = cores available to this worker
    dtype: str = _default("dtype")  # auto | float32 | bfloat16 | float16 | int8 (see docs/model.md and serving_runtime)
    attention: str = _default("attention")  # sdpa (fused scaled-dot-product attention) | eager
    warmup: bool = _default("warmup")  # one forward pass at load so the first request is not slow
    prepack: bool = _default("prepack")  # CPU: Linear weights reordered once into oneDNN's layout (serving_prepack)
    compile: bool = _default("compile")  # torch.compile with weight freezing for single-image requests (opt-in)
    max_batch: int = _default("maxBatch")  # images per JSON batch request
    max_pixels: int = _default("maxPixels")  # width * height ceiling (covers 48 MP phone photos)
    max_side: int = _default("maxSide")  # longest-side ceiling
    draft_min_side: int = _default("draftMinSide")  # JPEG draft: smallest DCT scale keeping both sides >= this; 0 = off
    # Time one request may keep a worker busy (decode + inference) from when the worker starts it; 0 = no limit.
    # The default is the Lambda's default INVOKE_BUDGET_MS; the stack writes the deployed one.
    deadline_ms: int = _default("deadlineMs")
    # The task of a request whose custom attributes name none. A Batch Transform job sends no custom attributes:
    # its Environment (merged into the container's) sets INFERENCE_TASK=embed instead of a second model.
    task: str = JOB_SETTINGS["task"]["default"]
    # Batch Transform fails the whole job on one record answered with an error status, so in batch mode a bad
    # record is answered 200 with {"error": {"code", "message"}} and the run's report lists it.
    batch_mode: bool = JOB_SETTINGS["batchMode"]["default"]


def load_settings(environ: Mapping[str, str] | None = None) -> ServingSettings:
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}  # field name -> its validated int, str or bool
    problems: list[str] = []
    for key, spec in {**TABLE, **JOB_SETTINGS}.items():
        name = spec["variable"]
        raw = environ.get(name, "").strip()
        if not raw:
            continue
        problem = _parse(spec, raw, values, field_name(key))
        if problem:
            problems.append(f"{name}={problem}")
    if problems:
        raise SettingsError("invalid serving settings: " + "; ".join(problems))
    return ServingSettings(**values)


def _parse(spec: Mapping[str, Any], raw: str, values: dict[str, Any], field: str) -> str | None:
    """Stores the value of one set variable under `field`; returns what is wrong with it instead, if anything."""
    if spec["type"] == "integer":
        try:
            value = int(raw)
        except ValueError:
            return f"{raw!r} is not an integer"
        if not spec["min"] <= value <= spec["max"]:
            return f"{value} is outside {spec['min']}..{spec['max']}"
        values[field] = value
    elif spec["type"] == "choice":
        if raw.lower() not in spec["choices"]:
            return f"{raw.lower()!r} is not one of {', '.join(spec['choices'])}"
        values[field] = raw.lower()
    else:
        if raw.lower() not in _FLAGS:
            return f"{raw.lower()!r} is not one of 0, 1, true, false"
        values[field] = _FLAGS[raw.lower()]
    return None
