"""Every named picture of the image-cost benchmark: name -> builder of the request body.

The pictures at the limits (at_the_limits.py) and the hostile metadata at the sizes a hostile client sent
(metadata.py). REFERENCE, an ordinary photo, is what the benchmark measures every other case against.
"""

from __future__ import annotations

from collections.abc import Callable

from hostile_images import metadata
from hostile_images.at_the_limits import (
    bmp_rle8_50mp,
    bmp_rle8_short_runs,
    gif_50mp,
    gif_huge_canvas_tiny_frame,
    jpeg_50mp,
    jpeg_50mp_progressive,
    jpeg_16384_side,
    photo_640,
    png16_grey_50mp,
    png16_grey_16384,
    png_1bit_50mp,
    png_many_ancillary_chunks,
    png_many_idat_chunks,
    png_palette_trns_50mp,
    png_rgb16_16mp,
    png_rgb16_50mp,
    png_rgb_33mp,
    png_rgb_50mp,
    png_rgba16_12mp,
    png_rgba16_50mp,
    png_rgba_25mp,
    png_rgba_50mp,
    webp_lossless_16mp,
    webp_lossless_50mp,
    webp_lossy_16mp,
    webp_lossy_50mp,
    webp_rgba_16mp,
    webp_rgba_50mp,
)

# Hostile metadata (metadata.py): the red-team round's cases, at the sizes it sent. Before the pre-scan each cost
# seconds to minutes of CPU or gigabytes; docs/model.md gives those numbers beside today's.
HOSTILE_CASES: dict[str, Callable[[], bytes]] = {
    "JPEG EXIF 2000x32 KB tags, turned": lambda: metadata.with_exif(
        "JPEG", metadata.exif_block(2000, 32 * 1024, orientation=6)
    ),
    "JPEG EXIF 2000x32 KB tags, upright": lambda: metadata.with_exif("JPEG", metadata.exif_block(2000, 32 * 1024)),
    "PNG EXIF 60x4 MB tags, turned": lambda: metadata.with_exif(
        "PNG", metadata.exif_block(60, 4_000_000, orientation=6)
    ),
    "WebP EXIF 60x4 MB tags, turned": lambda: metadata.with_exif(
        "WEBP", metadata.exif_block(60, 4_000_000, orientation=6)
    ),
    "PNG EXIF 600x4 MB byte tags": lambda: metadata.with_exif("PNG", metadata.exif_block(600, 4_000_000, value_type=7)),
    "GIF 4.67 MB of comment blocks": lambda: metadata.gif_comment_flood(1_556_000),
    "GIF 0.9 MB of comment blocks": lambda: metadata.gif_comment_flood(300_000),
    "JPEG 1.16M comment segments": lambda: metadata.jpeg_comment_flood(1_160_000),
    "JPEG 420k EXIF segments": lambda: metadata.jpeg_exif_segment_flood(420_000),
    "JPEG 4.6M fill bytes": lambda: metadata.jpeg_fill_bytes(4_600_000),
    "PNG ICC profile inflating to 2 MB": lambda: metadata.png_icc_inflating(2_000_000),
    "PNG text inflating to 2 MB": lambda: metadata.png_ztxt_inflating(2_000_000),
}

CASES: dict[str, Callable[[], bytes]] = {
    "photo 640x480 JPEG (reference)": photo_640,
    "JPEG 8660x5773 (50 MP)": jpeg_50mp,
    "JPEG 8660x5773 progressive": jpeg_50mp_progressive,
    "JPEG 16384x3051 (longest side)": jpeg_16384_side,
    "PNG 16-bit grey 16384x3051": png16_grey_16384,
    "PNG 16-bit grey 7071x7071": png16_grey_50mp,
    "PNG 16-bit RGB 7071x7071": png_rgb16_50mp,
    "PNG 16-bit RGB 5000x3333": png_rgb16_16mp,
    "PNG 1-bit 7071x7071": png_1bit_50mp,
    "PNG RGB 7071x7071": png_rgb_50mp,
    "PNG RGB 7071x4714": png_rgb_33mp,
    "PNG RGBA 7071x7071": png_rgba_50mp,
    "PNG RGBA 6123x4082": png_rgba_25mp,
    "PNG 16-bit RGBA 7071x7071": png_rgba16_50mp,
    "PNG 16-bit RGBA 4330x2886": png_rgba16_12mp,
    "PNG palette+tRNS 7071x7071": png_palette_trns_50mp,
    "PNG 450k one-byte IDAT chunks": png_many_idat_chunks,
    "PNG 430k ancillary chunks": png_many_ancillary_chunks,
    "GIF 7000x7000 canvas, 1x1 frame": gif_huge_canvas_tiny_frame,
    "GIF 7071x7071": gif_50mp,
    "WebP lossless 5000x3355 (16.8 MP)": webp_lossless_16mp,
    "WebP lossy 5000x3355": webp_lossy_16mp,
    "WebP lossy+alpha 5000x3355": webp_rgba_16mp,
    "WebP lossless 8660x5773": webp_lossless_50mp,
    "WebP lossy 8660x5773": webp_lossy_50mp,
    "WebP lossy+alpha 8660x5773": webp_rgba_50mp,
    "BMP RLE8 7071x7071": bmp_rle8_50mp,
    "BMP RLE8 3M one-pixel runs": bmp_rle8_short_runs,
    **HOSTILE_CASES,
}
REFERENCE = "photo 640x480 JPEG (reference)"
