"""serving_image keeps the cost of a large accepted picture bounded, and the model input close to the full path.

Large pictures are box-reduced band by band before any mode conversion (16-bit scaling, alpha compositing,
palettes), so no full-size temporary copy is made. Time is measured by model/bench/bench_image_cost.py (not in
tests); peak memory is deterministic enough to check here, in a fresh process per case.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import MODEL_ROOT, encode
from hostile_images.cases import CASES
from serving_errors import RequestError
from serving_image import FORMAT_MAX_PIXELS, decode_image, reduced_rgb, to_rgb
from serving_integrity import MAX_PNG_DECODED_BYTES
from serving_settings import ServingSettings

SETTINGS = ServingSettings()  # draft_min_side 512
FULL = ServingSettings(draft_min_side=0)  # never reduce: the reference path


def gradient16(width: int, height: int) -> Image.Image:
    ramp = np.linspace(0, 65535, width)[None, :] * np.linspace(0.2, 1.0, height)[:, None]
    return Image.fromarray(ramp.astype(np.uint16))


def with_transparency(image: Image.Image, value: int) -> Image.Image:
    image.info["transparency"] = value  # what Pillow reads from a PNG's tRNS chunk
    return image


def mean_abs_difference(a: Image.Image, b: Image.Image) -> float:
    return float(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)).mean())


def test_a_large_16_bit_png_is_reduced_by_a_whole_factor_before_conversion():
    # Act
    decoded = decode_image(encode(gradient16(2100, 1600), "PNG"), SETTINGS)
    # Assess: factor 3 keeps both sides >= 512 (factor 4 would give 400); sides round up like Image.reduce
    assert decoded.mode == "RGB"
    assert decoded.size == (700, 534)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: gradient16(2100, 1600), id="16-bit grey"),
        pytest.param(lambda: with_transparency(gradient16(2100, 1600), 0), id="16-bit grey with a transparent value"),
        pytest.param(
            lambda: Image.merge(
                "RGBA",
                (
                    *Image.linear_gradient("L").resize((2100, 1600)).convert("RGB").split(),
                    Image.radial_gradient("L").resize((2100, 1600)),
                ),
            ),
            id="RGBA",
        ),
        pytest.param(
            lambda: Image.linear_gradient("L").resize((2100, 1600)).convert("RGB").quantize(32),
            id="palette with a transparent index",
        ),
        pytest.param(lambda: Image.radial_gradient("L").resize((2100, 1600)).convert("1"), id="1-bit"),
        pytest.param(lambda: Image.linear_gradient("L").resize((2100, 1600)).convert("CMYK"), id="CMYK"),
    ],
)
def test_the_reduced_picture_matches_converting_at_full_size_then_reducing(make):
    # Prepare: the full-size conversion (the old path, and what the model's own resize would filter down)
    image = make()
    if image.mode == "P":
        image.info["transparency"] = 0
    reference = to_rgb(image).reduce(3)
    # Act
    reduced = reduced_rgb(image, 512)
    # Assess: the same picture, rounding aside
    assert reduced.size == reference.size
    assert mean_abs_difference(reduced, reference) < 0.6
    assert np.abs(np.asarray(reduced, dtype=int) - np.asarray(reference, dtype=int)).max() <= 2


def test_16_bit_scaling_rounds_like_dividing_by_257():
    values = np.arange(0, 65536, dtype=np.uint16).reshape(256, 256)
    converted = np.asarray(to_rgb(Image.fromarray(values)))[..., 0]
    assert np.array_equal(converted, np.rint(values / 257.0).astype(np.uint8))


def test_exif_orientation_is_applied_to_the_reduced_picture():
    image = Image.new("RGB", (2200, 1100), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 1100, 1100))  # red on the left half
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: display needs a 90 degree clockwise turn
    decoded = decode_image(encode(image, "PNG", exif=exif.tobytes()), SETTINGS)
    assert decoded.size == (550, 1100)  # reduced by 2, then turned
    assert decoded.getpixel((275, 100)) == (255, 0, 0)  # the left half is now on top
    assert decoded.getpixel((275, 1000)) == (0, 0, 255)


def test_the_model_input_stays_close_to_the_full_size_path():
    # Prepare: the ViT-B/16-384 preprocessor; a photo-like 16-bit picture with structure at every scale
    from transformers import ViTImageProcessor

    from demo.vit_base_384 import PREPROCESSOR
    from serving_preprocess import Preprocessor

    preprocess = Preprocessor.from_processor(
        ViTImageProcessor(**{k: v for k, v in PREPROCESSOR.items() if k != "feature_extractor_type"})
    )
    rng = np.random.default_rng(0)
    base = gradient16(2400, 1800)
    noise = rng.integers(0, 4000, (1800, 2400)).astype(np.int64)
    picture = Image.fromarray(np.clip(np.asarray(base, dtype=np.int64) + noise, 0, 65535).astype(np.uint16))
    data = encode(picture, "PNG")
    # Act
    reduced = preprocess([decode_image(data, SETTINGS)])
    full = preprocess([decode_image(data, FULL)])
    # Assess: inputs span [-1, 1]; one 8-bit level is 0.0078 (JPEG draft mode differs by 0.0028 on photos)
    assert float((reduced - full).abs().mean()) < 0.004


def test_webp_and_16_bit_colour_png_have_tighter_ceilings():
    # A flat 4097 x 4096 WebP is over the WebP ceiling but under the general one; 4096 x 4096 passes.
    assert FORMAT_MAX_PIXELS["WEBP"] < 4097 * 4096 < SETTINGS.max_pixels
    assert decode_image(encode(Image.new("RGB", (4096, 4096), (9, 9, 9)), "WEBP", lossless=True), SETTINGS).size == (
        512,
        512,
    )
    with pytest.raises(RequestError) as caught:
        decode_image(encode(Image.new("RGB", (4097, 4096), (9, 9, 9)), "WEBP", lossless=True), SETTINGS)
    assert (caught.value.status, caught.value.code) == (413, "image_too_large")
    # 16-bit RGBA PNG header over the inflated-bytes ceiling (the header alone decides).
    width = MAX_PNG_DECODED_BYTES // (8 * 1000) + 1
    with pytest.raises(RequestError) as caught:
        decode_image(png_header_only(width, 1000, depth=16, colour=6), SETTINGS)
    assert (caught.value.status, caught.value.code) == (413, "image_too_large")


def png_header_only(width: int, height: int, depth: int, colour: int) -> bytes:
    import struct
    import zlib

    body = b"IHDR" + struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    ihdr = struct.pack(">I", 13) + body + struct.pack(">I", zlib.crc32(body))
    return b"\x89PNG\r\n\x1a\n" + ihdr + struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))


# -- peak memory of the worst accepted pictures, each in a fresh process ------------------------------------

MEMORY_BOUND_MB = 500
PEAK_SCRIPT = """
import json, sys
from serving_image import decode_image
from serving_settings import load_settings
def kb(field):
    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith(field))
