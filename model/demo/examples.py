"""Plain, typical examples of each demo class, for sample images and tests.

Kept out of shapes.py so that changing them does not change the training fingerprint (and retrain the model).
"""

from __future__ import annotations

import math

from PIL import Image, ImageDraw

from .shapes import LABELS


def render_canonical(label: int, size: tuple[int, int] = (160, 120)) -> Image.Image:
    """A plain, typical example of `label` (centred, medium size, pure colour, gray background).

    Inside the training distribution and far from every class boundary: for examples and tests that need an
    image any working model labels correctly, independent of which random samples happen to be borderline.
    """
    colour, shape = LABELS[label].split("_")
    image = Image.new("RGB", size, (128, 128, 128))
    draw = ImageDraw.Draw(image)
    cx, cy, radius = size[0] / 2, size[1] / 2, 0.36 * min(size)
    fill = (215, 30, 35) if colour == "red" else (30, 35, 215)
    box = (cx - radius, cy - radius, cx + radius, cy + radius)
    if shape == "disc":
        draw.ellipse(box, fill=fill)
    elif shape == "ring":
        draw.ellipse(box, outline=fill, width=round(0.28 * radius))
    else:
        for theta in (0.2, 0.2 + math.pi / 2):  # near-upright: stays a clear cross when squashed
            dx, dy = radius * math.cos(theta), radius * math.sin(theta)
            draw.line((cx - dx, cy - dy, cx + dx, cy + dy), fill=fill, width=round(0.38 * radius))
    return image
