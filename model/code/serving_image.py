"""Bytes -> one RGB Pillow image, refusing anything that is not a sound JPEG, PNG, WebP, GIF or BMP.

Order matters: sniff magic bytes (cheap, gives 415 for other image formats), check the file's structure
(serving_integrity: PNG CRCs, JPEG markers, chunk/scan/segment ceilings), drop the metadata Pillow would parse in
Python (serving_prescan: keeps the EXIF and XMP aside for the orientation), open (header only) with the allowed
formats, check dimensions before decoding a single pixel, pick a JPEG draft scale, decode fully (truncated data
fails here), convert the mode to 8-bit RGB while box-reducing large pictures band by band, then turn it upright
(serving_orientation: a bounded reader of the orientation tag and a plain transpose).

Cost: a picture larger than the model needs is reduced by a whole factor (both sides stay >= draft_min_side, the
same floor as JPEG draft mode) in bands of ~2 MP, so conversions (16-bit scaling, alpha compositing, palettes)
never hold more than a band's worth of temporary copies. The decoded picture itself is what remains: at the
50 MP ceiling that is 50-200 MB depending on the mode (see model/bench/bench_image_cost.py).
"""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from PIL import Image, ImageFile, UnidentifiedImageError

from serving_errors import RequestError
from serving_integrity import check_structure
from serving_orientation import orientation, upright
from serving_prescan import prescan
from serving_settings import ServingSettings

if TYPE_CHECKING:
    import numpy.typing as npt

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")
ALLOWED_TEXT = "JPEG, PNG, WebP, GIF or BMP"

# A truncated upload must fail, not decode as a half-grey picture that still gets a confident label.
ImageFile.LOAD_TRUNCATED_IMAGES = False

_OTHER_IMAGE_SIGNATURES = (
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"8BPS", "PSD"),
    (b"%!PS", "EPS"),
    (b"\xc5\xd0\xd3\xc6", "EPS"),
    (b"%PDF", "PDF"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"\xff\x4f\xff\x51", "JPEG 2000"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"),
    (b"\xff\x0a", "JPEG XL"),
    (b"qoif", "QOI"),
)


