"""The picture's orientation, read from its EXIF or XMP with a bounded reader, and applied with a plain transpose.

Pillow's own path (ImageOps.exif_transpose) parses the whole EXIF block, reading every tag's value, and rewrites
it without the orientation tag: an EXIF block with thousands of tags that all point at one large block costs
seconds of CPU and gigabytes to read and far more to rewrite. Here only IFD0's entry table is looked at (at most
65,535 entries of 12 bytes, scanned as one array), nothing an entry points at is ever read, and no metadata is
rewritten or kept: the model needs the pixels the right way up and nothing else.

Where the orientation comes from, in Pillow's order (Image.getexif): the EXIF block (JPEG APP1, PNG eXIf, WebP
EXIF chunk, or ImageMagick's hex "Raw profile type exif" PNG text), else the XMP packet's tiff:Orientation.
"""

from __future__ import annotations

import re
import struct

import numpy as np
from PIL import Image

ORIENTATION_TAG = 0x0112
# TIFF integer field types (SHORT, LONG, SSHORT, SLONG) -> struct format; a value is whatever the type holds.
_INTEGER_TYPES = {3: "H", 4: "I", 8: "h", 9: "i"}
_EXIF_PREFIX = b"Exif\x00\x00"
_XMP_ORIENTATION = re.compile(rb'tiff:Orientation(="|>)([0-9])')

# EXIF orientation -> the transpose that shows the picture upright (the same table as ImageOps.exif_transpose).
TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def exif_orientation(exif: bytes | None) -> int | None:
    """The orientation tag of IFD0 (None when absent or unreadable: a malformed block never costs the picture)."""
    if not exif:
        return None
    if exif.startswith(_EXIF_PREFIX):
        exif = exif[len(_EXIF_PREFIX) :]
    if exif[:4] == b"II*\x00":
        order = "<"
    elif exif[:4] == b"MM\x00*":
        order = ">"
    else:
        return None
    ifd = int.from_bytes(exif[4:8], "little" if order == "<" else "big")
    if ifd < 8 or ifd + 2 > len(exif):
        return None
    declared = int.from_bytes(exif[ifd : ifd + 2], "little" if order == "<" else "big")
    count = min(declared, (len(exif) - ifd - 2) // 12)
    # Every entry's tag at once: 12-byte records, the tag in the first two bytes.
    tags = np.frombuffer(exif, dtype=f"{order}u2", count=count * 6, offset=ifd + 2)[::6]
    found = np.flatnonzero(tags == ORIENTATION_TAG)
    if not found.size:
        return None
    kind, values, value = struct.unpack_from(f"{order}HI4s", exif, ifd + 2 + 12 * int(found[0]) + 2)
    integer = _INTEGER_TYPES.get(kind)
    if integer is None or values < 1 or values * struct.calcsize(integer) > 4:
        return None  # not an integer, or not stored in the entry itself: nothing is read from elsewhere
    return int(struct.unpack_from(order + integer, value)[0])  # the first value, as Pillow reads it


def xmp_orientation(xmp: bytes | None) -> int | None:
    """tiff:Orientation in an XMP packet, found the way Pillow finds it (one linear regular-expression search)."""
    if not xmp:
        return None
    match = _XMP_ORIENTATION.search(xmp)
    return int(match[2]) if match else None


def orientation(exif: bytes | None, xmp: bytes | None) -> int:
    """The picture's orientation, 1 (as stored) unless its metadata says otherwise."""
    value = exif_orientation(exif)
    if value is None:
        value = xmp_orientation(xmp)
    return value if value in TRANSPOSE else 1


def upright(image: Image.Image, orientation_value: int) -> Image.Image:
    """`image` turned the way `orientation_value` says (a new picture), or `image` itself for 1."""
    method = TRANSPOSE.get(orientation_value)
    return image if method is None else image.transpose(method)
