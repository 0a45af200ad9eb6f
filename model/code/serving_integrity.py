"""Cheap structural checks Pillow skips, run on the raw bytes before decoding (a few ms for 6 MB).

- PNG: every chunk's CRC (Pillow skips the CRCs of image data, so a damaged IDAT decodes to wrong pixels), a
  ceiling on the number of chunks (Pillow walks chunks in Python: ~3 us each, so 400 000 empty chunks cost a
  worker over a second) and on the bytes the pixel data inflates to (16-bit RGBA at 50 MP took 2.3 s).
- JPEG: the marker structure. Entropy-coded data may only contain stuffed 0xFF00 bytes and restart markers in
  sequence, and must end at a marker that can follow a scan; every other segment's length must land on the next
  marker. Random damage almost always breaks one of these. libjpeg notices the same damage, but only as a
  *warning* ("Corrupt JPEG data: ..."), which Pillow discards, so without this check the damaged picture is
  classified. A ceiling on the number of scans: each progressive scan walks the whole coefficient buffer
  (~2.5 ms per scan for a 50 MP photo, whatever draft scale), and a scan can be a few bytes. A ceiling on the
  number of segments (a 6 MB body holds 1.5 million empty comment segments, each parsed in Python); 0xFF fill
  bytes before a marker are skipped in one regular-expression step however many there are.
- BMP: a ceiling on run-length-encoded pixel data, which Pillow decodes in Python (~1 s for 6 MB).

What still passes (no structure records it): JPEG scan data altered without creating a stray 0xFF byte (bit
flips, zeroed ranges); WebP and GIF data damage that their decoders accept; any BMP pixel values.
"""

from __future__ import annotations

import re
import struct
import zlib

import numpy as np

from serving_errors import RequestError

MAX_PNG_CHUNKS = 10_000
# Bytes the PNG's pixel data inflates to (width x height x channels x bit depth / 8): inflating and unfiltering
# cost ~3.4 ms per MB on one core, so this keeps one picture's decode near a third of a second, which is what keeps
# two clients sending such pictures from halving everyone else's throughput (model/bench/bench_image_cost.py). 8-bit
# grey/palette and 16-bit grey keep the 50 MP pixel ceiling; 8-bit RGB stops at 33 MP, 8-bit RGBA and 16-bit
# grey+alpha at 25 MP, 16-bit RGB at 16.7 MP, 16-bit RGBA at 12.5 MP.
MAX_PNG_DECODED_BYTES = 100_000_000
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
MAX_JPEG_SCANS = 100
# Segments (markers with a length: tables, frame and scan headers, APPn, comments) in the first picture. Pillow
# parses each one before the first scan in Python (~2 us; EXIF segments are joined one copy at a time), and
# serving_prescan walks them again; an ordinary photo has 10-30, a progressive one a few per scan.
MAX_JPEG_SEGMENTS = 1_000
MAX_BMP_RLE_BYTES = 2_000_000

# Markers that may follow entropy-coded data: DHT, DAC, SOS, DQT, DNL, DRI, APPn, COM, EOI (progressive and
# multi-scan files redefine tables between scans). Anything else there (a SOFn, SOI, a reserved code) is damage.
_AFTER_SCAN = {0xC4, 0xCC, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xFE} | set(range(0xE0, 0xF0))
_SOI, _EOI, _SOS = 0xD8, 0xD9, 0xDA
_MARKER_AFTER_SCAN = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_RST = range(0xD0, 0xD8)
_FILL = re.compile(rb"\xff+")


def check_structure(fmt: str, data: bytes) -> None:
    if fmt == "PNG":
        check_png(data)
    elif fmt == "JPEG":
        check_jpeg(data)
    elif fmt == "BMP":
        check_bmp(data)


def _corrupt(what: str) -> RequestError:
    return RequestError("undecodable_image", f"the {what}: the file is damaged")


