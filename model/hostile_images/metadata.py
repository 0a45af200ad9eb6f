"""Pictures that are valid (or nearly) but whose metadata or structure costs a decoder far more than their pixels.

Shared by the image-cost benchmark (bench_image_cost.py: the named cases at the sizes a hostile client would send)
and the tests (model/tests/test_decode_property.py mutates the same builders with generated parameters). Every
builder returns the request body; none of them is larger than InvokeEndpoint's 6,291,456-byte limit at the sizes
the benchmark uses.

The kinds of hostility, each a way Pillow's Python-level parsing used to cost a worker seconds or gigabytes:
- EXIF with many tags that all point at one large block: reading an IFD copies every tag's bytes (tags x block),
  and rewriting it (what ImageOps.exif_transpose does when the orientation is 2-8) is slower still;
- floods of tiny structures parsed one at a time in Python: JPEG comment or EXIF segments, 0xFF fill bytes,
  GIF comment extensions (joined one copy at a time), PNG ancillary chunks;
- ancillary data that inflates past Pillow's text limit (ICC profiles, compressed text), which Pillow reports as
  a damaged file.
"""

from __future__ import annotations

import functools
import io
import struct
import zlib

from PIL import Image

ORIENTATION_TAG = 0x0112
_PRIVATE_TAGS = 0xC000  # tags from here up mean nothing to Pillow, so each one is kept as its own entry


