"""serving_image: every allowed format and mode decodes to the right RGB pixels; everything else is refused."""

from __future__ import annotations

import io
import zlib

import numpy as np
import pytest
from PIL import Image

from conftest import encode
from serving_errors import RequestError
from serving_image import decode_image, sniff_format, to_rgb
from serving_settings import ServingSettings

SETTINGS = ServingSettings()
RED = (220, 20, 30)


def solid(mode_colour=RED, size=(40, 30)) -> Image.Image:
    return Image.new("RGB", size, mode_colour)


def centre_pixel(image: Image.Image) -> tuple[int, ...]:
    pixel = image.getpixel((image.width // 2, image.height // 2))
    assert isinstance(pixel, tuple), pixel  # every picture here has several bands
    return pixel


def assert_close(actual, expected, tolerance):
    assert all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True)), (actual, expected)


@pytest.mark.parametrize(
    ("fmt", "save_args", "tolerance"),
    [
        ("JPEG", {"quality": 95}, 6),
        ("PNG", {}, 0),
        ("WEBP", {"lossless": True}, 0),
        ("WEBP", {"quality": 90}, 8),
        ("GIF", {}, 0),
        ("BMP", {}, 0),
    ],
)
def test_each_allowed_format_decodes_to_rgb(fmt, save_args, tolerance):
    decoded = decode_image(encode(solid(), fmt, **save_args), SETTINGS)
    assert decoded.mode == "RGB"
    assert decoded.size == (40, 30)
    assert_close(centre_pixel(decoded), RED, tolerance)


def test_gif_uses_the_first_frame():
    frames = [solid(RED), solid((10, 200, 10))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50)
    assert_close(centre_pixel(decode_image(data, SETTINGS)), RED, 0)


