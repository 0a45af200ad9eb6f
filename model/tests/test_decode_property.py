"""Property: whatever its metadata, no picture costs a worker more than a second of CPU or 500 MB to decode.

Generated pictures of every accepted format carry hostile metadata (thousands of EXIF tags sharing one block, floods
of segments, comments, extension blocks or chunks, ancillary data that inflates far past its size) and are then
mutated byte by byte. Each one is decoded (serving_image.decode_image, what input_fn runs) under two assertions:
at most TIME_BOUND_S of CPU (every thread of this process, so the number does not depend on what else the machine
runs) and at most MEMORY_BOUND_MB of peak resident memory above the resting state (/proc VmHWM, reset before the
call). The answer may be a picture or a refusal (RequestError: 413, 415, 422); any other exception fails too.

Deterministic (derandomize: the seed comes from the test's name), DECODE_PROPERTY_EXAMPLES examples per kind of
picture: a few by default (seconds, the fast tier), more in the end-to-end tier (scripts/test.sh sets it).
Only decode_image is used, so the same file runs against an older model/code to show what the checks find there.
"""

from __future__ import annotations

import gc
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings, target
from hypothesis import strategies as st

from hostile_images import metadata as hostile
from serving_errors import RequestError
from serving_image import decode_image
from serving_settings import ServingSettings

TIME_BOUND_S = 1.0
MEMORY_BOUND_MB = 500.0
STOP_AFTER_S = 3 * TIME_BOUND_S  # CPU after which a decode is stopped (and fails): keeps a failing run short
MAX_BODY_BYTES = 6_291_456  # InvokeEndpoint's body limit: nothing larger reaches a worker
EXAMPLES = int(os.environ.get("DECODE_PROPERTY_EXAMPLES", "20"))
SETTINGS = ServingSettings()

PROPERTY = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,  # time is asserted as CPU below, not as hypothesis's wall-clock deadline
    database=None,
    # No shrinking: a failing example costs seconds per try, and the builder's parameters already say what it is.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


class _Stopped(BaseException):
    pass


class _Guard:
    armed = False


def _kb(field: str) -> int:
    with Path("/proc/self/status").open() as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field))


def _stop(_signum: int, _frame: object) -> None:
    if _Guard.armed:  # a signal handled after the decode ended is ignored
        raise _Stopped


def _outcome(data: bytes) -> str:
    try:
        image = decode_image(data, SETTINGS)
    except RequestError as error:
        return f"{error.status} {error.body}"
    return f"200 {image.size[0]}x{image.size[1]}"


def decode_cost(data: bytes) -> tuple[float, float, str]:
    """(CPU seconds, peak MB above the resting state, outcome) of one decode, stopped after STOP_AFTER_S of CPU."""
    gc.collect()  # garbage of earlier examples is collected now, not during (and on the bill of) this decode
    resting = _kb("VmRSS:")
    Path("/proc/self/clear_refs").write_text("5")  # resets the peak (VmHWM) to the current resident size
    previous = signal.signal(signal.SIGPROF, _stop)
    started = time.process_time()
    try:
        try:
            _Guard.armed = True
            # Then every 50 ms more: a signal that lands in a garbage-collector callback (hypothesis installs one)
            # has its exception ignored, and the next one stops the decode.
            signal.setitimer(signal.ITIMER_PROF, STOP_AFTER_S, 0.05)
            outcome = _outcome(data)
        finally:
            _Guard.armed = False
            signal.setitimer(signal.ITIMER_PROF, 0)
    except _Stopped:
        outcome = f"stopped after {STOP_AFTER_S:.0f} s of CPU"
    finally:
        signal.signal(signal.SIGPROF, previous)
    cpu = time.process_time() - started
    return cpu, (_kb("VmHWM:") - resting) / 1024, outcome


def mutate(data: bytes, mutations: list[tuple[float, int]]) -> bytes:
    """Bytes set at relative positions: damage anywhere in the structure, the metadata included."""
    mutable = bytearray(data)
    for where, value in mutations:
        mutable[min(int(where * len(mutable)), len(mutable) - 1)] = value
    return bytes(mutable)


@dataclass(frozen=True)
class Picture:
    """A generated picture: how it was made (what hypothesis prints for a failing example) and how to build it."""

    what: str
    build: Callable[[], bytes]

    def __repr__(self) -> str:
        return self.what


