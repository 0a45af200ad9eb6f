"""Pictures at the limits the endpoint accepts: the most pixels (IMAGE_MAX_PIXELS, 50 MP), the longest side
(IMAGE_MAX_SIDE, 16384), each format's own ceiling (WebP 4096 x 4096 pixels; PNG pixel data 100 MB once inflated),
all within the 6,291,456-byte InvokeEndpoint body, in every mode whose decoding costs differ (bit depths, alpha,
palettes, run-length and chunk floods). Each builder returns the request body. The image-cost benchmark measures
what each costs a worker; the tests decode them under the memory bound.
"""

from __future__ import annotations

import io
import struct
import zlib


def encoded(image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def gradient(size, mode="RGB"):
    """A smooth picture (compresses well, so it fits the body limit at any pixel count) with some structure."""
    from PIL import Image, ImageDraw

    grey = Image.linear_gradient("L").resize(size)
    if mode == "L":
        return grey
    image = Image.merge("RGB", (grey, grey.transpose(Image.Transpose.FLIP_LEFT_RIGHT), grey.rotate(90, expand=False)))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.ellipse((w // 4, h // 4, 3 * w // 4, 3 * h // 4), outline=(200, 30, 30), width=max(1, w // 50))
    return image


def photo_640() -> bytes:
    return encoded(gradient((640, 480)), "JPEG", quality=90)


def jpeg_50mp() -> bytes:
    return encoded(gradient((8660, 5773)), "JPEG", quality=90)


def jpeg_50mp_progressive() -> bytes:
    return encoded(gradient((8660, 5773)), "JPEG", quality=90, progressive=True)


def jpeg_16384_side() -> bytes:
    return encoded(gradient((16384, 3051)), "JPEG", quality=85)


def png16_grey_16384() -> bytes:
    """A reported case: 16384x3051 16-bit grey PNG, under the pixel limit, under 100 kB."""
    import numpy as np
    from PIL import Image

    ramp = (np.linspace(0, 65535, 16384, dtype=np.float64)[None, :] * np.ones((3051, 1))).astype(np.uint16)
    return encoded(Image.fromarray(ramp), "PNG")


def png16_grey_50mp() -> bytes:
    import numpy as np
    from PIL import Image

    ramp = (np.linspace(0, 65535, 7071, dtype=np.float64)[None, :] * np.ones((7071, 1))).astype(np.uint16)
    return encoded(Image.fromarray(ramp), "PNG")


def png_1bit_50mp() -> bytes:
    return encoded(gradient((7071, 7071), "L").convert("1"), "PNG")


def png_rgba_50mp() -> bytes:
    image = gradient((7071, 7071))
    image.putalpha(gradient((7071, 7071), "L"))
    return encoded(image, "PNG")


def png_rgb16_50mp() -> bytes:
    """16 bits per channel RGB, written by hand (Pillow does not write it): IHDR bit depth 16, colour type 2."""
    width = height = 7071
    row = b"\x00" + bytes(6 * width)
    return _png(width, height, 16, 2, zlib.compress(row * height, 9))


def png_rgba16_50mp() -> bytes:
    """16 bits per channel RGBA (colour type 6), written by hand."""
    width = height = 7071
    row = b"\x00" + bytes(8 * width)
    return _png(width, height, 16, 6, zlib.compress(row * height, 9))


def png_rgb_50mp() -> bytes:
    return encoded(gradient((7071, 7071)), "PNG")


def png_palette_trns_50mp() -> bytes:
    image = gradient((7071, 7071)).quantize(64)
    return encoded(image, "PNG", transparency=0)


def png_many_idat_chunks() -> bytes:
    """A 2000x2000 noisy picture whose ~460 kB of compressed data is split into one-byte IDAT chunks (~6 MB)."""
    import numpy as np

    rng = np.random.default_rng(0)
    noise = rng.integers(0, 4, size=(2000, 2000), dtype=np.uint8) * 60
    raw = b"".join(b"\x00" + noise[y].tobytes() for y in range(2000))
    data = zlib.compress(raw, 9)[:450_000]  # cut short: the cost is the chunk loop, the answer may be 422
    chunks = b"".join(_chunk(b"IDAT", data[i : i + 1]) for i in range(len(data)))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", 2000, 2000, 8, 0, 0, 0, 0))
        + chunks
        + _chunk(b"IEND", b"")
    )


def png_many_ancillary_chunks() -> bytes:
    """~430 000 empty private ancillary chunks before a tiny image (each is parsed before the pixels)."""
    small = encoded(gradient((64, 64)), "PNG")
    head, rest = small[:33], small[33:]
    return head + _chunk(b"prVt", b"") * 430_000 + rest


def gif_huge_canvas_tiny_frame() -> bytes:
    """A reported case: a 35-byte GIF with a 7000x7000 logical screen and a 1x1 frame."""
    header = b"GIF89a" + struct.pack("<HH", 7000, 7000) + bytes([0x80, 0, 0]) + b"\x00\x00\x00\xff\xff\xff"
    frame = b"\x2c" + struct.pack("<HHHH", 0, 0, 1, 1) + b"\x00" + b"\x02\x02\x44\x01\x00"
    return header + frame + b"\x3b"


def gif_50mp() -> bytes:
    return encoded(gradient((7071, 7071)).quantize(16), "GIF")


def _flat(size, mode="RGB"):
    """Flat colour with a few shapes: lossless codecs shrink it to almost nothing at any pixel count."""
    from PIL import Image, ImageDraw

    image = Image.new(mode, size, (30, 140, 60, 255)[: len(mode)])
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle((w // 4, h // 4, w // 2, h // 2), fill=(200, 30, 30, 128)[: len(mode)])
    return image


def webp_lossless_50mp() -> bytes:
    return encoded(_flat((8660, 5773)), "WEBP", lossless=True, quality=0, method=0)


# At the ceilings: WebP 4096 x 4096 pixels; PNG pixel data 100 MB once inflated.
def webp_lossless_16mp() -> bytes:
    return encoded(_flat((5000, 3355)), "WEBP", lossless=True, quality=0, method=0)


def webp_lossy_16mp() -> bytes:
    return encoded(gradient((5000, 3355)), "WEBP", quality=50, method=0)


def webp_rgba_16mp() -> bytes:
    return encoded(_flat((5000, 3355), "RGBA"), "WEBP", quality=50, method=0)


def png_rgb16_16mp() -> bytes:
    width, height = 5000, 3333
    row = b"\x00" + bytes(6 * width)
    return _png(width, height, 16, 2, zlib.compress(row * height, 9))


def png_rgba16_12mp() -> bytes:
    width, height = 4330, 2886
    row = b"\x00" + bytes(8 * width)
    return _png(width, height, 16, 6, zlib.compress(row * height, 9))


def png_rgb_33mp() -> bytes:
    return encoded(gradient((7071, 4714)), "PNG")


def png_rgba_25mp() -> bytes:
    image = gradient((6123, 4082))
    image.putalpha(gradient((6123, 4082), "L"))
    return encoded(image, "PNG")


def webp_lossy_50mp() -> bytes:
    return encoded(gradient((8660, 5773)), "WEBP", quality=50, method=0)


def webp_rgba_50mp() -> bytes:
    return encoded(_flat((8660, 5773), "RGBA"), "WEBP", quality=50, method=0)


def bmp_rle8_50mp() -> bytes:
    """A run-length BMP at the pixel limit: long runs, so a small file."""
    width = height = 7071
    row = b"".join(bytes([min(255, width - x), x // 255 % 256]) for x in range(0, width, 255)) + b"\x00\x00"
    return _bmp_rle8(width, height, row * height + b"\x00\x01")


def bmp_rle8_short_runs() -> bytes:
    """A run-length BMP made of one-pixel runs up to the body limit: ~3 million runs for the decoder to walk."""
    width = height = 7071
    runs = 3_000_000
    body = bytes([1, 7]) * runs + b"\x00\x01"
    return _bmp_rle8(width, height, body)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int, height: int, depth: int, colour: int, idat: bytes) -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0))
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


def _bmp_rle8(width: int, height: int, pixels: bytes) -> bytes:
    palette = b"".join(bytes([i, i, 255 - i, 0]) for i in range(256))
    offset = 14 + 40 + len(palette)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 1, len(pixels), 2835, 2835, 256, 0)
    return b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset) + info + palette + pixels
