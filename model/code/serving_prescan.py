"""Bounded pre-scan of the metadata: what Pillow would parse in Python before any pixel, reduced to what decoding needs.

Pillow's format plugins parse metadata in Python, one structure at a time, and some of it in ways whose cost grows
faster than the file: JPEG comment and APP segments (EXIF segments joined one copy at a time, ICC chunks, the MPF
and EXIF directories read for DPI and multi-picture detection), 0xFF fill bytes read one by one, GIF extension
blocks (comments joined one copy at a time), PNG text and ICC chunks (inflated, and refused past 1 MB as if the
file were damaged). None of it changes the pixels. So before Pillow opens the file, this walks the structure in
bounded steps, refuses a flood of structures with 413 naming the ceiling, and hands Pillow a copy without the
metadata (only when there was some to drop). What the orientation needs (the EXIF block, the XMP packet) is kept
aside for serving_orientation's bounded reader; nothing else is parsed or kept.

- JPEG: the segments before the first scan (where Pillow parses) keep only what the decoder uses (tables, frame
  and restart definitions, the JFIF and Adobe segments libjpeg reads for the colour space); APPn and comment
  segments and fill bytes are dropped. The segment count is bounded by serving_integrity (it walks every segment).
  From the first scan on, the file is passed as it is: libjpeg skips metadata there in C.
- PNG: ancillary chunks (lower-case first letter: text, ICC, EXIF, animation control, private ones) are dropped
  except tRNS (transparency). Text that may hold the orientation is inflated at most to MAX_INFLATED_METADATA.
- GIF: extensions before the first picture are dropped except graphic control (transparency); at most
  MAX_GIF_EXTENSION_BLOCKS data blocks are walked there.
- WebP and BMP: nothing to do. libwebp reads a WebP's chunks in C (Pillow only copies the EXIF and XMP chunks,
  which serving_image reads with the bounded reader); a BMP has no metadata Pillow parses.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass

from serving_errors import RequestError

# Data blocks (sub-blocks, terminators, stray bytes) walked in the GIF extensions before the first picture: Pillow
# walks them one at a time in Python, ~1 us each. 10,000 blocks are 2.5 MB of extension data at most.
MAX_GIF_EXTENSION_BLOCKS = 10_000
# How far a compressed PNG text chunk that may hold the orientation is inflated; larger ones are ignored.
MAX_INFLATED_METADATA = 1_000_000

_FILL = re.compile(rb"\xff+")
_SOS, _APP0, _APP14, _COM = 0xDA, 0xE0, 0xEE, 0xFE
_APP1 = 0xE1
_XMP_JPEG = b"http://ns.adobe.com/xap/1.0/\x00"
_PNG_XMP_KEY = b"XML:com.adobe.xmp"
_PNG_RAW_EXIF_KEY = b"Raw profile type exif"


@dataclass(frozen=True)
class Prescanned:
    data: bytes  # what Pillow opens: the body, or a copy without the metadata
    exif: bytes | None = None  # the EXIF block (TIFF structure, maybe behind "Exif\0\0"), for the orientation
    xmp: bytes | None = None  # the XMP packet, for the orientation when the EXIF has none


def prescan(fmt: str, data: bytes) -> Prescanned:
    """Run after serving_integrity.check_structure, which has refused damaged structure and too many segments."""
    if fmt == "JPEG":
        return _jpeg(data)
    if fmt == "PNG":
        return _png(data)
    if fmt == "GIF":
        return _gif(data)
    return Prescanned(data)


def _jpeg(data: bytes) -> Prescanned:
    kept: list[bytes | memoryview] = [b"\xff\xd8"]
    exif = xmp = None
    seen_jfif = seen_adobe = False
    view = memoryview(data)
    position = 2
    dropped = False
    while position < len(data) and data[position] == 0xFF:
        fill = _FILL.match(data, position)
        marker_at = fill.end() if fill else position
        dropped |= marker_at - position > 1  # fill bytes before the marker
        if marker_at >= len(data):
            break
        marker = data[marker_at]
        if marker == _SOS:
            kept.append(view[marker_at - 1 :])
            if not dropped:
                return Prescanned(data, exif, xmp)
            return Prescanned(b"".join(kept), exif, xmp)
        if marker_at + 3 > len(data):
            break
        end = marker_at + 1 + int.from_bytes(data[marker_at + 1 : marker_at + 3], "big")
        start = marker_at + 3  # the segment's contents
        if marker == _APP1 and exif is None and data.startswith(b"Exif\x00\x00", start):
            exif = data[start:end]
        elif marker == _APP1 and xmp is None and data.startswith(_XMP_JPEG, start):
            xmp = data[start + len(_XMP_JPEG) : end]
        keep = True
        if marker == _APP0 and data.startswith(b"JFIF\x00", start):  # libjpeg reads it for the colour space
            keep, seen_jfif = not seen_jfif, True
        elif marker == _APP14 and data.startswith(b"Adobe", start):  # the colour transform of CMYK and YCCK
            keep, seen_adobe = not seen_adobe, True
        elif _APP0 <= marker <= 0xEF or marker == _COM:
            keep = False
        if keep:
            kept.append(view[marker_at - 1 : end])
        else:
            dropped = True
        position = end
    return Prescanned(data, exif, xmp)  # no scan found: Pillow reports the file as it is


def _png(data: bytes) -> Prescanned:
    view = memoryview(data)
    kept: list[memoryview] = [view[:8]]
    exif = raw_exif = xmp = None
    position, dropped = 8, False
    while position + 12 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, position)
        end = position + 12 + length
        if end > len(data):
            break
        if kind[0] & 0x20 and kind != b"tRNS":  # ancillary: the decoder does not need it
            dropped = True
            payload = view[position + 8 : end - 4]
            if kind == b"eXIf" and exif is None:
                exif = bytes(payload)
            elif kind in (b"tEXt", b"zTXt", b"iTXt"):  # only the first of each key is read (and inflated)
                key = bytes(payload[:80]).partition(b"\x00")[0]  # keywords are 1-79 bytes
                if key == _PNG_XMP_KEY and xmp is None:
                    xmp = _png_text(kind, key, payload) or b""
                elif key == _PNG_RAW_EXIF_KEY and raw_exif is None:
                    raw_exif = _from_raw_profile(_png_text(kind, key, payload) or b"") or b""
        else:
            kept.append(view[position:end])
        position = end
        if kind == b"IEND":
            break
    if not dropped:
        return Prescanned(data)  # no ancillary chunk, so no metadata either
    kept.append(view[position:])
    return Prescanned(b"".join(kept), exif or raw_exif or None, xmp or None)


def _png_text(kind: bytes, key: bytes, payload: memoryview) -> bytes | None:
    """The text of a PNG text chunk; None when it is malformed or inflates past the ceiling."""
    body = payload[len(key) + 1 :]
    if kind == b"tEXt":
        return bytes(body)
    if kind == b"zTXt":
        return _inflate(body[1:])  # compression method byte, then the stream
    if len(body) < 2:  # iTXt: compression flag, method, language\0, translated keyword\0, text
        return None
    compressed = body[0] == 1
    parts = bytes(body[2:]).split(b"\x00", 2)
    if len(parts) < 3:
        return None
    return _inflate(memoryview(parts[2])) if compressed else parts[2]


def _inflate(stream: memoryview) -> bytes | None:
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(stream, MAX_INFLATED_METADATA)
    except zlib.error:
        return None
    return None if inflater.unconsumed_tail else text


def _from_raw_profile(text: bytes) -> bytes | None:
    """ImageMagick's "Raw profile type exif": a name line, a length line, then the block as hex (Image.getexif)."""
    try:
        return bytes.fromhex("".join(text.decode("latin-1").split("\n")[3:]))
    except ValueError:
        return None