@pytest.mark.parametrize(
    ("mode", "make", "expected"),
    [
        ("1", lambda: Image.new("1", (8, 8), 1), (255, 255, 255)),
        ("L", lambda: Image.new("L", (8, 8), 77), (77, 77, 77)),
        ("P", lambda: solid().convert("P", palette=Image.Palette.ADAPTIVE), RED),
        ("RGB", lambda: solid(), RED),
        # Transparency is composited on white: half-transparent red over white.
        ("RGBA", lambda: Image.new("RGBA", (8, 8), (255, 0, 0, 128)), (255, 127, 127)),
        ("LA", lambda: Image.new("LA", (8, 8), (0, 0)), (255, 255, 255)),
        ("I;16", lambda: Image.fromarray(np.full((8, 8), 65535 // 2, dtype=np.uint16)), (127, 127, 127)),
    ],
)
def test_png_modes(mode, make, expected):
    image = make()
    assert image.mode == mode
    decoded = decode_image(encode(image, "PNG"), SETTINGS)
    assert decoded.mode == "RGB"
    assert_close(centre_pixel(decoded), expected, 1)


def test_palette_png_with_transparent_index_composites_on_white():
    image = Image.new("P", (8, 8), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.info["transparency"] = 0
    assert_close(centre_pixel(decode_image(encode(image, "PNG", transparency=0), SETTINGS)), (255, 255, 255), 0)


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        (Image.new("PA", (4, 4), (0, 0)), (255, 255, 255)),
        (Image.new("CMYK", (4, 4), (0, 255, 255, 0)), (255, 0, 0)),
        (Image.fromarray(np.full((4, 4), 40000, dtype=np.int32), "I"), (156, 156, 156)),
        (Image.fromarray(np.full((4, 4), 100, dtype=np.int32), "I"), (100, 100, 100)),
        (Image.fromarray(np.full((4, 4), 0.5, dtype=np.float32), "F"), (128, 128, 128)),
        (Image.fromarray(np.full((4, 4), 200.0, dtype=np.float32), "F"), (200, 200, 200)),
        (Image.new("YCbCr", (4, 4), (76, 85, 255)), (254, 0, 0)),
    ],
    ids=["PA", "CMYK", "I-16bit", "I-8bit", "F-unit", "F-255", "YCbCr"],
)
def test_to_rgb_modes_that_only_appear_in_memory(image, expected):
    converted = to_rgb(image)
    assert converted.mode == "RGB"
    assert_close(centre_pixel(converted), expected, 2)


def test_cmyk_and_grayscale_jpegs():
    cmyk = decode_image(encode(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG", quality=95), SETTINGS)
    gray = decode_image(encode(Image.new("L", (16, 16), 90), "JPEG", quality=95), SETTINGS)
    assert_close(centre_pixel(cmyk), (255, 0, 0), 6)
    assert_close(centre_pixel(gray), (90, 90, 90), 3)


def test_exif_orientation_is_applied():
    image = Image.new("RGB", (60, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 30, 20))  # red on the left half
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: display needs a 90 degree clockwise turn
    decoded = decode_image(encode(image, "JPEG", quality=95, exif=exif.tobytes()), SETTINGS)
    assert decoded.size == (20, 60)
    assert_close(decoded.getpixel((10, 5)), (255, 0, 0), 10)  # the left half is now on top
    assert_close(decoded.getpixel((10, 55)), (0, 0, 255), 10)


def test_large_jpeg_is_decoded_in_draft_mode_but_keeps_enough_pixels():
    big = Image.new("RGB", (4000, 3000), (30, 140, 60))
    decoded = decode_image(encode(big, "JPEG", quality=85), ServingSettings(draft_min_side=512))
    assert decoded.size == (1000, 750)  # 1/4 scale: the smallest that keeps both sides >= 512
    full = decode_image(encode(big, "JPEG", quality=85), ServingSettings(draft_min_side=0))
    assert full.size == (4000, 3000)


def test_multi_picture_jpeg_from_phones_decodes_first_picture_in_draft_mode():
    first, second = Image.new("RGB", (2400, 1800), (200, 40, 40)), Image.new("RGB", (2400, 1800), (40, 40, 200))
    data = encode(first, "MPO", save_all=True, append_images=[second], quality=90)
    assert Image.open(io.BytesIO(data)).format == "MPO"
    decoded = decode_image(data, ServingSettings(draft_min_side=512))
    assert decoded.size == (1200, 900)  # draft mode applied: 1/2 scale (1/4 would make 450 < 512)
    assert_close(centre_pixel(decoded), (200, 40, 40), 8)


def test_rgb_png_with_transparent_colour_key_composites_on_white():
    image = solid((10, 20, 30))
    decoded = decode_image(encode(image, "PNG", transparency=(10, 20, 30)), SETTINGS)
    assert_close(centre_pixel(decoded), (255, 255, 255), 0)


def test_16_bit_grey_png_with_transparent_value_is_scaled_and_composited_on_white():
    # Prepare: a 0..65535 ramp whose value 0 is marked transparent (PNG tRNS on 16-bit grey)
    ramp = Image.fromarray((np.arange(600, dtype=np.uint32)[None, :].repeat(40, 0) * 65535 // 599).astype(np.uint16))
    # Act
    decoded = np.asarray(decode_image(encode(ramp, "PNG", transparency=0), SETTINGS), dtype=int)
    # Assess: scaled like an opaque 16-bit picture (v / 257), not clipped at 255; the transparent column is white
    expected = np.rint(np.asarray(ramp, dtype=np.float64) / 257)
    expected[:, 0] = 255
    assert np.abs(decoded[..., 0] - expected).max() <= 1
    assert (decoded[..., 0] == decoded[..., 2]).all()


def error_of(data: bytes, settings: ServingSettings = SETTINGS) -> tuple[int, str]:
    with pytest.raises(RequestError) as caught:
        decode_image(data, settings)
    return caught.value.status, caught.value.code


def truncated(data: bytes) -> bytes:
    return data[: len(data) * 2 // 3]


NOISE = Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"", (400, "bad_request"), id="empty"),
        pytest.param(b"hello, this is not an image", (422, "undecodable_image"), id="text"),
        pytest.param(b"<html><body>nope</body></html>", (422, "undecodable_image"), id="html"),
        pytest.param(truncated(encode(NOISE, "JPEG")), (422, "undecodable_image"), id="truncated jpeg"),
        pytest.param(truncated(encode(NOISE, "PNG")), (422, "undecodable_image"), id="truncated png"),
        pytest.param(b"\xff\xd8\xff\xe0" + b"\x00" * 20, (422, "undecodable_image"), id="jpeg header only"),
        pytest.param(
            encode(NOISE, "PNG")[:60] + b"\x00" * 200 + encode(NOISE, "PNG")[260:],
            (422, "undecodable_image"),
            id="png with corrupt data",
        ),
        pytest.param(encode(NOISE, "TIFF"), (415, "unsupported_media_type"), id="tiff"),
        pytest.param(b"8BPS\x00\x01" + b"\x00" * 40, (415, "unsupported_media_type"), id="psd"),
        pytest.param(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", (415, "unsupported_media_type"), id="eps"),
        pytest.param(b"%PDF-1.7\n", (415, "unsupported_media_type"), id="pdf"),
        pytest.param(encode(NOISE.resize((32, 32)), "ICO"), (415, "unsupported_media_type"), id="ico"),
    ],
)
def test_bad_inputs_get_their_error(data, expected):
    assert error_of(data) == expected


def test_dimension_ceilings():
    image = encode(Image.new("L", (300, 200)), "PNG")
    assert error_of(image, ServingSettings(max_pixels=50_000)) == (413, "image_too_large")
    assert error_of(image, ServingSettings(max_side=299)) == (413, "image_too_large")
    assert decode_image(image, ServingSettings(max_pixels=60_000, max_side=300)).size == (300, 200)


def test_decompression_bomb_is_refused_before_decoding(monkeypatch):
    # A small file claiming a huge canvas: Pillow's own bomb check (warning turned into an error) must refuse it
    # even when our ceilings are set above it.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    bomb = encode(Image.new("L", (200, 100)), "PNG")  # 20 000 px: over Pillow's limit, under 2x (warning zone)
    assert error_of(bomb, ServingSettings(max_pixels=10**9, max_side=10**5)) == (413, "image_too_large")
    worse = encode(Image.new("L", (400, 100)), "PNG")  # over 2x: Pillow raises DecompressionBombError itself
    assert error_of(worse, ServingSettings(max_pixels=10**9, max_side=10**5)) == (413, "image_too_large")


def png_claiming(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header (with a valid CRC) claims width x height: only the header is real."""
    data = bytearray(encode(Image.new("L", (1, 1)), "PNG"))
    data[16:24] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
    return bytes(data)


@pytest.mark.parametrize(("width", "height"), [(12_000, 5_000), (17_000, 100)], ids=["60 MP", "17000 px side"])
def test_huge_declared_dimensions_are_refused_from_the_header(width, height):
    # Both are under Pillow's own bomb limit: our ceilings (50 MP, 16384 px per side) must trip, before decoding.
    assert width * height < Image.MAX_IMAGE_PIXELS
    assert error_of(png_claiming(width, height)) == (413, "image_too_large")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF", "BMP"])
def test_sniffing_recognises_allowed_formats(fmt):
    assert sniff_format(encode(solid(), fmt)) == fmt


def test_pillow_never_loads_truncated_images_even_if_the_flag_was_flipped():
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    with pytest.raises(OSError, match="truncated"):
        Image.open(io.BytesIO(truncated(encode(NOISE, "PNG")))).load()
