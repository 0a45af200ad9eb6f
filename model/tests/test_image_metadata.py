"""Metadata never costs more than the pixels: the pre-scan, the bounded orientation reader and the BMP alpha rule.

Each hostile case here was measured through the local stack (seconds of worker CPU or gigabytes, or a sound
picture refused); the builders are model/hostile_images/metadata.py's, shared with the benchmark. How much each
costs is the benchmark's and the property test's business (test_decode_property.py); these tests pin what the
answer is.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageOps, JpegImagePlugin

from conftest import encode
from hostile_images import metadata as hostile
from serving_errors import RequestError
from serving_image import decode_image
from serving_integrity import MAX_JPEG_SEGMENTS
from serving_orientation import exif_orientation, orientation
from serving_prescan import MAX_GIF_EXTENSION_BLOCKS, MAX_INFLATED_METADATA, prescan
from serving_settings import ServingSettings

SETTINGS = ServingSettings()
RED, BLUE = (220, 40, 40), (30, 60, 200)


def error_of(data: bytes) -> tuple[int, str, str]:
    with pytest.raises(RequestError) as caught:
        decode_image(data, SETTINGS)
    return caught.value.status, caught.value.code, caught.value.body


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=int)


def close(a: Image.Image, b: Image.Image, tolerance: int) -> bool:
    return a.size == b.size and int(np.abs(pixels(a) - pixels(b)).max()) <= tolerance


# -- orientation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", range(1, 9))
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_every_orientation_turns_the_picture_as_pillow_would(fmt, value):
    # Prepare: the same picture through Pillow's own (unbounded) path as the reference
    data = hostile.with_exif(fmt, hostile.exif_block(0, 0, orientation=value))
    reference = ImageOps.exif_transpose(Image.open(io.BytesIO(data)).convert("RGB"))
    # Act
    decoded = decode_image(data, SETTINGS)
    # Assess
    assert close(decoded, reference, 0)


def test_a_big_endian_exif_block_is_read_too():
    data = hostile.with_exif("JPEG", hostile.exif_block(3, 100, orientation=6, big_endian=True))
    decoded = decode_image(data, SETTINGS)
    assert decoded.size == (48, 64)
    assert close(decoded.crop((0, 0, 48, 8)), Image.new("RGB", (48, 8), RED), 12)  # the left half is now on top


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda xmp: hostile.jpeg_with_segments(_app1_xmp(xmp)), id="JPEG APP1"),
        pytest.param(lambda xmp: hostile.png_with_chunks(_png_itxt(b"XML:com.adobe.xmp", xmp)), id="PNG iTXt"),
        pytest.param(
            lambda xmp: hostile.png_with_chunks(_png_itxt(b"XML:com.adobe.xmp", xmp, compressed=True)),
            id="PNG compressed iTXt",
        ),
        pytest.param(lambda xmp: hostile.encode(hostile.small_picture(), "WEBP", lossless=True, xmp=xmp), id="WebP"),
    ],
)
def test_the_xmp_orientation_is_used_when_there_is_no_exif(make):
    data = make(b'<x:xmpmeta><rdf:Description tiff:Orientation="8"/></x:xmpmeta>')
    decoded = decode_image(data, SETTINGS)
    assert decoded.size == (48, 64)  # turned 90 degrees counter-clockwise: the left half is now at the bottom
    assert close(decoded.crop((0, 56, 48, 64)), Image.new("RGB", (48, 8), RED), 12)


def test_imagemagick_raw_exif_profile_in_png_text_is_read():
    hex_block = hostile.exif_block(0, 0, orientation=3).hex()
    text = b"Raw profile type exif\0\0" + zlib.compress(f"\nexif\n{len(hex_block) // 2}\n{hex_block}\n".encode())
    data = hostile.png_with_chunks(hostile.png_chunk(b"zTXt", text))
    decoded = decode_image(data, SETTINGS)
    assert close(decoded, hostile.small_picture().rotate(180), 0)


@pytest.mark.parametrize(
    "block",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"II*\0\x08\0\0\0", id="no directory"),
        pytest.param(b"II*\0\xff\xff\0\0" + bytes(20), id="directory past the end"),
        pytest.param(b"XX*\0\x08\0\0\0\x01\0", id="unknown byte order"),
        pytest.param(hostile.exif_block(0, 0, orientation=6)[:14], id="entry table cut short"),
        pytest.param(
            b"II*\0\x08\0\0\0\x01\0" + struct.pack("<HHI4s", 0x0112, 3, 3, b"\x08\0\0\0"), id="values elsewhere"
        ),
        pytest.param(b"II*\0\x08\0\0\0\x01\0" + struct.pack("<HHI4s", 0x0112, 2, 1, b"6\0\0\0"), id="text value"),
        pytest.param(b"II*\0\x08\0\0\0\x01\0" + struct.pack("<HHI4s", 0x0112, 3, 1, b"\x09\0\0\0"), id="value 9"),
    ],
)
def test_a_malformed_exif_block_leaves_the_picture_as_stored(block):
    assert orientation(block, None) == 1
    data = hostile.with_exif("JPEG", block) if block else hostile.encode(hostile.small_picture(), "JPEG")
    assert decode_image(data, SETTINGS).size == (64, 48)


@pytest.mark.parametrize(
    ("kind", "values", "value"),
    [
        pytest.param(3, 1, b"\x06\0\0\0", id="SHORT"),
        pytest.param(3, 2, b"\x06\0\x03\0", id="two SHORTs: the first"),
        pytest.param(4, 1, b"\x06\0\0\0", id="LONG"),
        pytest.param(9, 1, b"\x06\0\0\0", id="SLONG"),
    ],
)
def test_an_orientation_stored_as_any_integer_is_read_as_pillow_reads_it(kind, values, value):
    block = b"II*\0\x08\0\0\0\x01\0" + struct.pack("<HHI4s", 0x0112, kind, values, value) + b"\0\0\0\0"
    assert exif_orientation(block) == 6


def test_the_count_past_the_end_still_finds_an_orientation_within_the_block():
    block = b"II*\0\x08\0\0\0\xff\xff" + struct.pack("<HHI4s", 0x0112, 3, 1, b"\x06\0\0\0")
    assert exif_orientation(block) == 6  # the entries that are there are read; none past the end


# -- EXIF that used to cost seconds and gigabytes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "tags", "block_bytes"),
    [
        pytest.param("JPEG", 2000, 32 * 1024, id="JPEG 2000 tags sharing 32 KB"),
        pytest.param("PNG", 60, 1_000_000, id="PNG 60 tags sharing 1 MB"),
        pytest.param("WEBP", 60, 1_000_000, id="WebP 60 tags sharing 1 MB"),
    ],
)
def test_thousands_of_exif_tags_sharing_one_block_still_give_an_upright_picture(fmt, tags, block_bytes):
    # Prepare: orientation 6 plus private tags that all point at one block (ImageOps.exif_transpose rewrote them)
    data = hostile.with_exif(fmt, hostile.exif_block(tags, block_bytes, orientation=6))
    # Act
    decoded = decode_image(data, SETTINGS)
    # Assess: turned, and none of the metadata kept on the picture the model gets
    assert decoded.size == (48, 64)
    assert close(decoded.crop((0, 0, 48, 8)), Image.new("RGB", (48, 8), RED), 12)
    assert decoded.info == {}


def test_the_jpeg_metadata_pillow_would_parse_is_dropped_before_it_opens_the_file():
    # Prepare: EXIF, XMP, ICC, a comment, Photoshop data and fill bytes around the tables
    exif = hostile.jpeg_segment(0xE1, b"Exif\0\0" + hostile.exif_block(10, 100, orientation=1))
    icc = hostile.jpeg_segment(0xE2, b"ICC_PROFILE\0\x01\x01" + bytes(1000))
    photoshop = hostile.jpeg_segment(0xED, b"Photoshop 3.0\0" + b"8BIM\x04\x04\0\0\0\0\0\x04abcd")
    data = hostile.jpeg_with_segments(b"\xff" * 50 + exif + icc + _app1_xmp(b"<x/>") + photoshop)
    # Act
    scanned = prescan("JPEG", data)
    opened = Image.open(io.BytesIO(scanned.data))
    # Assess: only what the decoder uses reaches Pillow; the EXIF is kept aside for the orientation
    assert isinstance(opened, JpegImagePlugin.JpegImageFile)
    assert [name for name, _ in opened.applist] == ["APP0"]  # JFIF
    assert "exif" not in opened.info
    assert "icc_profile" not in opened.info
    assert scanned.exif is not None
    assert scanned.xmp == b"<x/>"
    assert close(decode_image(data, SETTINGS), decode_image(hostile.jpeg_with_segments(b""), SETTINGS), 0)


def test_a_cmyk_jpeg_keeps_its_adobe_segment_and_colours():
    data = encode(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG", quality=95, icc_profile=bytes(300))
    assert "adobe" in Image.open(io.BytesIO(prescan("JPEG", data).data)).info
    assert close(decode_image(data, SETTINGS), Image.new("RGB", (16, 16), (255, 0, 0)), 6)


def test_a_jpeg_without_metadata_is_passed_on_untouched():
    data = encode(hostile.small_picture(), "JPEG")
    assert prescan("JPEG", data).data is data


# -- floods of tiny structures ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(hostile.jpeg_comment_flood, id="comment segments"),
        pytest.param(hostile.jpeg_exif_segment_flood, id="EXIF segments"),
    ],
)
def test_a_jpeg_with_more_segments_than_the_ceiling_is_refused_with_the_limit_named(make):
    within = make(MAX_JPEG_SEGMENTS - 10)  # the picture's own segments count too
    assert decode_image(within, SETTINGS).size == (64, 48)
    status, code, body = error_of(make(MAX_JPEG_SEGMENTS))
    assert (status, code) == (413, "image_too_large")
    assert f"at most {MAX_JPEG_SEGMENTS} segments" in body


def test_fill_bytes_before_jpeg_markers_are_skipped_however_many():
    data = hostile.jpeg_fill_bytes(4_600_000)
    assert close(decode_image(data, SETTINGS), decode_image(hostile.jpeg_fill_bytes(0), SETTINGS), 0)


def test_a_gif_with_a_flood_of_comment_blocks_is_refused_with_the_limit_named():
    # Prepare: empty comment extensions (3 bytes each: Pillow joined them one copy at a time)
    within = hostile.gif_comment_flood(MAX_GIF_EXTENSION_BLOCKS - 10)
    over = hostile.gif_comment_flood(MAX_GIF_EXTENSION_BLOCKS + 1)
    # Act / Assess: an empty extension is one block (its terminator); the picture's own extensions count too
    assert decode_image(within, SETTINGS).size == (64, 48)
    status, code, body = error_of(over)
    assert (status, code) == (413, "image_too_large")
    assert f"at most {MAX_GIF_EXTENSION_BLOCKS} extension data blocks" in body


def test_gif_comments_and_application_data_are_dropped_but_transparency_kept():
    # Prepare: a transparent GIF (its graphic control extension) with a comment and XMP before the picture
    image = Image.new("P", (20, 10), 1)
    image.putpalette([0, 0, 0, 200, 30, 30] + [0] * 762)
    image.paste(0, (0, 0, 10, 10))
    sound = encode(image, "GIF", transparency=0, comment=b"hello")
    at = sound.index(b"\x21\xf9")
    data = sound[:at] + hostile.gif_extension(0xFF, [b"XMP DataXMP", b"<x/>"]) + sound[at:]
    # Act
    scanned = prescan("GIF", data)
    decoded = decode_image(data, SETTINGS)
    # Assess
    opened = Image.open(io.BytesIO(scanned.data))
    assert "comment" not in opened.info
    assert "extension" not in opened.info
    assert opened.info["transparency"] == 0
    assert decoded.getpixel((2, 2)) == (255, 255, 255)  # transparent: composited on white
    assert decoded.getpixel((15, 5)) == (200, 30, 30)


def test_a_png_with_a_flood_of_text_chunks_decodes_without_them():
    data = hostile.png_text_flood(9_000, text_bytes=100)
    assert close(decode_image(data, SETTINGS), hostile.small_picture(), 0)
    assert b"tEXt" not in prescan("PNG", data).data


# -- sound pictures that used to be called damaged ----------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: hostile.png_icc_inflating(2_000_000), id="ICC profile inflating to 2 MB"),
        pytest.param(lambda: hostile.png_ztxt_inflating(2_000_000), id="compressed text inflating to 2 MB"),
        pytest.param(lambda: hostile.png_ztxt_inflating(600_000, count=120), id="72 MB of compressed text"),
    ],
)
def test_a_png_whose_ancillary_data_inflates_past_pillows_text_limit_decodes(make):
    assert close(decode_image(make(), SETTINGS), hostile.small_picture(), 0)


def test_metadata_text_that_inflates_past_the_ceiling_is_ignored_not_inflated():
    bomb = b"Raw profile type exif\0\0" + zlib.compress(b"0" * (MAX_INFLATED_METADATA * 50), 9)
    data = hostile.png_with_chunks(hostile.png_chunk(b"zTXt", bomb))
    scanned = prescan("PNG", data)
    assert scanned.exif is None
    assert decode_image(data, SETTINGS).size == (64, 48)


def test_only_the_first_text_chunk_that_may_hold_the_orientation_is_read():
    # Prepare: thousands of compressed XMP chunks (each inflating to 750 KB: 3 s of inflating when all were read)
    first = hostile.png_chunk(b"zTXt", b"XML:com.adobe.xmp\0\0" + zlib.compress(b'tiff:Orientation="3"'))
    flood = hostile.png_chunk(b"zTXt", b"XML:com.adobe.xmp\0\0" + hostile.deflated(b"a", 750_000)) * 3000
    data = hostile.png_with_chunks(first + flood)
    # Act
    scanned = prescan("PNG", data)
    # Assess: the first one's text, and the picture turned by it
    assert scanned.xmp == b'tiff:Orientation="3"'
    assert close(decode_image(data, SETTINGS), hostile.small_picture().rotate(180), 0)


def test_a_transparent_png_keeps_its_transparency_through_the_pre_scan():
    image = Image.new("RGB", (10, 10), (10, 20, 30))
    data = (
        hostile.png_with_chunks(hostile.png_chunk(b"tEXt", b"Comment\0hi"))[:8]
        + encode(image, "PNG", transparency=(10, 20, 30))[8:]
    )
    assert decode_image(data, SETTINGS).getpixel((5, 5)) == (255, 255, 255)


def test_an_animated_png_decodes_its_first_frame():
    frames = [Image.new("RGB", (20, 10), RED), Image.new("RGB", (20, 10), BLUE)]
    data = encode(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=50)
    assert decode_image(data, SETTINGS).getpixel((5, 5)) == RED


# -- BMP alpha ----------------------------------------------------------------------------------------------------


def test_a_32_bit_bmp_whose_alpha_is_zero_everywhere_is_shown_opaque():
    # Prepare: Pillow reads it as RGBA with every pixel fully transparent
    data = hostile.bmp_zero_alpha()
    assert Image.open(io.BytesIO(data)).mode == "RGBA"
    # Act
    decoded = decode_image(data, SETTINGS)
    # Assess: the colours, as browsers and Windows show it, not a blank white page
    assert decoded.getpixel((5, 5)) == RED
    assert decoded.getpixel((60, 5)) == BLUE


def test_a_32_bit_bmp_with_real_alpha_is_still_composited_on_white():
    row = b"\x28\x28\xdc\x00" * 32 + b"\xc8\x3c\x1e\xff" * 32  # left half transparent, right half opaque blue
    decoded = decode_image(hostile.bmp_v5_rgba(row * 48, 64, 48), SETTINGS)
    assert decoded.getpixel((5, 5)) == (255, 255, 255)
    assert decoded.getpixel((60, 5)) == BLUE


# -- helpers --------------------------------------------------------------------------------------------------------


def _app1_xmp(xmp: bytes) -> bytes:
    return hostile.jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0" + xmp)


def _png_itxt(key: bytes, text: bytes, compressed: bool = False) -> bytes:
    body = zlib.compress(text) if compressed else text
    return hostile.png_chunk(b"iTXt", key + b"\0" + bytes([int(compressed), 0]) + b"\0\0" + body)