def _gif(data: bytes) -> Prescanned:
    view = memoryview(data)
    flags = data[10] if len(data) > 10 else 0
    position = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    kept: list[memoryview] = [view[:position]]
    blocks, dropped = 0, False
    while position < len(data):
        introducer = data[position]
        if introducer == 0x2C:  # the first picture: everything from here on is passed as it is
            if not dropped:
                return Prescanned(data)
            kept.append(view[position:])
            return Prescanned(b"".join(kept))
        if introducer == 0x3B:
            break  # no picture: Pillow reports it
        start = position
        if introducer != 0x21:  # a stray byte, which Pillow skips too
            position, blocks, dropped = position + 1, blocks + 1, True
        else:
            position += 2
            while True:  # the extension's data blocks, up to the empty one that ends it
                blocks += 1
                if blocks > MAX_GIF_EXTENSION_BLOCKS:
                    raise _gif_flood()
                if position >= len(data):
                    return Prescanned(data)  # cut short: Pillow reports it
                size = data[position]
                position += 1 + size
                if size == 0:
                    break
            if data[start + 1] == 0xF9:  # graphic control: the transparent colour
                kept.append(view[start:position])
            else:
                dropped = True
        if blocks > MAX_GIF_EXTENSION_BLOCKS:
            raise _gif_flood()
    return Prescanned(data)


def _gif_flood() -> RequestError:
    return RequestError(
        "image_too_large",
        f"GIF files may have at most {MAX_GIF_EXTENSION_BLOCKS} extension data blocks before the first picture",
    )