def small_picture(size: tuple[int, int] = (64, 48)) -> Image.Image:
    """A picture with a left/right difference, so a wrong orientation shows in the pixels."""
    image = Image.new("RGB", size, (30, 60, 200))
    image.paste((220, 40, 40), (0, 0, size[0] // 2, size[1]))
    return image


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


# TIFF field types by their size in bytes: BYTE, ASCII, SHORT, LONG, RATIONAL, UNDEFINED. Pillow turns a SHORT or
# LONG array into a tuple of Python ints (slow to read, slower to write back); UNDEFINED stays one bytes copy.
FIELD_TYPE_BYTES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1}


def exif_block(
    tags: int,
    block_bytes: int,
    orientation: int | None = None,
    value_type: int = 3,
    big_endian: bool = False,
) -> bytes:
    """A TIFF-structured EXIF block: IFD0 holds `tags` private tags of `value_type` that all point at one shared
    block of `block_bytes` bytes, plus the orientation tag when given."""
    order = ">" if big_endian else "<"
    entries = tags + (orientation is not None)
    block_offset = 8 + 2 + 12 * entries + 4
    block_bytes = max(block_bytes, 8)  # values of at most 4 bytes are stored inline: a shared block needs more
    count = block_bytes // FIELD_TYPE_BYTES[value_type]
    table = b""
    if orientation is not None:
        table += struct.pack(f"{order}HHI", ORIENTATION_TAG, 3, 1) + struct.pack(f"{order}H", orientation) + b"\0\0"
    for index in range(tags):
        tag = _PRIVATE_TAGS + index % (0xFFFE - _PRIVATE_TAGS)
        table += struct.pack(f"{order}HHII", tag, value_type, count, block_offset)
    head = (b"MM\0*" if big_endian else b"II*\0") + struct.pack(f"{order}I", 8)
    return head + struct.pack(f"{order}H", entries) + table + b"\0\0\0\0" + bytes(block_bytes)


def with_exif(fmt: str, exif: bytes, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small JPEG, PNG or WebP carrying `exif` where its format keeps EXIF (APP1, eXIf, the EXIF chunk)."""
    options: dict[str, object] = {"exif": b"Exif\0\0" + exif if fmt == "JPEG" else exif}
    if fmt == "WEBP":
        options["lossless"] = True
    return encode(small_picture(size), fmt, **options)


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def jpeg_with_segments(segments: bytes, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small JPEG with `segments` (whole segments, or fill bytes) right after its SOI marker."""
    data = encode(small_picture(size), "JPEG", quality=90)
    return data[:2] + segments + data[2:]


def jpeg_comment_flood(count: int, payload: bytes = b"") -> bytes:
    return jpeg_with_segments(jpeg_segment(0xFE, payload) * count)


def jpeg_exif_segment_flood(count: int) -> bytes:
    """`count` tiny APP1 EXIF segments: Pillow joins their contents one copy at a time."""
    return jpeg_with_segments(jpeg_segment(0xE1, b"Exif\0\0" + b"\0" * 2) * count)


def jpeg_fill_bytes(count: int) -> bytes:
    """0xFF fill bytes before the first segment (JPEG allows any number before a marker)."""
    return jpeg_with_segments(b"\xff" * count)


def jpeg_icc_segments(count: int, chunk_bytes: int = 65_000) -> bytes:
    """An ICC profile split over `count` APP2 segments (the format allows 255)."""
    segments = b"".join(
        jpeg_segment(0xE2, b"ICC_PROFILE\0" + bytes([index + 1, count]) + bytes(chunk_bytes)) for index in range(count)
    )
    return jpeg_with_segments(segments)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_chunks(chunks: bytes, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small PNG with `chunks` right after IHDR."""
    data = encode(small_picture(size), "PNG")
    return data[:33] + chunks + data[33:]


@functools.cache
def deflated(byte: bytes, count: int) -> bytes:
    """`byte` repeated `count` times, deflated (kept: the property test asks for the same sizes again and again)."""
    return zlib.compress(byte * count, 9)


def png_icc_inflating(inflated_bytes: int) -> bytes:
    """A valid iCCP chunk whose profile inflates to `inflated_bytes` (Pillow refuses past 1 MB as damage)."""
    return png_with_chunks(png_chunk(b"iCCP", b"icc\0\0" + deflated(b"\0", inflated_bytes)))


def png_ztxt_inflating(inflated_bytes: int, count: int = 1, keyword: bytes = b"Comment") -> bytes:
    """`count` zTXt chunks, each inflating to `inflated_bytes` (keyword: "Comment", or one whose text the decoder
    may read, such as "Raw profile type exif" or "XML:com.adobe.xmp")."""
    chunk = png_chunk(b"zTXt", keyword + b"\0\0" + deflated(b"a", inflated_bytes))
    return png_with_chunks(chunk * count)


def png_text_flood(count: int, text_bytes: int = 0) -> bytes:
    return png_with_chunks(png_chunk(b"tEXt", b"Comment\0" + b"a" * text_bytes) * count)


def png_private_chunk_flood(count: int) -> bytes:
    return png_with_chunks(png_chunk(b"prVt", b"") * count)


def gif_picture() -> bytes:
    return encode(small_picture().quantize(16), "GIF")


def gif_with_extensions(extensions: bytes) -> bytes:
    """A small GIF with `extensions` (whole extension blocks) right before its first image descriptor."""
    data = gif_picture()
    flags = data[10]
    at = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)  # after the header and its global colour table
    return data[:at] + extensions + data[at:]


def gif_extension(label: int, sub_blocks: list[bytes]) -> bytes:
    return b"\x21" + bytes([label]) + b"".join(bytes([len(block)]) + block for block in sub_blocks) + b"\0"


def gif_comment_flood(count: int, sub_blocks: int = 0, sub_block_bytes: int = 1) -> bytes:
    """`count` comment extensions of `sub_blocks` sub-blocks each: Pillow joins comments one copy at a time."""
    return gif_with_extensions(gif_extension(0xFE, [b"c" * sub_block_bytes] * sub_blocks) * count)


def gif_application_flood(count: int, sub_blocks: int = 1) -> bytes:
    return gif_with_extensions(gif_extension(0xFF, [b"XMP DataXMP"] + [b"x"] * sub_blocks) * count)


def bmp_v5_rgba(pixels: bytes, width: int, height: int) -> bytes:
    """A 32-bit BMP with a BITMAPV5HEADER and bit-field masks with an alpha mask; `pixels` are BGRA rows, top down."""
    header = struct.pack(
        "<IiiHHIIiiIIIIII",
        124,  # BITMAPV5HEADER
        width,
        -height,  # top-down rows
        1,
        32,
        3,  # BI_BITFIELDS
        len(pixels),
        2835,
        2835,
        0,
        0,
        0x00FF0000,
        0x0000FF00,
        0x000000FF,
        0xFF000000,
    )
    header += b"BGRs" + bytes(36) + bytes(12) + struct.pack("<IIII", 4, 0, 0, 0)  # sRGB, endpoints, gamma, intent
    offset = 14 + len(header)
    return b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset) + header + pixels


def bmp_zero_alpha(width: int = 64, height: int = 48) -> bytes:
    """The left half red, the right half blue, every alpha byte 0: browsers and Windows show it opaque."""
    row = (b"\x28\x28\xdc\x00" * (width // 2)) + (b"\xc8\x3c\x1e\x00" * (width - width // 2))
    return bmp_v5_rgba(row * height, width, height)