def sniff_format(data: bytes) -> str | None:
    """Pillow format name of an allowed image, the name of another known image format, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data.startswith(b"BM"):
        return "BMP"
    if data[4:8] == b"ftyp":
        return "HEIF/AVIF"
    for signature, name in _OTHER_IMAGE_SIGNATURES:
        if data.startswith(signature):
            return name
    return None


def decode_image(data: bytes, settings: ServingSettings) -> Image.Image:
    if not data:
        raise RequestError("bad_request", "the request body is empty")
    detected = sniff_format(data)
    if detected is None:
        raise RequestError("undecodable_image", f"the body is not a {ALLOWED_TEXT} image")
    if detected not in ALLOWED_FORMATS:
        raise RequestError("unsupported_media_type", f"{detected} images are not supported; send {ALLOWED_TEXT}")
    check_structure(detected, data)
    scanned = prescan(detected, data)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; a warning here is a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(scanned.data), formats=ALLOWED_FORMATS)
            _check_dimensions(image.size, settings, image.format)
            # Multi-picture JPEGs (MPO, as many phone cameras write) open as plain JPEGs: the pre-scan dropped the
            # MPF segment that tells them apart, and the first picture is the one decoded either way.
            if image.format == "JPEG" and settings.draft_min_side:
                # DCT-domain downscale by 1/2, 1/4 or 1/8 while both sides stay >= draft_min_side: a 12 MP
                # photo then decodes at about 1/16 of the pixels, before the (antialiased) resize.
                image.draft(None, (settings.draft_min_side, settings.draft_min_side))
            image.load()
            _opaque_if_alpha_unused(image)
            # libwebp hands over a WebP's EXIF and XMP chunks as they are (nothing parsed); other formats' were
            # set aside by the pre-scan.
            exif, xmp = (
                (image.info.get("exif"), image.info.get("xmp")) if detected == "WEBP" else (scanned.exif, scanned.xmp)
            )
            picture = upright(reduced_rgb(image, settings.draft_min_side), orientation(exif, xmp))
            picture.info = {}  # metadata copied along by Pillow: the model needs none of it
            return picture
    except RequestError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise RequestError("image_too_large", _too_large_text(settings)) from None
    except MemoryError:
        raise RequestError("image_too_large", "the image needs more memory to decode than this endpoint has") from None
    except UnidentifiedImageError:
        raise RequestError("undecodable_image", f"the body is not a decodable {ALLOWED_TEXT} image") from None
    except Exception:  # noqa: BLE001 - Pillow reports corrupt data with many exception types (OSError, SyntaxError, ...)
        raise RequestError("undecodable_image", f"the {detected} image is truncated or corrupt") from None


def _opaque_if_alpha_unused(image: Image.Image) -> None:
    """A 32-bit BMP whose alpha channel is zero everywhere is shown opaque, as browsers and Windows show it.

    Many writers fill the fourth byte with 0 and still declare an alpha mask; composited on white, such a picture
    would become a blank page (which the model then labels with confidence). Other formats keep their alpha.
    """
    if image.format == "BMP" and image.mode == "RGBA":
        alpha_range = cast("tuple[tuple[int, int], ...]", image.getextrema())[3]
        if alpha_range == (0, 0):
            image.putalpha(255)  # in place: no copy of the picture


# Pixels converted at a time when a large picture is reduced: bounds the temporary copies to a few MB per band.
BAND_PIXELS = 2_000_000


def reduced_rgb(image: Image.Image, min_side: int) -> Image.Image:
    """8-bit RGB, box-reduced by the largest whole factor that keeps both sides >= min_side (0: never reduce).

    Box averaging before the preprocessor's own (antialiased) resize keeps the model input close to a full-size
    resize, as JPEG draft mode does; for transparency it averages the pixels after compositing on white, which
    is what a full-size composite followed by a resize gives.
    """
    factor = min(image.size) // min_side if min_side else 1
    if factor < 2:
        return to_rgb(image)
    width, height = image.size
    reduced = Image.new("RGB", (-(-width // factor), -(-height // factor)))
    band_rows = max(1, BAND_PIXELS // (width * factor)) * factor
    extrema = _band_range(image) if _is_high_depth(image.mode) else None
    for top in range(0, height, band_rows):
        band = _averageable(image.crop((0, top, width, min(height, top + band_rows))), extrema)
        # Averaging first and converting the factor^2-times smaller result gives the same picture: for RGBA/LA
        # Pillow's reduce averages the premultiplied colour, and compositing on white is linear in it; the
        # 16-bit scaling is linear too (rounding aside).
        reduced.paste(to_rgb(band.reduce(factor), extrema), (0, top // factor))
    return reduced


def _averageable(band: Image.Image, extrema: tuple[float, float] | None) -> Image.Image:
    """The band in a mode whose pixel values can be averaged (palette indices and bit planes cannot).

    `extrema`: the whole picture's (min, max) for high-depth modes, so every band is scaled alike.
    """
    mode = band.mode
    if mode in ("RGB", "L", "RGBA", "LA", "I", "F") and "transparency" not in band.info:
        return band
    if _is_high_depth(mode) and "transparency" in band.info:  # as 8-bit grey + alpha, averaged premultiplied
        return _high_depth_with_alpha(band, extrema or _band_range(band))
    if mode.startswith("I;16"):
        return band.convert("I")
    if mode in ("P", "PA", "1", "L", "RGB") and ("transparency" in band.info or mode == "PA"):
        return band.convert("RGBA")
    if mode == "1":
        return band.convert("L")
    if mode == "P":
        return band.convert("RGB")
    return to_rgb(band)  # CMYK, YCbCr, LAB, ...: their conversions to RGB are not linear


def _too_large_text(settings: ServingSettings) -> str:
    return f"images may have at most {settings.max_pixels} pixels and {settings.max_side} pixels per side"


# Formats whose decoder costs more than the general ceiling allows (model/bench/bench_image_cost.py): Pillow's WebP
# decoder holds ~15 bytes per pixel at once (763 MB at 50 MP) and takes ~20 ms per MP with alpha; nothing on our
# side can shrink that. 4096 x 4096 keeps it near a third of a second and 250 MB.
FORMAT_MAX_PIXELS = {"WEBP": 4096 * 4096}


def _check_dimensions(size: tuple[int, int], settings: ServingSettings, fmt: str | None = None) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise RequestError("undecodable_image", "the image has no pixels")
    if width * height > settings.max_pixels or max(width, height) > settings.max_side:
        raise RequestError("image_too_large", f"{width}x{height} is too large: {_too_large_text(settings)}")
    ceiling = FORMAT_MAX_PIXELS.get(fmt or "")
    if ceiling is not None and width * height > ceiling:
        raise RequestError(
            "image_too_large", f"{width}x{height} is too large: {fmt} images may have at most {ceiling} pixels"
        )


def _is_high_depth(mode: str) -> bool:
    return mode.startswith("I;16") or mode in ("I", "F")


def _band_range(image: Image.Image) -> tuple[float, float]:
    """(min, max) of a single-band picture, such as every high-depth mode (Pillow types it for any mode)."""
    return cast("tuple[float, float]", image.getextrema())


def to_rgb(image: Image.Image, extrema: tuple[float, float] | None = None) -> Image.Image:
    """Any Pillow mode -> 8-bit RGB.

    Transparency is composited on white (not dropped): dropped alpha exposes whatever colour the transparent
    pixels happen to store, often black, while transparent product shots and logos are meant to be seen on a
    light page. High-bit-depth modes are scaled to 8 bits rather than clipped, which would turn them white;
    whether to scale is decided from `extrema` (the whole picture's (min, max), when `image` is one band of it).
    """
    mode = image.mode
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        mode = image.mode
    if _is_high_depth(mode) and "transparency" in image.info:
        # A 16-bit grey PNG with a transparent value (tRNS): Pillow's convert("RGBA") would clip it at 255.
        image = _high_depth_with_alpha(image, extrema or _band_range(image))
        mode = image.mode
    if mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if _is_high_depth(mode):
        return Image.fromarray(_to_uint8(np.asarray(image), mode, extrema or _band_range(image))).convert("RGB")
    if mode == "RGB":
        return image
    return image.convert("RGB")  # 1, L, CMYK, YCbCr, LAB, HSV, RGBX, ...


def _high_depth_with_alpha(image: Image.Image, extrema: tuple[float, float]) -> Image.Image:
    """A high-depth grey picture with a transparent value as 8-bit LA: the grey scaled, alpha 0 where transparent."""
    pixels = np.asarray(image)
    grey = _to_uint8(pixels, image.mode, extrema)
    alpha = np.where(pixels == image.info["transparency"], 0, 255).astype(np.uint8)
    return Image.merge("LA", (Image.fromarray(grey), Image.fromarray(alpha)))


def _to_uint8(pixels: npt.NDArray[Any], mode: str, extrema: tuple[float, float]) -> npt.NDArray[np.uint8]:
    high = extrema[1]
    if mode == "F":
        values = pixels.astype(np.float32)
        if high <= 1.0:
            values *= 255.0  # float images in [0, 1]
        return np.clip(np.rint(values), 0, 255).astype(np.uint8)
    if high > 255:
        # 16-bit range 0..65535 -> 0..255 in integers: (v + 128) // 257 is round(v / 257) (257 is odd: no ties).
        return ((pixels.clip(0, 65535).astype(np.uint32) + 128) // 257).astype(np.uint8)
    return pixels.clip(0, 255).astype(np.uint8)