settings = load_settings()
data = open(sys.argv[1], 'rb').read()
decode_image(open(sys.argv[2], 'rb').read(), settings)  # warm the code path
resting = kb('VmRSS:')
open('/proc/self/clear_refs', 'w').write('5')  # resets the peak (VmHWM) to now
image = decode_image(data, settings)
print(json.dumps({'peak_mb': (kb('VmHWM:') - resting) / 1024, 'size': image.size}))
"""


@pytest.mark.parametrize(
    "case",
    [
        "PNG 16-bit grey 16384x3051",
        "PNG RGBA 6123x4082",
        "PNG palette+tRNS 7071x7071",
        "GIF 7000x7000 canvas, 1x1 frame",
        "WebP lossy 5000x3355",
    ],
)
def test_the_worst_accepted_pictures_stay_under_the_memory_bound(case, tmp_path: Path):
    # Prepare: the benchmark's own builders (the reported 16-bit PNG took +1.43 GB before the fix)
    body, warm = tmp_path / "body", tmp_path / "warm"
    body.write_bytes(CASES[case]())
    warm.write_bytes(encode(Image.new("RGB", (64, 48), (1, 2, 3)), "PNG"))
    # Act
    result = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, str(body), str(warm)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(MODEL_ROOT / "code")},  # the container's modules, as the toolkit has them
    )
    # Assess
    assert result.returncode == 0, result.stderr
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["peak_mb"] < MEMORY_BOUND_MB, measured
