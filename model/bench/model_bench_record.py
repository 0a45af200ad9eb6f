"""The model benchmark's JSON (model/bench/model-bench.json): its one writer.

bench_model.py measures; this builds the record from the measurements and writes it, so the format lives in one
place, documented field by field in docs/contracts.md ("Model benchmark JSON") and read by the cost tool
(tools/cost/model-benchmark.ts). A change of meaning or shape raises SCHEMA.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = 1
COMMAND = "npm run bench:model"


@dataclass(frozen=True)
class Machine:
    """Where the run was made."""

    cpu: str
    flags: list[str]
    native_bf16: bool
    amx: bool
    int8_dot_product: bool
    physical_cores: int
    threads: int
    torch: str
    load_before: float
    load_after: float
    instance_type: str | None


@dataclass(frozen=True)
class Measurements:
    """Everything one run measured, as bench_model.py has it (unrounded where it measured time)."""

    date: str
    machine: Machine
    gflop_per_image: float
    gemm_peak_gflops: dict[str, float]  # "float32", "bfloat16"
    default_precision: str
    default_variant: str
    best_variant: str
    pipeline_ms: dict[str, float]  # per image size
    decode_ms: dict[str, float]  # per image size
    variants: dict[str, dict[str, Any]]  # the table's rows, already rounded as printed
    batching_images_per_second: dict[str, float]
    workers_images_per_second: dict[str, float]
    health_check_timeout_s: int


def benchmark_record(run: Measurements) -> dict[str, Any]:
    """The JSON object written to model-bench.json."""
    serving = run.variants[run.default_variant]
    machine = run.machine
    return {
        "schema": SCHEMA,
        "date": run.date,
        "command": COMMAND,
        "machine": {
            "cpu": machine.cpu,
            "flags": machine.flags,
            "nativeBf16": machine.native_bf16,
            "amx": machine.amx,
            "int8DotProduct": machine.int8_dot_product,
            "physicalCores": machine.physical_cores,
            "threads": machine.threads,
            "torch": machine.torch,
            "loadAverage": {"before": round(machine.load_before, 2), "after": round(machine.load_after, 2)},
            "instanceType": machine.instance_type,
        },
        "model": {"name": "ViT-B/16-384 architecture, random weights", "gflopPerImage": round(run.gflop_per_image, 1)},
        "gemmPeakGflops": {
            "float32": round(run.gemm_peak_gflops["float32"], 1),
            "bfloat16": round(run.gemm_peak_gflops["bfloat16"], 1),
        },
        "defaultPrecision": run.default_precision,
        "defaultVariant": run.default_variant,
        "bestVariant": run.best_variant,
        "pipelineMsPerImage": {size: round(ms, 1) for size, ms in run.pipeline_ms.items()},
        "decodePreprocessMs": {size: round(ms, 1) for size, ms in run.decode_ms.items()},
        "variants": run.variants,
        "serving": {
            "variant": run.default_variant,
            "msPerImage": serving["msPerImage"]["0.3MP"],
            "imagesPerSecond": round(1000 / serving["msPerImage"]["0.3MP"], 3),
        },
        "batchingImagesPerSecond": run.batching_images_per_second,
        "workersImagesPerSecond": run.workers_images_per_second,
        "healthCheckTimeoutSeconds": run.health_check_timeout_s,
    }


def write_record(record: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n")
