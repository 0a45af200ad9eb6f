"""Serving benchmark on the ViT-B/16-384 architecture (google/vit-base-patch16-384's config, random weights).

Prints numbers, asserts nothing, and writes them to a JSON file that `npm run cost` reads (model/bench/model-bench.json
by default). Every comparison is against a baseline measured in the same run, interleaved so that load from other
processes on a shared machine hits every contender alike:
- the CPU's features and its GEMM peaks (fp32, bf16): the hardware limit;
- {fp32, bf16, best optimisation (torch.compile with freezing), int8} x {0.3 MP, 12 MP JPEG}: end-to-end ms per image
  through input_fn/predict_fn/output_fn, forward share of the GEMM peak, speed-up over transformers'
  pipeline("image-classification") (fp32, its own decoding) on the same bytes, top-1 agreement with fp32 on the
  demo model's held-out images, and logit error against fp32 on ViT-B/16-384;
- start-up time of each variant (load + precision guard + warm-up (+ compile)), against the health-check timeout;
- throughput at batch 1..8, and one worker with every core against one worker per core.

Usage: npm run bench:model -- [--reps N] [--out FILE] [--instance-type ml.c7i.xlarge]
(--instance-type labels a run made on that SageMaker instance type, so the cost tool counts it as measured there.)
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

import inference
import serving_hardware
import serving_model
import serving_prepack
import serving_runtime
from bench.model_bench_record import Machine, Measurements, benchmark_record, write_record
from demo import shapes
from demo.vit_base_384 import CONFIG, write_vit_base_384
from serving_image import decode_image
from serving_precision import compare_logits
from serving_settings import ServingSettings

MODEL_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FOLDER = MODEL_ROOT / ".cache" / "bench-vit-base-patch16-384"
DEMO_FOLDER = MODEL_ROOT / ".cache" / "demo-model"
DEFAULT_OUT = Path(__file__).resolve().parent / "model-bench.json"
HEALTH_CHECK_TIMEOUT_S = 600  # endpoint.instance.startupHealthCheckTimeoutSeconds default (src/config/schema.ts)
HELDOUT_SEED, HELDOUT_COUNT = 2024, 1200  # a seed neither training nor the tests use
SIZES = {"0.3MP": (640, 480), "12MP": (4000, 3000)}


def timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def interleaved(runs: dict, reps: int) -> dict:
    """Best (minimum) seconds of each run over `reps` repetitions, alternating the order every repetition.

    Minimum, not median: on a machine shared with other jobs, a 2-thread forward that loses one of its cores for a
    moment waits at every OpenMP barrier, so medians swing 2-5x with the neighbours' load; the minimum of
    interleaved repetitions is each contender's capability, measured under the same conditions."""
    for run in runs.values():
        run()  # warm-up
    samples: dict[Any, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for rep in range(reps):
        for name in names if rep % 2 == 0 else reversed(names):
            samples[name].append(timed(runs[name]))
    return {name: min(values) for name, values in samples.items()}


def photo_like_jpeg(width: int, height: int, seed: int) -> bytes:
    """Smooth colour fields plus fine noise: compresses like a photo (~1-3 bits per pixel at quality 90)."""
    rng = np.random.default_rng(seed)
    coarse = Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    noise = rng.normal(0, 12, (height, width, 1))
    pixels = np.clip(np.asarray(coarse, dtype=np.float32) + noise, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def vit_forward_flops(config: dict) -> float:
    """Multiply-adds x 2 of one ViT forward (patch embedding, attention and MLP blocks; head ignored)."""
    d, layers, mlp = config["hidden_size"], config["num_hidden_layers"], config["intermediate_size"]
    patches = (config["image_size"] // config["patch_size"]) ** 2
    tokens = patches + 1
    patch_embed = 2 * patches * (3 * config["patch_size"] ** 2) * d
    per_layer = 2 * tokens * d * 4 * d + 2 * 2 * tokens * tokens * d + 2 * 2 * tokens * d * mlp
    return patch_embed + layers * per_layer


GEMM_SHAPES = ((2048, 2048, 2048), (577, 768, 3072), (577, 3072, 768))  # square, and the model's MLP GEMMs


def gemm_runs() -> dict:
    """GEMMs that define the machine's matrix-multiply capability in fp32 and bf16: a 2048^3 GEMM and the model's
    MLP shapes (577 tokens x 768 x 3072 and back), each through torch.mm, nn.Linear (MKL for fp32) and oneDNN with a
    prepacked weight. All of them, because libraries pick different kernels per shape and per CPU vendor (on the AMD
    EPYC of docs/model.md's benchmark run, MKL's fp32 was far below oneDNN's). Timed inside the benchmark's
    interleaved loop, so the peak and the forwards it is compared with see the same load. Keys: ("gemm", dtype name,
    flops, shape and path)."""
    runs = {}
    for dtype in (torch.float32, torch.bfloat16):
        for m, k, n in GEMM_SHAPES:
            x, linear, square = (
                torch.randn(m, k).to(dtype),
                torch.nn.Linear(k, n, bias=False).to(dtype),
                torch.randn(k, n).to(dtype),
            )
            paths = {
                "linear": lambda x=x, linear=linear: linear(x),
                "mm": lambda x=x, square=square: torch.mm(x, square),
            }
            if serving_prepack.available():
                packed = serving_prepack.PrepackedLinear(linear, rows_hint=m)
                paths["onednn"] = lambda x=x, packed=packed: packed(x)
            for path, run in paths.items():
                runs[("gemm", str(dtype).removeprefix("torch."), 2 * m * k * n, f"{m}x{k}x{n} {path}")] = run
    return runs


def gemm_peaks(times_ms: dict) -> dict:
    """Best GFLOP/s per format from the timed GEMM runs."""
    peaks: dict[str, float] = {}
    for key, ms in times_ms.items():
        if key[0] == "gemm":
            peaks[key[1]] = max(peaks.get(key[1], 0.0), key[2] / (ms / 1000) / 1e9)
    return peaks


def invoke(model, body: bytes) -> str:
    return inference.output_fn(inference.predict_fn(inference.input_fn(body, "image/jpeg"), model), "application/json")


VARIANT_LABELS = {
    "fp32": "fp32 eager (the old default)",
    "fp32Packed": "fp32 + prepacked weights (default w/o bf16)",
    "bf16": "bf16 eager",
    "bf16Packed": "bf16 + prepacked weights (default w/ bf16)",
    "compiled": "default precision + torch.compile(freezing)",
    "int8": "int8 dynamic quantisation (opt-in)",
}


def variant_settings(default_precision: str) -> dict:
    return {
        "fp32": ServingSettings(dtype="float32", prepack=False),
        "fp32Packed": ServingSettings(dtype="float32"),
        "bf16": ServingSettings(dtype="bfloat16", prepack=False),
        "bf16Packed": ServingSettings(dtype="bfloat16"),
        "compiled": ServingSettings(dtype=default_precision, compile=True),
        "int8": ServingSettings(dtype="int8"),
    }


def load_variant(folder: Path, name: str, settings: ServingSettings):
    model = serving_model.load_model(folder, settings)
    if name.startswith("bf16") and model.precision != "bfloat16":  # not native here: measure it anyway, labelled so
        model = serving_model.reduced_copy(model, "bfloat16")
        if settings.prepack:
            model.prepacked = serving_prepack.prepack_linears(model.model) > 0
    return model


def load_variants(folder: Path, default_precision: str) -> tuple[dict, dict]:
    """Every variant, each with its start-up seconds (load + guard + warm-up (+ compile))."""
    variants, startup = {}, {}
    for name, settings in variant_settings(default_precision).items():
        started = time.perf_counter()
        variants[name] = load_variant(folder, name, settings)
        startup[name] = time.perf_counter() - started
    return variants, startup


def demo_agreement(default_precision: str) -> dict:
    """Top-1 agreement with fp32 (and accuracy) on the demo model's freshly generated held-out images."""
    samples = shapes.generate(HELDOUT_COUNT, HELDOUT_SEED)
    truth = [sample.label for sample in samples]
    results, reference = {}, None
    for name, settings in variant_settings(default_precision).items():
        model = load_variant(DEMO_FOLDER, name, settings)
        pixels = model.preprocess([sample.image.convert("RGB") for sample in samples])
        if model.compiled is not None:
            top1 = [int(model.logits(one[None]).argmax()) for one in pixels]
        else:
            top1 = [int(i) for i in torch.cat([model.logits(chunk) for chunk in pixels.split(64)]).argmax(-1)]
        reference = reference or top1
        results[name] = {
            "top1AgreementWithFp32": sum(a == b for a, b in zip(top1, reference, strict=True)) / len(top1),
            "accuracy": sum(model.labels[i] == shapes.LABELS[t] for i, t in zip(top1, truth, strict=True)) / len(top1),
        }
    return results


def worker_child(threads: int, count: int, folder: str, dtype: str) -> None:
    """One model-server-like worker process: `count` single-image forwards; prints its images per second."""
    model = serving_model.load_model(folder, ServingSettings(dtype=dtype, threads=threads))
    pixels = serving_model._probe_batch(model, 1)
    model.logits(pixels)
    print(json.dumps({"seconds": timed(lambda: [model.logits(pixels) for _ in range(count)]), "images": count}))


def workers_throughput(folder: Path, dtype: str, workers: int, threads: int, count: int) -> float:
    """Aggregate images/s of `workers` concurrent processes with `threads` threads each (like SageMaker's
    model server workers); the processes load first, then each times its own loop."""
    command = [sys.executable, __file__, "--worker-child", str(threads), str(count), str(folder), dtype]
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(workers)]
    outputs = [json.loads(proc.communicate()[0].strip().splitlines()[-1]) for proc in procs]
    return sum(o["images"] / o["seconds"] for o in outputs)


@dataclass(frozen=True)
class Setup:
    """The machine and what serves on it by default, read before anything is timed."""

    cpu: serving_hardware.CpuFeatures
    cores: int
    threads: int
    default_precision: str
    load_before: float

    @property
    def default_variant(self) -> str:
        return "bf16Packed" if self.default_precision == "bfloat16" else "fp32Packed"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--instance-type", default=None, help="SageMaker instance type this run is on, if any")
    parser.add_argument("--worker-child", nargs=4, help=argparse.SUPPRESS)
    return parser.parse_args()


def quiet_libraries() -> None:
    import warnings

    warnings.filterwarnings("ignore")
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()


def ensure_models(folder: Path) -> None:
    """The random-weight ViT-B/16-384 and the demo model (for top-1 agreement), made when missing."""
    if not (folder / "config.json").is_file():
        write_vit_base_384(folder)
    if not (DEMO_FOLDER / "config.json").is_file():
        subprocess.run(
            [sys.executable, str(MODEL_ROOT / "scripts" / "demo_model.py"), "--out", str(DEMO_FOLDER)],
            check=True,
            stdout=subprocess.DEVNULL,
        )


def read_setup() -> Setup:
    """Reads the CPU and sets torch's threads as a worker would; prints them."""
    load_before = os.getloadavg()[0]
    cpu = serving_hardware.read_cpu_features()
    cores = serving_hardware.physical_cores()
    threads = serving_runtime.worker_threads(0, False)
    torch.set_num_threads(threads)
    default = serving_runtime.precision_choice("auto", "cpu", cpu)
    print(f"CPU: {cpu.describe()}")
    print(
        f"     native bf16: {cpu.native_bf16} (AMX: {cpu.amx_bf16}), int8 dot products: {cpu.int8_dot_product}; "
        f"{cores} physical cores, {threads} threads; torch {torch.__version__}; load average {load_before:.2f}"
    )
    print(f"default precision here: {default.precision} ({default.reason})")
    return Setup(cpu, cores, threads, default.precision, load_before)


def timed_runs(variants: dict, pipe, pixels: torch.Tensor) -> dict:
    """Everything the table times: forward only; end to end at each size; the pipeline; our decode; the GEMMs."""
    jpegs = {size: photo_like_jpeg(width, height, 7) for size, (width, height) in SIZES.items()}
    runs: dict[tuple, Callable[..., object]] = {}
    for size, data in jpegs.items():
        runs[("pipeline", size)] = lambda data=data: pipe(Image.open(io.BytesIO(data)), top_k=5)
        runs[("decode", size)] = lambda data=data: variants["fp32"].preprocess([decode_image(data, inference.SETTINGS)])
    for name, model in variants.items():
        runs[(name, "forward")] = lambda m=model: m.logits(pixels)
        for size, data in jpegs.items():
            runs[(name, size)] = lambda m=model, data=data: invoke(m, data)
    return runs | gemm_runs()


def print_peaks(setup: Setup, peaks: dict, flops: float) -> None:
    fp32_peak, bf16_peak = peaks["float32"], peaks["bfloat16"]
    print(
        f"GEMM peak ({setup.threads} threads, best of 2048^3 and the model's MLP shapes through torch.mm, nn.Linear "
        f"and prepacked oneDNN, timed in the same loop): fp32 {fp32_peak:.0f} GFLOP/s, bf16 {bf16_peak:.0f} GFLOP/s "
        f"({bf16_peak / fp32_peak:.1f}x); ViT-B/16-384 forward: {flops / 1e9:.1f} GFLOP per image"
    )


def logit_errors(variants: dict, pixels: torch.Tensor) -> dict:
    """Logit error against fp32 on ViT-B/16-384: probes plus the two benchmark photos."""
    probes = torch.cat(
        [
            serving_model._probe_batch(variants["fp32"], 4),
            pixels,
            variants["fp32"].preprocess([Image.open(io.BytesIO(photo_like_jpeg(4000, 3000, 7)))]),
        ]
    )
    reference = torch.cat([variants["fp32"].logits(p[None]) for p in probes])
    return {
        name: compare_logits(reference, torch.cat([m.logits(p[None]) for p in probes])).max_relative_error
        for name, m in variants.items()
    }


def variant_labels(cpu: serving_hardware.CpuFeatures) -> dict:
    labels = dict(VARIANT_LABELS)
    if not cpu.native_bf16:
        labels["bf16"] += " EMULATED"
        labels["bf16Packed"] = "bf16 + prepacked weights, EMULATED"
    return labels


def variant_table(
    variants: dict, times: dict, startup: dict, errors: dict, agreement: dict, labels: dict, setup: Setup
) -> dict:
    """One row per variant (rounded as printed and written); prints the table."""
    flops = vit_forward_flops(CONFIG)
    peaks = gemm_peaks(times)
    fp32_peak, bf16_peak = peaks["float32"], peaks["bfloat16"]
    peak_of = {
        "fp32": fp32_peak,
        "fp32Packed": fp32_peak,
        "bf16": bf16_peak,
        "bf16Packed": bf16_peak,
        "int8": fp32_peak,
        "compiled": bf16_peak if setup.default_precision == "bfloat16" else fp32_peak,
    }
    forward = {name: times[(name, "forward")] / 1000 for name in variants}
    e2e = {name: {size: times[(name, size)] for size in SIZES} for name in variants}
    pipeline_ms = {size: times[("pipeline", size)] for size in SIZES}
    decode_ms = {size: times[("decode", size)] for size in SIZES}
    print(
        f"\n== ms per image, end to end (JPEG bytes -> JSON), batch 1; pipeline (fp32): "
        f"{pipeline_ms['0.3MP']:.0f} ms at 0.3 MP, {pipeline_ms['12MP']:.0f} ms at 12 MP; our decode + preprocess: "
        f"{decode_ms['0.3MP']:.1f} ms at 0.3 MP, {decode_ms['12MP']:.1f} ms at 12 MP =="
    )
    print(
        f"{'variant':46} {'0.3 MP':>8} {'12 MP':>8} {'fwd ms':>7} {'% peak':>7} {'x pipe 0.3':>10} {'x pipe 12':>9} "
        f"{'top-1 demo':>10} {'logit err':>9} {'start s':>7}"
    )
    table = {}
    for name in VARIANT_LABELS:
        achieved = flops / forward[name] / 1e9
        row = {
            "label": labels[name],
            "precision": variants[name].precision,
            "prepacked": variants[name].prepacked,
            "compiled": variants[name].compiled is not None,
            "msPerImage": {size: round(e2e[name][size], 1) for size in SIZES},
            "forwardMs": round(forward[name] * 1000, 1),
            "percentOfPeak": round(100 * achieved / peak_of[name], 1),
            "peakUsed": "bf16" if peak_of[name] == bf16_peak else "fp32",
            "speedupOverPipeline": {size: round(pipeline_ms[size] / e2e[name][size], 2) for size in SIZES},
            "top1AgreementDemo": agreement[name]["top1AgreementWithFp32"],
            "accuracyDemo": agreement[name]["accuracy"],
            "logitErrorVitB": round(errors[name], 4),
            "startupSeconds": round(startup[name], 1),
        }
        table[name] = row
        print(
            f"{labels[name]:46} {row['msPerImage']['0.3MP']:8.0f} {row['msPerImage']['12MP']:8.0f} "
            f"{row['forwardMs']:7.0f} {row['percentOfPeak']:6.0f}% {row['speedupOverPipeline']['0.3MP']:9.2f}x "
            f"{row['speedupOverPipeline']['12MP']:8.2f}x {100 * row['top1AgreementDemo']:9.2f}% "
            f"{row['logitErrorVitB']:9.4f} {row['startupSeconds']:7.1f}"
        )
    print(
        f"(% peak: forward GFLOP/s over the {{fp32|bf16}} GEMM peak of the format it runs in, int8 against fp32; "
        f"logit err: max |change| / logit spread vs fp32, guard tolerance 0.1; start s: load + guard + warm-up "
        f"(+ compile) of one worker, health-check timeout {HEALTH_CHECK_TIMEOUT_S} s)"
    )
    return table


def batching_rates(model, pixels: torch.Tensor, name: str, reps: int) -> dict:
    """Does a larger batch raise throughput of the default variant? Images/s of the forward at batch 1..8."""
    batches = {batch: pixels.repeat(batch, 1, 1, 1) for batch in (1, 2, 4, 8)}
    by_batch = interleaved({batch: (lambda p=p: model.logits(p)) for batch, p in batches.items()}, max(3, reps // 2))
    batching = {str(batch): round(batch / seconds, 2) for batch, seconds in by_batch.items()}
    print(
        f"\n== batching ({name}, forward): images/s at batch "
        + ", ".join(f"{b}: {v}" for b, v in batching.items())
        + " =="
    )
    return batching


def worker_rates(folder: Path, setup: Setup) -> dict:
    """One worker with every core against one worker per core (images/s); nothing on a one-core machine."""
    cores = setup.cores
    if cores <= 1:
        return {}
    count = 8
    samples: dict[str, list[float]] = {f"1x{cores}": [], f"{cores}x1": []}
    for _ in range(2):  # alternated, best of two: capability, not whichever moment was quieter
        samples[f"1x{cores}"].append(workers_throughput(folder, setup.default_precision, 1, cores, count))
        samples[f"{cores}x1"].append(workers_throughput(folder, setup.default_precision, cores, 1, count))
    workers = {key: round(max(values), 2) for key, values in samples.items()}
    print(
        f"== workers x threads ({setup.default_variant}, single-image forwards, images/s): "
        + ", ".join(f"{k}: {v}" for k, v in workers.items())
        + " =="
    )
    return workers


def main() -> int:
    args = parse_args()
    logging.disable(logging.WARNING)
    if args.worker_child:
        threads, count, folder, dtype = args.worker_child
        worker_child(int(threads), int(count), folder, dtype)
        return 0
    quiet_libraries()
    from transformers import pipeline

    ensure_models(args.folder)
    setup = read_setup()
    variants, startup = load_variants(args.folder, setup.default_precision)
    pipe = pipeline("image-classification", model=str(args.folder), device=-1)

    # One interleaved loop over everything timed, so that load from other processes on a shared machine hits every
    # number of the table alike.
    pixels = variants["fp32"].preprocess([Image.open(io.BytesIO(photo_like_jpeg(640, 480, 1))).convert("RGB")])
    with torch.inference_mode():
        times = {
            key: seconds * 1000 for key, seconds in interleaved(timed_runs(variants, pipe, pixels), args.reps).items()
        }
    flops = vit_forward_flops(CONFIG)
    peaks = gemm_peaks(times)
    print_peaks(setup, peaks, flops)
    errors = logit_errors(variants, pixels)
    agreement = demo_agreement(setup.default_precision)
    labels = variant_labels(setup.cpu)
    table = variant_table(variants, times, startup, errors, agreement, labels, setup)
    batching = batching_rates(variants[setup.default_variant], pixels, setup.default_variant, args.reps)
    workers = worker_rates(args.folder, setup)

    load_after = os.getloadavg()[0]
    best = min((n for n in table if n != "int8"), key=lambda n: table[n]["msPerImage"]["0.3MP"])
    print(f"fastest float variant here: {labels[best]}; the default serving path: {labels[setup.default_variant]}")
    cpu = setup.cpu
    machine = Machine(
        cpu=cpu.model,
        flags=sorted(f for f in cpu.flags if f in serving_hardware.INTERESTING_FLAGS),
        native_bf16=cpu.native_bf16,
        amx=cpu.amx_bf16,
        int8_dot_product=cpu.int8_dot_product,
        physical_cores=setup.cores,
        threads=setup.threads,
        torch=torch.__version__,
        load_before=setup.load_before,
        load_after=load_after,
        instance_type=args.instance_type,
    )
    run = Measurements(
        date=datetime.date.today().isoformat(),
        machine=machine,
        gflop_per_image=flops / 1e9,
        gemm_peak_gflops=peaks,
        default_precision=setup.default_precision,
        default_variant=setup.default_variant,
        best_variant=best,
        pipeline_ms={size: times[("pipeline", size)] for size in SIZES},
        decode_ms={size: times[("decode", size)] for size in SIZES},
        variants=table,
        batching_images_per_second=batching,
        workers_images_per_second=workers,
        health_check_timeout_s=HEALTH_CHECK_TIMEOUT_S,
    )
    write_record(benchmark_record(run), args.out)
    print(f"\nload average before {setup.load_before:.2f}, after {load_after:.2f}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
