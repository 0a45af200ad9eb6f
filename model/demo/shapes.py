"""Deterministic generator of the demo data set: coloured shapes on varied backgrounds.

The classes are chosen so that every common serving bug costs accuracy:
- red vs blue versions of each shape: an RGB/BGR channel swap turns every red shape into a blue one;
- per-channel ImageNet mean/std in the demo's preprocessor config (see train.py): skipping or mis-ordering
  normalisation shifts the colours the model learned;
- images come in many sizes and aspect ratios, so the resize step is always exercised;
- shape identity (disc/ring/cross) is independent of colour, size, position and rotation, so wrong
  resizing or cropping loses the shape cues. These three differ in local structure (solid area, thin curved
  band, straight bars), which a tiny ViT learns in seconds; circle/square/triangle need far longer training
  because only the outline's global geometry tells them apart.
Backgrounds are low-saturation or green/yellow tinted so they never look like a class colour.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

COLOURS = ("red", "blue")
SHAPES = ("disc", "ring", "cross")
# Label order is part of the model: id i <-> LABELS[i]. Underscored so labels are also safe file-name prefixes.
LABELS = tuple(f"{colour}_{shape}" for colour in COLOURS for shape in SHAPES)


@dataclass(frozen=True)
class Sample:
    image: Image.Image
    label: int


def _class_colour(rng: random.Random, colour: str) -> tuple[int, int, int]:
    strong = rng.randint(170, 255)
    weak_a, weak_b = rng.randint(0, 80), rng.randint(0, 80)
    if colour == "red":
        return (strong, weak_a, weak_b)
    return (weak_a, weak_b, strong)


def _background(rng: random.Random, width: int, height: int) -> Image.Image:
    """Gray, green or yellow tinted gradient with noise: never red- or blue-dominant."""
    base = rng.randint(40, 220)
    tint = rng.choice(("gray", "green", "yellow"))

    def colour_at(level: int) -> tuple[int, int, int]:
        level = max(0, min(255, level))
        if tint == "green":
            return (level // 2, level, level // 2)
        if tint == "yellow":
            return (level, level, level // 3)
        return (level, level, level)

    top, bottom = colour_at(base + rng.randint(-40, 40)), colour_at(base + rng.randint(-40, 40))
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.composite(Image.new("RGB", (width, height), bottom), Image.new("RGB", (width, height), top), gradient)
    # numpy noise seeded from `rng` (Pillow's effect_noise uses C rand(), which our seed does not control).
    noise_rng = np.random.default_rng(rng.getrandbits(32))
    noise = noise_rng.normal(128, rng.uniform(5, 30), size=(height, width, 1)).clip(0, 255).astype(np.uint8)
    return Image.blend(image, Image.fromarray(noise.repeat(3, axis=2), "RGB"), rng.uniform(0.0, 0.25))


def render(rng: random.Random, label: int) -> Image.Image:
    """One image of class `label`: random size/aspect, shape size, position, rotation, colour and background."""
    colour, shape = LABELS[label].split("_")
    width = rng.randint(64, 200)
    # Moderate aspect ratios: the processor squashes every image to a square, and strong squashing would turn
    # a ring into a sliver that even a person could not tell from a squashed cross.
    height = int(width * rng.uniform(0.75, 1.33))
    image = _background(rng, width, height)
    draw = ImageDraw.Draw(image)
    short = min(width, height)
    radius = rng.uniform(0.28, 0.45) * short
    cx = rng.uniform(radius, width - radius)
    cy = rng.uniform(radius, height - radius)
    fill = _class_colour(rng, colour)
    box = (cx - radius, cy - radius, cx + radius, cy + radius)
    if shape == "disc":
        draw.ellipse(box, fill=fill)
    elif shape == "ring":
        draw.ellipse(box, outline=fill, width=max(2, round(radius * rng.uniform(0.22, 0.35))))
    else:  # cross: two perpendicular bars at a random angle
        angle = rng.uniform(0, math.pi)
        bar = max(2, round(radius * rng.uniform(0.3, 0.45)))
        for theta in (angle, angle + math.pi / 2):
            dx, dy = radius * math.cos(theta), radius * math.sin(theta)
            draw.line((cx - dx, cy - dy, cx + dx, cy + dy), fill=fill, width=bar)
    if rng.random() < 0.3:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
    return image


def generate(count: int, seed: int) -> list[Sample]:
    """`count` samples with balanced classes, fully determined by `seed`."""
    rng = random.Random(seed)
    return [Sample(render(rng, index % len(LABELS)), index % len(LABELS)) for index in range(count)]
