"""Serving benchmark on the ViT-B/16-384 architecture (google/vit-base-patch16-384's config, random weights).

Prints numbers, asserts nothing. Every comparison is against a baseline measured in the same run:
- latency (batch 1) and throughput (batch 8) of our input_fn/predict_fn/output_fn vs transformers'
  pipeline("image-classification") on the same model folder, from the same JPEG bytes;
- forward time vs this machine's measured fp32 matrix-multiply rate (achieved share of the limit);
- decode + preprocess time of 0.3, 3 and 12 MP JPEGs as a share of the forward time, with and without draft mode;
- what the speed options do here: SDPA vs eager attention, thread count, bf16 (native or not).

Usage: .venv/bin/python model/bench/bench_model.py [--reps N] [--folder DIR]
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import logging
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

MODEL_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(MODEL_ROOT / "code"), str(MODEL_ROOT)]

import inference  # noqa: E402
import serving_runtime  # noqa: E402
from demo.vit_base_384 import CONFIG, write_vit_base_384  # noqa: E402
from serving_image import decode_image  # noqa: E402
from serving_settings import ServingSettings  # noqa: E402

DEFAULT_FOLDER = MODEL_ROOT / ".cache" / "bench-vit-base-patch16-384"


def timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def median_seconds(run, reps: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        run()
    return statistics.median(timed(run) for _ in range(reps))


def interleaved(runs: dict, reps: int) -> dict:
    """Median seconds of each run, measured in alternating order so that load from other processes on a shared
    machine hits every contender alike (the comparison is the point, not the absolute numbers)."""
    for run in runs.values():
        run()  # warm-up
    samples = {name: [] for name in runs}
    names = list(runs)
    for rep in range(reps):
        for name in names if rep % 2 == 0 else reversed(names):
            samples[name].append(timed(runs[name]))
    return {name: statistics.median(values) for name, values in samples.items()}


def photo_like_jpeg(width: int, height: int, seed: int) -> bytes:
    """Smooth colour fields plus fine noise: compresses like a photo (~1-3 bits per pixel at quality 90)."""
    rng = np.random.default_rng(seed)
    coarse = Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)).resize((width, height), Image.BICUBIC)
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


def matmul_peak_gflops(threads: int, size: int = 2048, reps: int = 5) -> float:
    torch.set_num_threads(threads)
    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.mm(a, b)
    best = min(timed(lambda: torch.mm(a, b)) for _ in range(reps))
    return 2 * size ** 3 / best / 1e9


def invoke(model, body: bytes, content_type: str) -> str:
    return inference.output_fn(inference.predict_fn(inference.input_fn(body, content_type), model), "application/json")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    from transformers import pipeline
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()

    if not (args.folder / "config.json").is_file():
        write_vit_base_384(args.folder)
    cores = serving_runtime.available_cores()
    print(f"machine: {cores} cores, torch {torch.__version__}, native bf16: {serving_runtime.cpu_has_native_bf16()}")

    model = inference.model_fn(str(args.folder))  # local call: threads = all cores
    threads = torch.get_num_threads()
    pipe = pipeline("image-classification", model=str(args.folder), device=-1)
    print(f"model: ViT-B/16-384 layout, {sum(p.numel() for p in model.model.parameters()) / 1e6:.1f} M params, "
          f"{threads} threads; pipeline image processor: {type(pipe.image_processor).__name__}")

    photo = photo_like_jpeg(640, 480, 1)
    batch = [photo_like_jpeg(640, 480, seed) for seed in range(8)]
    batch_json = json.dumps([base64.b64encode(b).decode() for b in batch])

    single = interleaved({"ours": lambda: invoke(model, photo, "image/jpeg"),
                          "pipeline": lambda: pipe(Image.open(io.BytesIO(photo)), top_k=5)}, args.reps)
    batched = interleaved({"ours": lambda: invoke(model, batch_json, "application/json"),
                           "pipeline": lambda: pipe([Image.open(io.BytesIO(b)) for b in batch], top_k=5,
                                                    batch_size=8)}, max(2, args.reps // 2))
    ours_1, pipe_1, ours_8, pipe_8 = single["ours"], single["pipeline"], batched["ours"], batched["pipeline"]
    print("\n== ours vs transformers pipeline (same model, same JPEG bytes, 640x480) ==")
    print(f"latency  batch 1: ours {ours_1 * 1000:7.0f} ms   pipeline {pipe_1 * 1000:7.0f} ms   "
          f"pipeline/ours {pipe_1 / ours_1:.2f}x")
    print(f"throughput batch 8: ours {8 / ours_8:6.2f} img/s  pipeline {8 / pipe_8:6.2f} img/s  "
          f"ours/pipeline {pipe_8 / ours_8:.2f}x")

    pixels_1 = model.preprocess([decode_image(photo, inference.SETTINGS)])
    pixels_8 = pixels_1.repeat(8, 1, 1, 1)
    flops = vit_forward_flops(CONFIG)
    print("\n== forward pass vs this machine's fp32 matmul rate (best of several runs: capability, not noise) ==")
    peak = matmul_peak_gflops(threads)
    torch.set_num_threads(threads)
    print(f"fp32 matmul (2048^3, {threads} threads): {peak:.1f} GFLOP/s")
    forward_1 = None
    for name, pixels, images, reps in (("batch 1", pixels_1, 1, args.reps), ("batch 8", pixels_8, 8, 3)):
        times = [timed(lambda: model.classify(pixels, 5)) for _ in range(reps + 1)][1:]
        best, median = min(times), statistics.median(times)
        achieved = flops * images / best / 1e9
        print(f"forward {name}: best {best * 1000:6.0f} ms (median {median * 1000:6.0f} ms) = {achieved:6.1f} GFLOP/s "
              f"({flops / 1e9:.1f} GFLOP per image) = {100 * achieved / peak:.0f} % of the matmul rate")
        forward_1 = forward_1 or median
    print("\n== decode + preprocess of JPEGs, share of one batch-1 forward ==")
    no_draft = ServingSettings(draft_min_side=0)
    for megapixels, (width, height) in ((0.3, (640, 480)), (3, (2000, 1500)), (12, (4000, 3000))):
        data = photo_like_jpeg(width, height, 7)
        times = interleaved({
            "ours": lambda: model.preprocess([decode_image(data, inference.SETTINGS)]),
            "no draft": lambda: model.preprocess([decode_image(data, no_draft)]),
            "pipeline": lambda: pipe.image_processor(images=Image.open(io.BytesIO(data)).convert("RGB"),
                                                     return_tensors="pt"),
        }, args.reps)
        print(f"{megapixels:>4} MP ({len(data) / 1e6:.1f} MB): ours {times['ours'] * 1000:6.1f} ms "
              f"= {100 * times['ours'] / forward_1:5.1f} % of forward; without draft {times['no draft'] * 1000:6.1f} ms "
              f"({100 * times['no draft'] / forward_1:5.1f} %); pipeline decode+processor {times['pipeline'] * 1000:6.1f} ms")

    drafted = model.preprocess([decode_image(data, inference.SETTINGS)])
    full = model.preprocess([decode_image(data, no_draft)])
    print(f"draft vs full decode of the 12 MP JPEG, model input: mean |difference| {float((drafted - full).abs().mean()):.4f}"
          f" (inputs span [-1, 1]; one 8-bit level is {2 / 255:.4f})")

    print("\n== speed options on this machine (batch 1 forward) ==")
    _compare_options(args.folder, model.model, pixels_1, threads, args.reps)
    return 0


def _compare_options(folder: Path, sdpa, pixels: torch.Tensor, threads: int, reps: int) -> None:
    from transformers import AutoModelForImageClassification

    eager = AutoModelForImageClassification.from_pretrained(folder, attn_implementation="eager").eval()
    with torch.inference_mode():
        times = interleaved({"sdpa": lambda: sdpa(pixel_values=pixels), "eager": lambda: eager(pixel_values=pixels)},
                            reps)
        eager_seconds = times["eager"]
        print(f"attention: sdpa {times['sdpa'] * 1000:.0f} ms, eager {eager_seconds * 1000:.0f} ms "
              f"(eager/sdpa {eager_seconds / times['sdpa']:.2f}x)")
        if threads > 1:
            def with_threads(count):
                torch.set_num_threads(count)
                sdpa(pixel_values=pixels)
                torch.set_num_threads(threads)

            by_threads = interleaved({"one": lambda: with_threads(1), "all": lambda: with_threads(threads)},
                                     max(2, reps // 2))
            print(f"threads: 1 thread {by_threads['one'] * 1000:.0f} ms vs {threads} threads "
                  f"{by_threads['all'] * 1000:.0f} ms (speed-up {by_threads['one'] / by_threads['all']:.2f}x)")
        bf16 = eager.to(torch.bfloat16)
        bf16_seconds = median_seconds(lambda: bf16(pixel_values=pixels.to(torch.bfloat16)), 1)
        native = "native" if serving_runtime.cpu_has_native_bf16() else "emulated (no AVX512-BF16/AMX)"
        print(f"bf16 ({native}): {bf16_seconds * 1000:.0f} ms vs fp32 {eager_seconds * 1000:.0f} ms "
              f"(fp32/bf16 {eager_seconds / bf16_seconds:.2f}x)")


if __name__ == "__main__":
    sys.exit(main())