def check_png(data: bytes) -> None:
    view = memoryview(data)
    position, chunks = 8, 0
    while position + 12 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, position)
        end = position + 12 + length
        if length > 0x7FFFFFFF or end > len(data):
            return  # cut short: Pillow's own truncation check answers it
        chunks += 1
        if chunks > MAX_PNG_CHUNKS:
            raise RequestError("image_too_large", f"PNG files may have at most {MAX_PNG_CHUNKS} chunks")
        if zlib.crc32(view[position + 4 : end - 4]) != int.from_bytes(view[end - 4 : end], "big"):
            raise _corrupt(f"PNG {kind.decode('latin-1')!r} chunk fails its CRC check")
        if kind == b"IHDR" and length >= 10:
            width, height, depth, colour = struct.unpack_from(">IIBB", data, position + 8)
            decoded = width * height * _PNG_CHANNELS.get(colour, 4) * depth // 8
            if decoded > MAX_PNG_DECODED_BYTES:
                raise RequestError(
                    "image_too_large",
                    f"PNG pixel data may inflate to at most {MAX_PNG_DECODED_BYTES} bytes "
                    f"({width}x{height} at {depth} bits x {_PNG_CHANNELS.get(colour, 4)} channels is {decoded})",
                )
        if kind == b"IEND":
            return
        position = end


def check_jpeg(data: bytes) -> None:
    """Walks the segments of the first picture (up to its EOI; an MPO's next picture may follow)."""
    position, scans, segments = 2, 0, 0
    while True:
        marker, position = _next_marker(data, position)
        if marker is None or marker == _EOI or position + 2 > len(data):
            if scans == 0:
                # No picture at all, whatever comes before: refused here, as Pillow would walk megabytes of fill bytes
                # before it (one at a time, in Python) only to refuse the file.
                raise _corrupt("JPEG image ends before its first scan")
            if marker is None or marker == _EOI:
                return  # a missing EOI is truncation: Pillow refuses it while decoding
        if marker < 0xC0 or marker == _SOI or marker in _RST:
            raise _corrupt(f"JPEG marker 0x{marker:02x} is out of place")
        if position + 2 > len(data):
            return
        length = int.from_bytes(data[position : position + 2], "big")
        if length < 2:
            raise _corrupt("JPEG segment length is invalid")
        segments += 1
        if segments > MAX_JPEG_SEGMENTS:
            raise RequestError("image_too_large", f"JPEG files may have at most {MAX_JPEG_SEGMENTS} segments")
        position += length
        if marker == _SOS:
            scans += 1
            if scans > MAX_JPEG_SCANS:
                raise RequestError("image_too_large", f"JPEG files may have at most {MAX_JPEG_SCANS} scans")
            position = _end_of_scan(data, position)
            if position >= len(data):
                return
            if data[position + 1] not in _AFTER_SCAN:
                raise _corrupt(f"JPEG scan data is interrupted by marker 0x{data[position + 1]:02x}")


def _next_marker(data: bytes, position: int) -> tuple[int | None, int]:
    """The marker at `position` (fill bytes 0xFF allowed before it) and the position after it."""
    if position >= len(data):
        return None, position
    fill = _FILL.match(data, position)  # 0xFF fill bytes may precede any marker: skipped in C, however many
    if fill is None:
        raise _corrupt("JPEG segment does not end where its length says")
    position = fill.end()
    if position >= len(data):
        return None, position
    return data[position], position + 1


def _end_of_scan(data: bytes, start: int) -> int:
    """Position of the marker that ends the entropy-coded data at `start`; checks restart markers on the way.

    Inside entropy-coded data 0xFF is followed by 0x00 (a stuffed byte), a restart marker, or more 0xFF fill; the
    first 0xFF followed by anything else is the next marker. Both searches run in C over this scan only, so the
    whole file is looked at once however many scans it has.
    """
    found = _MARKER_AFTER_SCAN.search(data, start)
    end = found.start() if found else len(data)
    scan = (
        np.frombuffer(data, dtype=np.uint8, count=end - start, offset=start) if end > start else np.zeros(0, np.uint8)
    )
    after_ff = scan[1:][scan[:-1] == 0xFF]
    restarts = after_ff[(after_ff >= 0xD0) & (after_ff <= 0xD7)].astype(np.int16) - 0xD0
    if restarts.size and (restarts[0] != 0 or np.any(np.diff(restarts) % 8 != 1)):
        raise _corrupt("JPEG restart markers are out of sequence")
    return end


def check_bmp(data: bytes) -> None:
    if len(data) < 34:
        return
    header_size = int.from_bytes(data[14:18], "little")
    compression = int.from_bytes(data[30:34], "little") if header_size >= 40 else 0
    offset = int.from_bytes(data[10:14], "little")
    if compression in (1, 2) and len(data) - offset > MAX_BMP_RLE_BYTES:  # BI_RLE8, BI_RLE4
        raise RequestError(
            "image_too_large", f"run-length BMP files may carry at most {MAX_BMP_RLE_BYTES} bytes of pixel data"
        )