def assert_bounded(picture: Picture, mutations: list[tuple[float, int]]) -> None:
    data = mutate(picture.build(), mutations)
    assert len(data) <= MAX_BODY_BYTES, "the strategy made a body larger than any worker receives"
    cpu, peak_mb, outcome = decode_cost(data)
    target(cpu, label="CPU seconds")  # steers generation towards the costliest pictures
    target(peak_mb, label="peak MB")
    cost = f"{picture.what}: {len(data):,} bytes cost {cpu:.2f} s of CPU and +{peak_mb:.0f} MB ({outcome[:100]})"
    assert cpu <= TIME_BOUND_S, cost
    assert peak_mb <= MEMORY_BOUND_MB, cost


# Half the pictures are left intact: a damaged one is mostly refused early (a CRC, a marker), which is cheap.
MUTATIONS: st.SearchStrategy[list[tuple[float, int]]] = st.one_of(
    st.just([]), st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=2)
)
ORIENTATION = st.sampled_from([None, 1, 2, 3, 4, 5, 6, 7, 8])
VALUE_TYPE = st.sampled_from(sorted(hostile.FIELD_TYPE_BYTES))
BODY = 6_000_000  # what a generated body may take, beside the small picture around it


def _small_or_large(cap: int) -> st.SearchStrategy[int]:
    """A count or size up to `cap`, drawn often at or near the cap: the costly end is what the property is about."""
    return st.one_of(st.sampled_from([cap, cap // 2, cap // 20]), st.integers(0, 16), st.integers(0, cap))


def _fitting(per_item: int, count: int) -> int:
    """`count`, or as many items of `per_item` bytes as fit in BODY."""
    return min(count, BODY // max(1, per_item))


@st.composite
def _exif_block(draw: st.DrawFn, room: int, tags_cap: int) -> tuple[str, bytes]:
    """An EXIF block of many tags that all point at one shared block, in at most `room` bytes."""
    tags = draw(_small_or_large(tags_cap))
    left = max(0, room - 12 * tags - 100)
    block = draw(st.one_of(st.just(left), _small_or_large(left)))  # often all the room the tags leave
    orientation, kind, big_endian = draw(ORIENTATION), draw(VALUE_TYPE), draw(st.booleans())
    what = f"{tags} tags of type {kind} sharing {block:,} bytes, orientation {orientation}"
    return what + (", big-endian" if big_endian else ""), hostile.exif_block(tags, block, orientation, kind, big_endian)


def _exif(fmt: str) -> st.SearchStrategy[Picture]:
    """EXIF where the format keeps it: JPEG APP1 (at most 65,533 bytes), PNG eXIf, WebP EXIF chunk."""
    room, tags_cap = (65_000, 4_000) if fmt == "JPEG" else (4_000_000, 2_000)
    return st.builds(
        lambda made: Picture(f"{fmt} with EXIF: {made[0]}", lambda: hostile.with_exif(fmt, made[1])),
        _exif_block(room, tags_cap),
    )


def _jpeg_directory(prefix: bytes, marker: int, name: str) -> st.SearchStrategy[tuple[str, bytes]]:
    """One APP segment holding a TIFF directory Pillow reads while opening (EXIF for the DPI, MPF for MPO)."""
    return st.builds(
        lambda made: (f"{name}: {made[0]}", hostile.jpeg_segment(marker, prefix + made[1])),
        _exif_block(65_000 - len(prefix), 4_000),
    )


def _gif_comments(count: int, blocks: int, size: int) -> Picture:
    count = _fitting(3 + blocks * (1 + size), count)
    return Picture(
        f"GIF with {count} comment extensions of {blocks} blocks of {size} bytes",
        lambda: hostile.gif_comment_flood(count, blocks, size),
    )


FLOOD = _small_or_large(1_500_000)
TINY = st.integers(0, 16)  # bytes of content in each item of a flood: the count is what costs
_GRAPHIC_CONTROL = hostile.gif_extension(0xF9, [b"\x01\0\0\0"])

KINDS: dict[str, st.SearchStrategy[Picture]] = {
    "JPEG EXIF tags sharing a block": _exif("JPEG"),
    "PNG EXIF tags sharing a block": _exif("PNG"),
    "WebP EXIF tags sharing a block": _exif("WEBP"),
    "JPEG comment segments": st.builds(
        lambda count, size: Picture(
            f"JPEG with {_fitting(4 + size, count)} comment segments of {size} bytes",
            lambda: hostile.jpeg_comment_flood(_fitting(4 + size, count), b"c" * size),
        ),
        FLOOD,
        TINY,
    ),
    "JPEG EXIF segments": st.builds(
        lambda count: Picture(
            f"JPEG with {_fitting(12, count)} tiny EXIF segments",
            lambda: hostile.jpeg_exif_segment_flood(_fitting(12, count)),
        ),
        FLOOD,
    ),
    "JPEG fill bytes": st.builds(
        lambda count: Picture(f"JPEG with {count} fill bytes", lambda: hostile.jpeg_fill_bytes(count)),
        _small_or_large(BODY),
    ),
    "JPEG ICC segments": st.builds(
        lambda count, size: Picture(
            f"JPEG with an ICC profile in {count} segments of {size} bytes",
            lambda: hostile.jpeg_icc_segments(count, size),
        ),
        st.integers(1, 90),
        _small_or_large(65_000),
    ),
    "JPEG multi-picture directory": st.builds(
        lambda made: Picture(f"JPEG with {made[0]}", lambda: hostile.jpeg_with_segments(made[1])),
        _jpeg_directory(b"MPF\0", 0xE2, "an MPF directory"),
    ),
    "JPEG EXIF joined from segments": st.builds(  # Pillow joins them; the directory then points into the whole
        lambda made, copies: Picture(
            f"JPEG with {copies} copies of {made[0]}", lambda: hostile.jpeg_with_segments(made[1] * copies)
        ),
        _jpeg_directory(b"Exif\0\0", 0xE1, "an EXIF segment"),
        st.integers(2, 90),
    ),
    "GIF comments": st.builds(_gif_comments, FLOOD, _small_or_large(300), st.integers(1, 255)),
    "GIF application extensions": st.builds(
        lambda count, blocks: Picture(
            f"GIF with {_fitting(16 + 2 * blocks, count)} application extensions of {blocks} blocks",
            lambda: hostile.gif_application_flood(_fitting(16 + 2 * blocks, count), blocks),
        ),
        FLOOD,
        _small_or_large(3_000),
    ),
    "GIF graphic control extensions": st.builds(
        lambda count: Picture(
            f"GIF with {_fitting(len(_GRAPHIC_CONTROL), count)} graphic control extensions",
            lambda: hostile.gif_with_extensions(_GRAPHIC_CONTROL * _fitting(len(_GRAPHIC_CONTROL), count)),
        ),
        FLOOD,
    ),
    "GIF stray bytes": st.builds(
        lambda count: Picture(
            f"GIF with {_fitting(1, count)} stray bytes before its picture",
            lambda: hostile.gif_with_extensions(b"\0" * _fitting(1, count)),
        ),
        FLOOD,
    ),
    "PNG text chunks": st.builds(
        lambda count, size: Picture(
            f"PNG with {_fitting(20 + size, count)} text chunks of {size} bytes",
            lambda: hostile.png_text_flood(_fitting(20 + size, count), size),
        ),
        _small_or_large(400_000),
        _small_or_large(2_000),
    ),
    "PNG compressed text": st.builds(
        lambda size, count, keyword: Picture(
            f"PNG with {_fitting(100 + size // 1000, count)} zTXt chunks {keyword!r} inflating to {size:,} bytes",
            lambda: hostile.png_ztxt_inflating(size, _fitting(100 + size // 1000, count), keyword),
        ),
        _small_or_large(40_000_000),
        _small_or_large(6_000),
        st.sampled_from([b"Comment", b"Raw profile type exif", b"XML:com.adobe.xmp"]),  # the last two may be read
    ),
    "PNG ICC profile": st.builds(
        lambda size: Picture(
            f"PNG with an ICC profile inflating to {size:,} bytes", lambda: hostile.png_icc_inflating(size)
        ),
        _small_or_large(50_000_000),
    ),
    "PNG private chunks": st.builds(
        lambda count: Picture(f"PNG with {count} empty private chunks", lambda: hostile.png_private_chunk_flood(count)),
        _small_or_large(500_000),
    ),
    "PNG eXIf chunks": st.builds(
        lambda made, copies: Picture(
            f"PNG with {copies} eXIf chunks of {made[0]}",
            lambda: hostile.png_with_chunks(hostile.png_chunk(b"eXIf", made[1]) * _fitting(len(made[1]) + 12, copies)),
        ),
        _exif_block(60_000, 2_000),
        st.integers(1, 80),
    ),
    "BMP alpha": st.builds(  # 32-bit bit-field BMPs up to the body limit, alpha zero, partial or full
        lambda width, height, alpha: Picture(
            f"BMP {width}x{height} with alpha {alpha[0]}",
            lambda: hostile.bmp_v5_rgba((b"\x28\x28\xdc" + alpha) * (width * height), width, height),
        ),
        st.integers(1, 1200),
        st.integers(1, 1200),
        st.sampled_from([b"\0", b"\x80", b"\xff"]),
    ),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_no_picture_costs_more_than_its_budget_whatever_its_metadata(kind):
    @PROPERTY
    @given(KINDS[kind], MUTATIONS)
    def check(picture: Picture, mutations: list[tuple[float, int]]) -> None:
        assert_bounded(picture, mutations)

    check()
