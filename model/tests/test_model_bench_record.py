"""The model benchmark's writer writes the file the cost tool reads: the measurements of the committed
model/bench/model-bench.json, put through model_bench_record.benchmark_record and write_record, give back that
file byte for byte (key order, rounding, indentation). The jest test __tests__/tools/cost/model-benchmark-file.test.ts
holds that file to the cost tool's reader and to docs/contracts.md's field table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.model_bench_record import SCHEMA, Machine, Measurements, benchmark_record, write_record

BENCH_FILE = Path(__file__).resolve().parents[1] / "bench" / "model-bench.json"


def measurements_of(record: dict[str, Any]) -> Measurements:
    machine = record["machine"]
    return Measurements(
        date=record["date"],
        machine=Machine(
            cpu=machine["cpu"],
            flags=machine["flags"],
            native_bf16=machine["nativeBf16"],
            amx=machine["amx"],
            int8_dot_product=machine["int8DotProduct"],
            physical_cores=machine["physicalCores"],
            threads=machine["threads"],
            torch=machine["torch"],
            load_before=machine["loadAverage"]["before"],
            load_after=machine["loadAverage"]["after"],
            instance_type=machine["instanceType"],
        ),
        gflop_per_image=record["model"]["gflopPerImage"],
        gemm_peak_gflops=record["gemmPeakGflops"],
        default_precision=record["defaultPrecision"],
        default_variant=record["defaultVariant"],
        best_variant=record["bestVariant"],
        pipeline_ms=record["pipelineMsPerImage"],
        decode_ms=record["decodePreprocessMs"],
        variants=record["variants"],
        batching_images_per_second=record["batchingImagesPerSecond"],
        workers_images_per_second=record["workersImagesPerSecond"],
        health_check_timeout_s=record["healthCheckTimeoutSeconds"],
    )


def test_the_writer_gives_back_the_committed_benchmark_file(tmp_path: Path):
    # Prepare
    committed = BENCH_FILE.read_text()
    out = tmp_path / "nested" / "model-bench.json"

    # Act
    write_record(benchmark_record(measurements_of(json.loads(committed))), out)

    # Assess
    assert out.read_text() == committed


def test_the_serving_figures_are_the_default_variants_at_0_3_mp():
    # Prepare: the committed measurements, with another default variant
    run = measurements_of(json.loads(BENCH_FILE.read_text()))
    run = Measurements(**{**run.__dict__, "default_variant": "fp32Packed"})

    # Act
    record = benchmark_record(run)

    # Assess
    ms = run.variants["fp32Packed"]["msPerImage"]["0.3MP"]
    assert record["schema"] == SCHEMA
    assert record["serving"] == {"variant": "fp32Packed", "msPerImage": ms, "imagesPerSecond": round(1000 / ms, 3)}
